import type { CommonCheckOptions } from '../checkers/result.js';
import type { Client } from '../src/client/types.js';
import type { Generator } from '../src/generator/index.js';

/** What a workload is told when the test is built. */
export interface WorkloadContext {
  /** The db under test (`etcd`, `zookeeper`), or `none` for in-process workloads. */
  db: string;
  /** The plan's `workloadOptions` (keys, ops per key, value sizes, serializable reads, ...). */
  options: Readonly<Record<string, unknown>>;
  /** Client threads of the test. */
  concurrency: number;
  /** The nodes of the test, in order. */
  nodes: readonly string[];
  /** The client address of a node, from the db adapter (e.g. `10.77.0.11:2379`). */
  endpoint(node: string): string;
}

/** Options passed to one checker; `independent` checks each key (`op.key`) on its own. */
export interface CheckerRunOptions extends CommonCheckOptions {
  independent?: boolean;
  [option: string]: unknown;
}

/** The checkers to run, by registry name, e.g. `{ linearizable: { model: 'cas-register', independent: true } }`. */
export type CheckerSpec = Record<string, CheckerRunOptions>;

/**
 * A workload: the ops a test performs, the clients that perform them on each db, and the
 * checkers that judge the history. One file per workload; register it in workloads/index.ts.
 */
export interface Workload {
  readonly name: string;
  /** One line for `--help` and reports. */
  readonly description: string;
  /** The dbs it has clients for (`none` for in-process ones). */
  readonly dbs: readonly string[];
  /** A fresh client; one is made per thread, and again after each crash. */
  client(ctx: WorkloadContext): Client;
  /** The client ops of the main phase (the runner adds the time limit and the nemesis). */
  generator(ctx: WorkloadContext): Generator;
  /** Ops after the nemesis healed everything, e.g. final reads. */
  final?(ctx: WorkloadContext): Generator;
  checkers(ctx: WorkloadContext): CheckerSpec;
}
