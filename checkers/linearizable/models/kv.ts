import { type DeterministicModel, hashString, type ModelOp, mix32, show } from '../model.js';
import { badOp, keyOf } from './common.js';

/** A key/value map with string values; a key that is absent holds `""`. Immutable. */
export class KvState {
  /** Values by key; keys holding `""` are left out, so equal maps have equal entries. */
  readonly values: ReadonlyMap<string, string>;
  readonly hash: number;

  constructor(values: ReadonlyMap<string, string>, hash: number) {
    this.values = values;
    this.hash = hash;
  }

  static readonly EMPTY = new KvState(new Map(), 0);

  get(key: string): string {
    return this.values.get(key) ?? '';
  }

  /** The map with `key` set to `value`; the hash is updated, not recomputed. */
  with(key: string, value: string): KvState {
    const old = this.values.get(key);
    if ((old ?? '') === value) return this;
    const values = new Map(this.values);
    let hash = this.hash;
    if (old !== undefined) hash = (hash - entryHash(key, old)) | 0;
    if (value === '') values.delete(key);
    else {
      values.set(key, value);
      hash = (hash + entryHash(key, value)) | 0;
    }
    return new KvState(values, hash);
  }
}

function entryHash(key: string, value: string): number {
  return mix32(hashString(key) + Math.imul(hashString(value), 0x9e3779b1));
}

/**
 * Porcupine's key/value store: `get` returns the key's value, `put v` sets it, `append v`
 * concatenates `v` to it; every key starts as the empty string. The key is the op's `key`
 * field (a string; other keys are compared by their text). Values are strings; `nil` is read
 * as `""`. Split by key unless the checker is told not to, each key being its own map.
 */
export function kv(): DeterministicModel<KvState> {
  return {
    name: 'kv',
    init: () => KvState.EMPTY,
    equal(a, b) {
      if (a === b) return true;
      if (a.values.size !== b.values.size) return false;
      for (const [k, v] of a.values) if (b.values.get(k) !== v) return false;
      return true;
    },
    hash: (s) => s.hash,
    partition: keyOf,
    isReadOnly: (op) => op.f === 'get',
    step(state, op) {
      const key = keyText(op);
      switch (op.f) {
        case 'get':
          return !op.known || state.get(key) === text(op, op.output) ? state : undefined;
        case 'put':
          return state.with(key, text(op, op.input));
        case 'append':
          return state.with(key, state.get(key) + text(op, op.input));
      }
      throw badOp('kv', op, `unknown f ${JSON.stringify(op.f)}; expected get, put, append`, 'f');
    },
    describeOp(op) {
      const key = show(op.key);
      if (op.f === 'get') return `get(${key}) -> ${op.known ? show(op.output ?? '') : '?'}`;
      return `${op.f}(${key}, ${show(op.input)})${op.known ? '' : ' -> ?'}`;
    },
    describeState(state) {
      const entries = [...state.values].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ')}}`;
    },
  };
}

function keyText(op: ModelOp): string {
  const k = op.key;
  if (typeof k === 'string') return k;
  if (k === undefined || k === null) return '';
  return typeof k === 'number' ? String(k) : JSON.stringify(k);
}

function text(op: ModelOp, v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return String(v);
  throw badOp('kv', op, `expected a string value, got ${show(v)}`);
}
