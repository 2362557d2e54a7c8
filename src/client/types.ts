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

/** What the runner tells a client about the op it performs. */
export interface InvokeContext {
  /** The logical process performing the op. */
  process: number;
  /** Aborted when the runner gives up on the op (it is then recorded `info`). */
  signal: AbortSignal;
  /**
   * Tells whoever hosts the client that this process now holds a lock (or lease), or no
   * longer does; the `client-pause` nemesis aims at holders. Absent for in-process clients.
   */
  holding?(held: boolean): void;
}

/**
 * A connection of one logical process to one node, as the runner drives it. `invoke` must
 * resolve to `fail` only when the op surely did not take effect; when in doubt (timeout, lost
 * connection) it is `info`. Thrown errors are recorded as `info`.
 */
export interface Client {
  open(node: string): Promise<void>;
  invoke(op: Invocation, context: InvokeContext): Promise<Completion>;
  close(): Promise<void>;
}

/**
 * A session of one logical process with one node, opened before its first call and closed
 * after its last (or when its process crashes). Every typed client (`RegisterClient`,
 * `SetClient`, …, see src/client/kinds/) is a session plus its calls.
 */
export interface Session {
  open(node: string): Promise<void>;
  close(): Promise<void>;
}

/** A call that surely did not take effect (`fail`), or may have (`info`). */
export interface Failed {
  type: 'fail' | 'info';
  error: string;
}

/** The result of a call that returns nothing: `ok` (with a remark, at times), or {@link Failed}. */
export type Done = { type: 'ok'; error?: string } | Failed;

/** The result of a call that returns a value. */
export type Outcome<T> = { type: 'ok'; value: T; error?: string } | Failed;

/** `ok` with `value`. */
export function ok<T>(value: T): Outcome<T> {
  return { type: 'ok', value };
}

/** `ok` without a value. */
export const OK: Done = Object.freeze({ type: 'ok' });

/** A definite failure: the call surely did not take effect. */
export function fail(error: string): Failed {
  return { type: 'fail', error };
}

/** Re-exported for workloads that build ops. */
export type { Op };
