/**
 * `faultline/workload`: what a test does. A {@link Workload} makes the ops (a generator), names
 * the kind of client that performs them, maps each op onto that client's calls, and names the
 * checkers that judge the history. It knows no database: a db offers clients by kind.
 */
// biome-ignore-all assist/source/organizeImports: exports are grouped by theme, each group under its comment

/** A workload and what it is told when the test is built. */
export type { CheckerRunOptions, CheckerSpec, Workload, WorkloadContext } from '../../workloads/types.js';
/** The workloads faultline ships, by name; `WORKLOADS.register` adds one. */
export { WORKLOADS } from '../../workloads/index.js';
/** A client kind: the typed interface a workload needs and a db offers (`offer(KIND, make)`). */
export {
  type ClientContext,
  type ClientFactory,
  type ClientKind,
  type ClientOffer,
  type ClientOffers,
  clientFor,
  clientKind,
  NO_CLIENTS,
  offer,
  offers,
} from '../client/kind.js';
/** Sessions, calls' results, and the runner's ops. */
export {
  type Client,
  type Completion,
  type Done,
  type Failed,
  fail,
  type Invocation,
  type InvokeContext,
  OK,
  type Outcome,
  ok,
  type Session,
} from '../client/types.js';
/** Helpers for clients of real dbs: deadlines and short error texts. */
export { shortError, withTimeout } from '../client/calls.js';
/** The client kinds faultline's workloads need; offer them to run those workloads on your db. */
export {
  APPEND_CLIENT,
  ELECTION_CLIENT,
  type ElectionClient,
  EPHEMERAL_CLIENT,
  type EphemeralClient,
  type Heartbeat,
  KV_CLIENT,
  type KvClient,
  LOCK_CLIENT,
  type LockClient,
  type Membership,
  QUEUE_CLIENT,
  type QueueClient,
  REGISTER_CLIENT,
  type RegisterClient,
  SET_CLIENT,
  type SetClient,
  type TxnClient,
  UNIQUE_IDS_CLIENT,
  type UniqueIdsClient,
  WR_CLIENT,
} from '../client/kinds/index.js';
/** What clients of those kinds share: value codecs, the transaction planner, set element names. */
export {
  applyMicroOps,
  decodeValue,
  encodeValue,
  keysOf,
  type Leadership,
  type MicroOp,
  planTxn,
  registerValueSize,
  type Snapshot,
  setElements,
  type TxnKind,
  type TxnPlan,
} from '../client/kinds/index.js';
/** Reading `workloadOptions` (an InputError names the bad field) and the call deadline. */
export { callTimeoutMs, count, flag, type Options, positive } from '../client/options.js';
/** Pairing a workload with a db: refused, naming both, when the db offers no client of its kind. */
export { bindClients, runsOn, workloadClientFactory } from '../../workloads/bind.js';
