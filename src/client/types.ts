import type { Op } from '../history/op.js';

/** An operation a generator asks a client (or the nemesis) to perform. */
export interface Invocation {
  f: string;
  value: unknown;
  key?: unknown;
}

/** What a client reports back: the completion's type, value and error. */
export interface Completion {
  type: 'ok' | 'fail' | 'info';
  value?: unknown;
  error?: unknown;
}

/**
 * A connection of one logical process to one node. `invoke` must resolve to `fail` only when
 * the op surely did not take effect; when in doubt (timeout, lost connection) it is `info`.
 * Thrown errors are recorded as `info`.
 */
export interface Client {
  open(node: string): Promise<void>;
  invoke(op: Invocation, context: { process: number; signal: AbortSignal }): Promise<Completion>;
  close(): Promise<void>;
}

/** Re-exported for workloads that build ops. */
export type { Op };
