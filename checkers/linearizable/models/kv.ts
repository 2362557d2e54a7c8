import { type DeterministicModel, hashString, type ModelOp, mix32, show } from '../model.js';
import { badOp, keyOf } from './common.js';

/**
 * A key/value map with string values; a key that is absent holds `""`. Immutable. Each value
 * carries a rolling hash, so that an append hashes only what it appends. A map of one key
 * (every state of a history split by key) is a {@link KvOne}: one small object per state.
 * Hashes stay within 30 bits, V8's small integers, so that storing them allocates nothing.
 */
export type KvState = KvOne | KvMany;

/** Keeps a hash within 30 bits. */
const SMALL = 0x3fffffff;

/** A map holding one non-empty value. */
export class KvOne {
  readonly key: string;
  readonly value: string;
  /** Rolling hash of `value` (see {@link rollHash}). */
  readonly valueHash: number;
  readonly hash: number;

  constructor(key: string, value: string, valueHash: number) {
    this.key = key;
    this.value = value;
    this.valueHash = valueHash;
    this.hash = entryHash(key, valueHash);
  }

  get size(): number {
    return 1;
  }

  get(key: string): string {
    return key === this.key ? this.value : '';
  }

  /** Whether `key` holds `value` (whose rolling hash is `valueHash`); hashes first, so that
   * most mismatches never touch (and flatten) long appended strings. */
  holds(key: string, value: string, valueHash: number): boolean {
    if (key !== this.key) return value === '';
    return this.valueHash === valueHash && this.value === value;
  }

  /** The map with `value` appended to `key`'s value (`replace`: instead of it). */
  update(key: string, value: string, replace: boolean): KvState {
    if (key !== this.key) {
      // Another key, absent so far: a put or an append both leave it holding `value`.
      if (value === '') return this;
      return KvMany.of([this.key, key], [this.value, value], [this.valueHash, rollHash(0, value)]);
    }
    const next = replace ? value : this.value + value;
    if (next === this.value) return this;
    if (next === '') return KvMany.EMPTY;
    return new KvOne(key, next, rollHash(replace ? 0 : this.valueHash, value));
  }

  equals(other: KvState): boolean {
    return (
      this === other ||
      (other instanceof KvOne &&
        other.valueHash === this.valueHash &&
        other.key === this.key &&
        other.value === this.value)
    );
  }

  entries(): [string, string][] {
    return [[this.key, this.value]];
  }
}

/** A map of zero, two or more keys, kept sorted in small arrays (cheaper to copy than a `Map`). */
export class KvMany {
  /** Keys holding a non-empty value, sorted. */
  readonly keys: readonly string[];
  readonly values: readonly string[];
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

  static readonly EMPTY = new KvMany([], [], [], 0);

  /** The map of the given entries; empty values are left out, and one key makes a {@link KvOne}. */
  static of(keys: readonly string[], values: readonly string[], valueHashes: readonly number[]): KvState {
    const order = keys.map((_, i) => i).filter((i) => values[i] !== '');
    order.sort((a, b) => (keys[a]! < keys[b]! ? -1 : 1));
    if (order.length === 1) return new KvOne(keys[order[0]!]!, values[order[0]!]!, valueHashes[order[0]!]!);
    let hash = 0;
    for (const i of order) hash = (hash + entryHash(keys[i]!, valueHashes[i]!)) & SMALL;
    return new KvMany(
      order.map((i) => keys[i]!),
      order.map((i) => values[i]!),
      order.map((i) => valueHashes[i]!),
      hash,
    );
  }

  get size(): number {
    return this.keys.length;
  }

  get(key: string): string {
    const i = this.keys.indexOf(key);
    return i < 0 ? '' : this.values[i]!;
  }

  holds(key: string, value: string, valueHash: number): boolean {
    const i = this.keys.indexOf(key);
    if (i < 0) return value === '';
    return this.valueHashes[i] === valueHash && this.values[i] === value;
  }

  update(key: string, value: string, replace: boolean): KvState {
    const i = this.keys.indexOf(key);
    if (value === '' && (!replace || i < 0)) return this;
    const old = i < 0 ? '' : this.values[i]!;
    const next = replace ? value : old + value;
    if (next === old) return this;
    const h = rollHash(replace || i < 0 ? 0 : this.valueHashes[i]!, value);
    if (i < 0) return KvMany.of([...this.keys, key], [...this.values, next], [...this.valueHashes, h]);
    if (next === '') {
      return KvMany.of(this.keys, replaced(this.values, i, next), replaced(this.valueHashes, i, h));
    }
    const hash = (this.hash - entryHash(key, this.valueHashes[i]!) + entryHash(key, h)) & SMALL;
    return new KvMany(this.keys, replaced(this.values, i, next), replaced(this.valueHashes, i, h), hash);
  }

  equals(other: KvState): boolean {
    if (this === other) return true;
    if (!(other instanceof KvMany)) return false;
    const n = this.keys.length;
    if (n !== other.keys.length || this.hash !== other.hash) return false;
    for (let i = 0; i < n; i++) {
      if (this.keys[i] !== other.keys[i] || this.valueHashes[i] !== other.valueHashes[i]) return false;
    }
    for (let i = 0; i < n; i++) if (this.values[i] !== other.values[i]) return false;
    return true;
  }

  entries(): [string, string][] {
    return this.keys.map((k, i) => [k, this.values[i]!]);
  }
}

/**
 * Continues a polynomial hash (modulo 2^30) over `s`:
 * rollHash(rollHash(0, a), b) === rollHash(0, a + b).
 */
export function rollHash(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 0x01000193) + s.charCodeAt(i) + 1) & SMALL;
  return h;
}

function entryHash(key: string, valueHash: number): number {
  return mix32(hashString(key) + Math.imul(mix32(valueHash), 0x9e3779b1)) & SMALL;
}

function replaced<T>(a: readonly T[], i: number, x: T): T[] {
  const copy = a.slice();
  copy[i] = x;
  return copy;
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
    init: (): KvState => KvMany.EMPTY,
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
      return `{${state
        .entries()
        .map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`)
        .join(', ')}}`;
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
