import {
  type DeterministicModel,
  hashString,
  hashValue,
  type ModelOp,
  mix32,
  show,
  valueKey,
  valuesEqual,
} from '../model.js';
import { badOp, observedValue } from './common.js';

/** Registers by key; a key that is absent holds `null`. Immutable. */
export class RegistersState {
  /** By {@link valueKey} of the key: the key itself and its value (never `null`). */
  readonly values: ReadonlyMap<string, { key: unknown; value: unknown }>;
  readonly hash: number;

  constructor(values: ReadonlyMap<string, { key: unknown; value: unknown }>, hash: number) {
    this.values = values;
    this.hash = hash;
  }

  static readonly EMPTY = new RegistersState(new Map(), 0);

  get(k: string): unknown {
    return this.values.get(k)?.value ?? null;
  }

  with(k: string, key: unknown, value: unknown): RegistersState {
    const old = this.values.get(k);
    if (valuesEqual(old?.value ?? null, value)) return this;
    const values = new Map(this.values);
    let hash = this.hash;
    if (old !== undefined) hash = (hash - entryHash(k, old.value)) | 0;
    if (value === null) values.delete(k);
    else {
      values.set(k, { key, value });
      hash = (hash + entryHash(k, value)) | 0;
    }
    return new RegistersState(values, hash);
  }
}

function entryHash(k: string, value: unknown): number {
  return mix32(hashString(k) + Math.imul(hashValue(value), 0x9e3779b1));
}

type MicroOp = readonly [kind: 'r' | 'w', key: unknown, value: unknown];

/**
 * Registers by key, read and written by transactions (Knossos' `multi-register`): the op is
 * `txn` and its value a list of micro-ops `[r k v]` (read `k`, saw `v`) and `[w k v]` (write
 * `v` to `k`); `read`/`write` are accepted for `r`/`w`, with or without a leading `:`. Every
 * key starts as `initial[k]`, else `null`. As in Knossos, a read of `nil` is always legal (the
 * value was not observed); a transaction whose outcome is unknown uses its invocation's
 * micro-ops, whose reads are `nil`. Not split: a transaction spans keys.
 */
export function multiRegister(
  initial: Readonly<Record<string, unknown>> = {},
): DeterministicModel<RegistersState> {
  let start = RegistersState.EMPTY;
  for (const [k, v] of Object.entries(initial)) start = start.with(valueKey(k), k, v ?? null);
  return {
    name: 'multi-register',
    init: () => start,
    equal(a, b) {
      if (a === b) return true;
      if (a.values.size !== b.values.size) return false;
      for (const [k, e] of a.values) {
        const o = b.values.get(k);
        if (o === undefined || !valuesEqual(o.value, e.value)) return false;
      }
      return true;
    },
    hash: (s) => s.hash,
    isReadOnly: (op) => microOps(op).every(([kind]) => kind === 'r'),
    step(state, op) {
      let s = state;
      for (const [kind, key, value] of microOps(op)) {
        const k = valueKey(key);
        if (kind === 'w') s = s.with(k, key, value ?? null);
        else if (value !== null && value !== undefined && !valuesEqual(s.get(k), value)) return undefined;
      }
      return s;
    },
    describeOp: (op) =>
      `txn(${microOps(op)
        .map(([kind, k, v]) => `[${kind} ${show(k)} ${kind === 'r' && v == null ? '?' : show(v)}]`)
        .join(' ')})${op.known ? '' : ' -> ?'}`,
    describeState: (s) =>
      `{${[...s.values.values()].map((e) => `${show(e.key)} ${show(e.value)}`).join(', ')}}`,
  };
}

function microOps(op: ModelOp): MicroOp[] {
  if (op.f !== 'txn')
    throw badOp('multi-register', op, `unknown f ${JSON.stringify(op.f)}; expected txn`, 'f');
  const txn = observedValue(op);
  if (!Array.isArray(txn)) throw badOp('multi-register', op, `a txn is a list of [f k v], got ${show(txn)}`);
  return txn.map((m: unknown, i) => {
    if (!Array.isArray(m) || m.length !== 3) {
      throw badOp('multi-register', op, `micro-op ${i} should be [f k v], got ${show(m)}`, `value[${i}]`);
    }
    const f = String(m[0]).replace(/^:/, '');
    if (f === 'r' || f === 'read') return ['r', m[1], m[2]] as const;
    if (f === 'w' || f === 'write') return ['w', m[1], m[2]] as const;
    throw badOp(
      'multi-register',
      op,
      `micro-op ${i}: unknown f ${show(m[0])}; expected r or w`,
      `value[${i}]`,
    );
  });
}
