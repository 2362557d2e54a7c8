import type { CommonCheckOptions } from '../checkers/result.js';
import type { ClientContext, ClientKind } from '../src/client/kind.js';
import type { Completion, Invocation, InvokeContext, Session } from '../src/client/types.js';
import type { Generator } from '../src/generator/index.js';

/** What a workload is told when the test is built: the same as its clients are told. */
export type WorkloadContext = ClientContext;

/** Options passed to one checker; `independent` checks each key (`op.key`) on its own. */
export interface CheckerRunOptions extends CommonCheckOptions {
  independent?: boolean;
  [option: string]: unknown;
}

/** The checkers to run, by registry name, e.g. `{ linearizable: { model: 'cas-register', independent: true } }`. */
export type CheckerSpec = Record<string, CheckerRunOptions>;

/**
 * A workload: the ops a test performs, the client interface that performs them, and the
 * checkers that judge the history. It knows no database: each db adapter offers clients of the
 * kinds it supports (see src/client/kinds/), and a test pairs a workload with a db only when
 * the db offers the workload's {@link Workload.client} kind. One file per workload; register it
 * in workloads/index.ts.
 */
export interface Workload<C extends Session = Session> {
  readonly name: string;
  /** One line for `--help` and reports. */
  readonly description: string;
  /** The client interface it needs. */
  readonly client: ClientKind<C>;
  /**
   * A client that needs no db (in-process workloads): when present, it is used whatever the
   * db, and the workload also runs with db `none`.
   */
  localClient?(ctx: WorkloadContext): C;
  /** Performs one generator op with the client's calls. */
  invoke(client: C, op: Invocation, context: InvokeContext): Promise<Completion>;
  /** The client ops of the main phase (the runner adds the time limit and the nemesis). */
  generator(ctx: WorkloadContext): Generator;
  /** Ops after the nemesis healed everything, e.g. final reads. */
  final?(ctx: WorkloadContext): Generator;
  checkers(ctx: WorkloadContext): CheckerSpec;
}

/** The completion for an op the workload does not know: it surely did not happen. */
export function unknownOp(op: Invocation): Completion {
  return { type: 'fail', error: `unknown op ${op.f}` };
}
