/**
 * `faultline/checkers`: pure analyses of a history. A {@link Checker} takes a history and
 * returns a verdict (`true`, `false` or `'unknown'`) with evidence; it never does I/O.
 */
// biome-ignore-all assist/source/organizeImports: exports are grouped by theme, each group under its comment

/** The checker shape and its result; Jepsen's precedence to merge verdicts. */
export {
  type Checker,
  type CheckResult,
  type CommonCheckOptions,
  composeResults,
  exitCodeOf,
  mergeValidity,
  type Validity,
} from '../../checkers/result.js';
/** Every checker faultline ships, by name (`linearizable`, `list-append`, `set`, …); `CHECKERS.register` adds one. */
export { CHECKERS } from '../../checkers/registry.js';
/** Linearizability (WGL search, as Porcupine/Knossos) against a {@link Model}. */
export {
  checkLinearizable,
  type LinearizableOptions,
  type LinearizableResult,
  linearizableChecker,
} from '../../checkers/linearizable/index.js';
/** A sequential specification for the linearizability checker, and the built-in models. */
export {
  casRegister,
  type DeterministicModel,
  fifoQueue,
  hashValue,
  kv,
  MODELS,
  type Model,
  type ModelOp,
  multiRegister,
  mutex,
  type NondeterministicModel,
  register,
  set,
  unorderedQueue,
  valuesEqual,
} from '../../checkers/linearizable/index.js';
/** Elle-class transactional checks (list-append, rw-register). */
export {
  checkListAppend,
  checkListAppendWindowed,
  checkRwRegister,
  checkRwRegisterWindowed,
  type ElleOptions,
  type ElleResult,
  listAppendChecker,
  rwRegisterChecker,
  type WindowedElleOptions,
  type WindowedElleResult,
} from '../../checkers/elle/index.js';
/** The other shipped checkers. */
export { bankChecker } from '../../checkers/bank.js';
export { counterChecker } from '../../checkers/counter.js';
export { electionChecker } from '../../checkers/election.js';
export { lockChecker } from '../../checkers/lock.js';
export { perfChecker } from '../../checkers/perf.js';
export { queueChecker } from '../../checkers/queue.js';
export { setChecker, setFullChecker } from '../../checkers/set.js';
export { uniqueIdsChecker } from '../../checkers/unique-ids.js';
/** Beyond the history's values: node crashes seen by the run, counts and errors, log lines. */
export { crashChecker } from '../../checkers/crash.js';
export { statsChecker } from '../../checkers/stats.js';
export { judgeLogScan, type LogMatch, type LogPatternsResult } from '../../checkers/log-patterns.js';
/** Online checkers for long runs: fed each op as it is recorded (`RunSpec.observer`), bounded memory. */
export type { OnlineChecker } from '../../checkers/online/types.js';
export {
  OnlineIndependentLinearizable,
  type OnlineIndependentOptions,
  type OnlineIndependentResult,
} from '../../checkers/online/independent-linearizable.js';
export { OnlineSet } from '../../checkers/online/set.js';
export { OnlinePerf, type OnlinePerfResult } from '../../checkers/online/perf.js';
export { OnlineStats } from '../../checkers/online/stats.js';
export { OnlineCounter } from '../../checkers/online/counter.js';
export { OnlineUniqueIds } from '../../checkers/online/unique-ids.js';
