/**
 * Multi-key transactions of micro-ops (the `append` and `wr` workloads, checked by Elle), and
 * the pure part every optimistic implementation shares: reading a snapshot of the keys,
 * computing the reads and writes locally (see {@link planTxn}), committing the writes guarded
 * by "no key changed since it was read".
 */
import { clientKind } from '../kind.js';
import type { Outcome, Session } from '../types.js';

/** A micro-op: `['r', key, null | result]`, `['append', key, v]` or `['w', key, v]`. */
export type MicroOp = [f: 'r' | 'append' | 'w', key: number, value: unknown];

/** Which transactions: list-append (`append`: keys hold lists) or rw-register (`w`: keys hold values). */
export type TxnKind = 'append' | 'w';

export interface TxnClient extends Session {
  /** Runs the micro-ops as one serializable transaction; `ok` with reads filled in. */
  txn(mops: readonly MicroOp[]): Promise<Outcome<MicroOp[]>>;
}

export const APPEND_CLIENT = clientKind<TxnClient>(
  'list-append',
  'transactions of list reads and appends (micro-ops r, append)',
);
export const WR_CLIENT = clientKind<TxnClient>(
  'rw-register',
  'transactions of register reads and writes (micro-ops r, w)',
);

/** Every key's value as read (null: absent). */
export type Snapshot = ReadonlyMap<string, string | null>;

/** What a transaction computed from a snapshot: its completion value and the keys it writes. */
export interface TxnPlan {
  value: MicroOp[];
  writes: ReadonlyMap<string, string>;
}

/** Applies micro-ops to a snapshot: reads see the transaction's own earlier writes. */
export function applyMicroOps(
  mops: readonly MicroOp[],
  snapshot: Snapshot,
  keyName: (key: number) => string,
): TxnPlan {
  const state = new Map<string, unknown>();
  const current = (k: string): unknown => {
    if (!state.has(k)) {
      const raw = snapshot.get(k);
      state.set(k, raw === null || raw === undefined ? null : JSON.parse(raw));
    }
    return state.get(k);
  };
  const writes = new Map<string, string>();
  const value = mops.map(([f, key, v]): MicroOp => {
    const k = keyName(key);
    if (f === 'r') {
      const now = current(k);
      return [f, key, Array.isArray(now) ? [...now] : now];
    }
    const next = f === 'append' ? [...((current(k) as unknown[] | null) ?? []), v] : v;
    state.set(k, next);
    writes.set(k, JSON.stringify(next));
    return [f, key, v];
  });
  return { value, writes };
}

/** {@link applyMicroOps}, where a list-append read of a missing key is the empty list (as Elle reads it). */
export function planTxn(
  kind: TxnKind,
  mops: readonly MicroOp[],
  snapshot: Snapshot,
  keyName: (key: number) => string,
): TxnPlan {
  const plan = applyMicroOps(mops, snapshot, keyName);
  if (kind === 'append') for (const m of plan.value) if (m[0] === 'r' && m[2] === null) m[2] = [];
  return plan;
}

/** The keys a transaction touches, once each, in first-use order. */
export function keysOf(mops: readonly MicroOp[]): number[] {
  return [...new Set(mops.map((m) => m[1]))];
}
