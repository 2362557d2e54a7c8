/**
 * The operation record, with the meaning Jepsen and Knossos give it.
 *
 * An operation is recorded twice: once as an `invoke` when a process starts it, and once as
 * a completion: `ok` (it took effect), `fail` (it surely did not take effect) or `info` (it
 * may or may not have taken effect, at any time after its invocation). A process whose
 * operation ends in `info` is crashed and never invokes again.
 */
export type OpType = 'invoke' | 'ok' | 'fail' | 'info';

/** A logical client process (a number), or the nemesis. */
export type Process = number | 'nemesis';

/** One event in a history. */
export interface Op {
  /** Position in the history, 0-based, dense. */
  index: number;
  /** Nanoseconds since the start of the test (monotonic). */
  time: number;
  type: OpType;
  process: Process;
  /** The function: `read`, `write`, `cas`, `txn`, `add`, `start-partition`, ... */
  f: string;
  /** The argument (on invoke) or the result (on completion). */
  value: unknown;
  /** Why an op failed or is indeterminate. */
  error?: unknown;
  /** The node a client talked to. */
  node?: string;
  /** The key, for histories that carry it as a field (Porcupine's kv data). */
  key?: unknown;
  /** Any other fields, kept so that codecs round-trip them. */
  extra?: Record<string, unknown>;
}

/** Completion types: everything but `invoke`. */
export type CompletionType = Exclude<OpType, 'invoke'>;

export const OP_TYPES: readonly OpType[] = ['invoke', 'ok', 'fail', 'info'];

export function isOpType(x: unknown): x is OpType {
  return x === 'invoke' || x === 'ok' || x === 'fail' || x === 'info';
}

export function isClientOp(op: Op): boolean {
  return op.process !== 'nemesis';
}
