/**
 * The model of a sequential object, as the linearizability search sees it: a pure function
 * from a state and an operation to the next state, plus equality and hashing of states so
 * that the search can remember where it has been.
 *
 * States must be immutable: `step` returns a new state (or the same one) and never changes
 * the one it was given.
 */

/** One operation as a model sees it: the invocation together with what came back. */
export interface ModelOp {
  /** The function: `read`, `write`, `cas`, `get`, `txn`, ... */
  readonly f: string;
  /** The invocation's value (the argument). */
  readonly input: unknown;
  /** The `ok` completion's value; `undefined` when the outcome is unknown (see `known`). */
  readonly output: unknown;
  /** True when the op completed `ok`; false for `info` and never-completed ops. */
  readonly known: boolean;
  /** The op's `key` field, when the history carries one (Porcupine's kv data, independent keys). */
  readonly key: unknown;
  /** Position of the invocation in the original history (`op.index`). */
  readonly index: number;
  /** Position of the completion in the original history, when there is one. */
  readonly completionIndex: number | undefined;
  /** The process that ran it. */
  readonly process: number;
}

/** What every model has, deterministic or not. */
interface ModelBase<State> {
  /** The name, as in `--model NAME`. */
  readonly name: string;
  /** The state before any operation. */
  init(): State;
  /** Whether two states are the same. Only called on states whose hashes are equal. */
  equal(a: State, b: State): boolean;
  /** A 32-bit hash of a state; equal states must hash alike. */
  hash(state: State): number;
  /**
   * The independent object an op touches (P-compositionality): ops with different keys are
   * checked separately. Return `undefined` to put the op with the other keyless ops.
   * Omit for models whose ops span objects.
   */
  partition?(op: ModelOp): unknown;
  /**
   * True when the op never changes the state (a read). The search then linearizes it as soon
   * as it is legal, without trying other orders, and drops it when its outcome is unknown.
   */
  isReadOnly?(op: ModelOp): boolean;
  /** A short text for the op, e.g. `cas(1, 2) -> ok`. */
  describeOp?(op: ModelOp): string;
  /** A short text for a state. */
  describeState?(state: State): string;
}

/** A model with at most one next state per op. */
export interface DeterministicModel<State> extends ModelBase<State> {
  readonly nondeterministic?: false;
  /** The state after `op`, or `undefined`/`false` when `op` cannot happen in `state`. */
  step(state: State, op: ModelOp): State | undefined | false;
}

/** A model in which one op may lead to several states (e.g. a crashed dequeue). */
export interface NondeterministicModel<State> extends ModelBase<State> {
  readonly nondeterministic: true;
  /** Every state `op` may lead to; empty when it cannot happen in `state`. */
  step(state: State, op: ModelOp): readonly State[];
}

/** A sequential specification the linearizability checker checks histories against. */
export type Model<State = unknown> = DeterministicModel<State> | NondeterministicModel<State>;

// ---------------------------------------------------------------------------------------------
// Hashing and equality of plain values, for models whose states hold op values.

/** Murmur3's finaliser: spreads the bits of a 32-bit value. */
export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** Combines two hashes, order-sensitively. */
export function combineHash(a: number, b: number): number {
  return (Math.imul(a ^ (a >>> 15), 0x2c1b3c6d) + b + 0x6b43a9b5) | 0;
}

/** FNV-1a of a string, finalised. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return mix32(h);
}

/** A structural hash of JSON-like values: equal values (see {@link valuesEqual}) hash alike. */
export function hashValue(v: unknown): number {
  switch (typeof v) {
    case 'number':
      return (v | 0) === v && !Object.is(v, -0) ? mix32(v ^ 0x3c6ef372) : hashString(`n${v}`);
    case 'string':
      return hashString(v);
    case 'boolean':
      return v ? 0x1b873593 : 0x68e31da4;
    case 'bigint':
      return hashString(`b${v}`);
    case 'undefined':
      return 0x5bd1e995;
    case 'object': {
      if (v === null) return 0x27d4eb2f;
      if (Array.isArray(v)) {
        let h = 0x165667b1 + v.length;
        for (const x of v) h = combineHash(h, hashValue(x));
        return mix32(h);
      }
      // Objects: order of keys does not matter.
      let h = 0x61c88647;
      for (const [k, x] of Object.entries(v)) h = (h + mix32(hashString(k) ^ hashValue(x))) | 0;
      return mix32(h);
    }
    default:
      return hashString(String(v));
  }
}

/** Structural equality of JSON-like values: arrays by elements, objects by own entries. */
export function valuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b);
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!valuesEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (
      !Object.hasOwn(b, k) ||
      !valuesEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])
    )
      return false;
  }
  return true;
}

/** A string naming a value's identity, so that values can key a `Map` (used by set-like states). */
export function valueKey(v: unknown): string {
  if (typeof v === 'string') return `s${v}`;
  if (typeof v === 'number') return `n${v}`;
  return `j${stableJson(v)}`;
}

function stableJson(v: unknown): string {
  if (v === undefined) return 'null';
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v !== 'object' || v === null) return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  const keys = Object.keys(v).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
}

/** A short rendering of a value for descriptions: `nil` for null, JSON otherwise. */
export function show(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'bigint') return `${v}`;
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s;
}
