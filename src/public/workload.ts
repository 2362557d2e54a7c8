/**
 * `faultline/workload`: what a test does. A {@link Workload} makes the ops (a generator), the
 * {@link Client}s that perform them, and names the checkers that judge the history.
 */
// biome-ignore-all assist/source/organizeImports: exports are grouped by theme, each group under its comment

/** One logical process's connection to one node: open, invoke, close. */
export type { Client, Completion, Invocation } from '../client/types.js';
/** Typed clients: a session plus calls returning Outcome/Done (ok, or fail/info with an error). */
export {
  type Done,
  type Failed,
  fail,
  type InvokeContext,
  OK,
  ok,
  type Outcome,
  type Session,
} from '../client/types.js';
/** The client interfaces the shipped workloads need; a db offers the ones it can. */
export * from '../client/kinds/index.js';
/** How a client kind is named and looked up on a db. */
export { type ClientContext, type ClientKind, clientKind } from '../client/kind.js';
/** Reading `workloadOptions` (an InputError names the bad field) and the call deadline. */
export { callTimeoutMs, count, flag, type Options, positive } from '../client/options.js';
/** Deadlines and short error texts for clients of real dbs. */
export { shortError, withTimeout } from '../client/calls.js';
/** Pairing a workload with a db: refused, naming both, when the db offers no client of its kind. */
export { bindClients, runsOn, workloadClientFactory } from '../../workloads/bind.js';
/** A workload and what it is told when the test is built. */
export type { CheckerRunOptions, CheckerSpec, Workload, WorkloadContext } from '../../workloads/types.js';
/** The workloads faultline ships, by name; `WORKLOADS.register` adds one. */
export { WORKLOADS } from '../../workloads/index.js';
