import { type DeterministicModel, hashString, type ModelOp, mix32, show } from '../model.js';
import { badOp, keyOf } from './common.js';

/**
 * A key/value map with string values; a key that is absent holds `""`. Immutable. Keys are
 * kept sorted in small arrays (copying ten entries is cheaper than copying a `Map`), and each
 * value carries a rolling hash, so that an append hashes only what it appends.
 */
export class KvState {
  /** Keys holding a non-empty value, sorted. */
  readonly keys: readonly string[];
  readonly values: readonly string[];
  /** Rolling hash of each value (see {@link rollHash}). */
  readonly valueHashes: readonly number[];
  readonly hash: number;

  private constructor(
    keys: readonly string[],
    values: readonly string[],
    valueHashes: readonly number[],
    hash: number,
  ) {
    this.keys = keys;
    this.values = values;
    this.valueHashes = valueHashes;
    this.hash = hash;
  }

  static readonly EMPTY = new KvState([], [], [], 0);

  get(key: string): string {
    const i = this.keys.indexOf(key);
    return i < 0 ? '' : this.values[i]!;
  }

  /** Whether `key` holds `value`, whose rolling hash is `valueHash`: hashes first, so that
   * most mismatches never touch (and flatten) long appended strings. */
  holds(key: string, value: string, valueHash: number): boolean {
    const i = this.keys.indexOf(key);
    if (i < 0) return value === '';
    return this.valueHashes[i] === valueHash && this.values[i] === value;
  }

  /** The map with `value` appended to `key`'s value (`replace`: instead of it). */
  update(key: string, value: string, replace: boolean): KvState {
    const i = this.keys.indexOf(key);
    if (value === '' && (!replace || i < 0)) return this;
    const old = i < 0 ? '' : this.values[i]!;
    const next = replace ? value : old + value;
    if (next === old) return this;
    const h = rollHash(replace || i < 0 ? 0 : this.valueHashes[i]!, value);
    let hash = this.hash;
    if (i >= 0) hash = (hash - entryHash(key, this.valueHashes[i]!)) | 0;
    if (next === '') {
      // Back to the initial value: leave the key out, so that equal maps look alike.
      return new KvState(without(this.keys, i), without(this.values, i), without(this.valueHashes, i), hash);
    }
    hash = (hash + entryHash(key, h)) | 0;
    if (i >= 0) {
      return new KvState(this.keys, replaced(this.values, i, next), replaced(this.valueHashes, i, h), hash);
    }
    let at = 0;
    while (at < this.keys.length && this.keys[at]! < key) at++;
    return new KvState(
      inserted(this.keys, at, key),
      inserted(this.values, at, next),
      inserted(this.valueHashes, at, h),
      hash,
    );
  }

  equals(other: KvState): boolean {
    if (this === other) return true;
    const n = this.keys.length;
    if (n !== other.keys.length) return false;
    for (let i = 0; i < n; i++) {
      if (this.keys[i] !== other.keys[i] || this.valueHashes[i] !== other.valueHashes[i]) return false;
    }
    for (let i = 0; i < n; i++) if (this.values[i] !== other.values[i]) return false;
    return true;
  }
}

/** Continues a polynomial hash over `s`: rollHash(rollHash(0, a), b) === rollHash(0, a + b). */
export function rollHash(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 0x01000193) + s.charCodeAt(i) + 1) | 0;
  return h;
}

function entryHash(key: string, valueHash: number): number {
  return mix32(hashString(key) + Math.imul(mix32(valueHash), 0x9e3779b1));
}

function without<T>(a: readonly T[], i: number): T[] {
  return [...a.slice(0, i), ...a.slice(i + 1)];
}

function replaced<T>(a: readonly T[], i: number, x: T): T[] {
  const copy = a.slice();
  copy[i] = x;
  return copy;
}

function inserted<T>(a: readonly T[], i: number, x: T): T[] {
  return [...a.slice(0, i), x, ...a.slice(i)];
}

/**
 * Porcupine's key/value store: `get` returns the key's value, `put v` sets it, `append v`
 * concatenates `v` to it; every key starts as the empty string. The key is the op's `key`
 * field (a string; other keys are compared by their text). Values are strings; `nil` is read
 * as `""`. Split by key unless the checker is told not to, each key being its own map.
 */
export function kv(): DeterministicModel<KvState> {
  // The rolling hash of each get's result, computed once per op.
  const readHashes = new WeakMap<ModelOp, number>();
  const readHash = (op: ModelOp, value: string): number => {
    let h = readHashes.get(op);
    if (h === undefined) {
      h = rollHash(0, value);
      readHashes.set(op, h);
    }
    return h;
  };
  return {
    name: 'kv',
    init: () => KvState.EMPTY,
    equal: (a, b) => a.equals(b),
    hash: (s) => s.hash,
    partition: keyOf,
    isReadOnly: (op) => op.f === 'get',
    step(state, op) {
      const key = keyText(op);
      switch (op.f) {
        case 'get': {
          if (!op.known) return state;
          const value = text(op, op.output);
          return state.holds(key, value, readHash(op, value)) ? state : undefined;
        }
        case 'put':
          return state.update(key, text(op, op.input), true);
        case 'append':
          return state.update(key, text(op, op.input), false);
      }
      throw badOp('kv', op, `unknown f ${JSON.stringify(op.f)}; expected get, put, append`, 'f');
    },
    describeOp(op) {
      const key = show(op.key);
      if (op.f === 'get') return `get(${key}) -> ${op.known ? show(op.output ?? '') : '?'}`;
      return `${op.f}(${key}, ${show(op.input)})${op.known ? '' : ' -> ?'}`;
    },
    describeState(state) {
      return `{${state.keys.map((k, i) => `${JSON.stringify(k)}: ${JSON.stringify(state.values[i])}`).join(', ')}}`;
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
