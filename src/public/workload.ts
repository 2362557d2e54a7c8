/**
 * `faultline/workload`: what a test does. A {@link Workload} makes the ops (a generator), the
 * {@link Client}s that perform them, and names the checkers that judge the history.
 */
// biome-ignore-all assist/source/organizeImports: exports are grouped by theme, each group under its comment

/** One logical process's connection to one node: open, invoke, close. */
export type { Client, Completion, Invocation } from '../client/types.js';
/** A workload and what it is told when the test is built. */
export type { CheckerRunOptions, CheckerSpec, Workload, WorkloadContext } from '../../workloads/types.js';
/** The workloads faultline ships, by name; `WORKLOADS.register` adds one. */
export { WORKLOADS } from '../../workloads/index.js';
