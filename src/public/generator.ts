/**
 * `faultline/generator`: what ops to perform, when, and on which threads — Jepsen's generator
 * combinators over a pure step function, so the same seed gives the same schedule.
 */
// biome-ignore-all assist/source/organizeImports: exports are grouped by theme, each group under its comment

/** A generator, anything that can become one, and the ops and context it steps through. */
export { type GenContext, type GenLike, type GenOp, Generator, gen, type Thread } from '../generator/core.js';
/** The combinators. */
export {
  any,
  clients,
  clientsAndNemesis,
  cycle,
  delay,
  eachProcess,
  eachThread,
  type IndependentKeysOptions,
  independentKeys,
  limit,
  map,
  mix,
  nemesis,
  once,
  onThreads,
  phases,
  rate,
  repeat,
  seq,
  sleep,
  stagger,
  synchronize,
  timeLimit,
  untilOk,
} from '../generator/combinators.js';
/** Seeded randomness, for generators that pick. */
export { freshSeed, type Random, randomInt, seededRandom } from '../generator/random.js';
/** Runs a generator against a simulated clock and clients, without a cluster. */
export { type SimulateOptions, simulate } from '../generator/simulate.js';
