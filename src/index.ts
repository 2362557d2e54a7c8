/**
 * faultline: a Jepsen-style test harness for distributed systems, as a library.
 *
 * A test is a {@link Db} (the system, driven over SSH on some nodes, offering clients by kind),
 * a {@link Workload} (the ops, the {@link ClientKind} that performs them, the checkers that judge
 * them), a nemesis (the faults), and a run: `faultline run plan.yaml`, or {@link executePlan}
 * from code. A plan may name your own modules (`db: ./my-db.js`); they import only from this
 * package.
 *
 * Narrower entry points hold the same things by theme: `faultline/db`, `faultline/workload`,
 * `faultline/checkers`, `faultline/generator`, `faultline/history`, `faultline/nemesis`,
 * `faultline/ensemble`, `faultline/run`. Anything not exported here is internal.
 */
// biome-ignore-all assist/source/organizeImports: exports are grouped by theme, each group under its comment

// The system under test: a Db, what it is told, and the base for one-daemon-per-node servers.
export {
  awaitAllHealthy,
  type Capability,
  DaemonDb,
  DaemonError,
  type DaemonLaunch,
  type DaemonPaths,
  DBS,
  type Db,
  type DbContext,
  type HasLogFiles,
  type HasPrimaries,
  hasCapability,
  type Killable,
  NotHealthyError,
  type Pausable,
  requireCapability,
  startDaemon,
} from './public/db.js';

// What a test does: a Workload, the kind of client it needs (a db offers it), the ops and results.
export {
  type CheckerSpec,
  type Client,
  type ClientContext,
  type ClientKind,
  type Completion,
  clientKind,
  type Done,
  fail,
  type Invocation,
  OK,
  type Outcome,
  offer,
  offers,
  ok,
  type Session,
  WORKLOADS,
  type Workload,
  type WorkloadContext,
} from './public/workload.js';

// Faults: a Nemesis applies and heals them; families compose into a schedule.
export type { Nemesis, NemesisContext, NemesisOutcome } from './public/nemesis.js';

// Judging a history: the Checker shape, the shipped checkers, linearizability Models.
export {
  CHECKERS,
  type Checker,
  type CheckResult,
  type CommonCheckOptions,
  checkLinearizable,
  composeResults,
  type DeterministicModel,
  hashValue,
  type Model,
  type ModelOp,
  mergeValidity,
  type NondeterministicModel,
  type Validity,
  valuesEqual,
} from './public/checkers.js';

// Generators: what ops to run, when, on which threads.
export {
  clients,
  delay,
  type GenContext,
  type GenLike,
  type GenOp,
  Generator,
  gen,
  independentKeys,
  limit,
  mix,
  nemesis,
  once,
  phases,
  rate,
  repeat,
  seededRandom,
  seq,
  sleep,
  stagger,
  timeLimit,
} from './public/generator.js';

// Histories: ops as Jepsen records them, and the JSONL / EDN / Jepsen-log codecs.
export { History, type Op, type OpType, readHistoryFile, writeHistoryFile } from './public/history.js';

// Running tests: a whole plan (as `faultline run`), or the bare runner.
export {
  type ExecuteOptions,
  type ExecuteResult,
  executePlan,
  loadPlanFile,
  type Plan,
  type RunOutcome,
  type RunSpec,
  runTest,
} from './public/run.js';

// The nodes: SSH remotes and the local network-namespace ensemble.
export {
  ensembleDown,
  ensembleStatus,
  ensembleUp,
  localRemote,
  type Remote,
  SshRemote,
} from './public/ensemble.js';

/** Bad input (plan, history, flag): the CLI prints its one-line message and exits 254. */
export { EXIT, InputError, type InputLocation } from './errors.js';
/** Named dbs, workloads, checkers, nemesis families: one shape for all. */
export { Registry } from './registry.js';
/** This package's version. */
export { VERSION } from './version.js';
