import {
  combineHash,
  type DeterministicModel,
  hashString,
  hashValue,
  mix32,
  type NondeterministicModel,
  show,
  valueKey,
  valuesEqual,
} from '../model.js';
import { badOp, keyOf } from './common.js';

/** Pending elements in order. Immutable. */
export class FifoState {
  readonly items: readonly unknown[];
  readonly hash: number;

  constructor(items: readonly unknown[]) {
    this.items = items;
    let h = 0x2545f491 + items.length;
    for (const x of items) h = combineHash(h, hashValue(x));
    this.hash = mix32(h);
  }

  static readonly EMPTY = new FifoState([]);
}

/**
 * A FIFO queue (Knossos' `fifo-queue`): `enqueue v` appends `v`; an `ok` `dequeue` returns
 * the head, and cannot happen on an empty queue (Jepsen clients report an empty queue as a
 * `fail`, which never happened). A dequeue whose outcome is unknown removed the head or never
 * happened; Knossos would instead match the invocation's value (`nil`) and so only allow
 * "never", which is too strict when the crashed dequeue did take an element. Split by `key`.
 */
export function fifoQueue(): DeterministicModel<FifoState> {
  return {
    name: 'fifo-queue',
    init: () => FifoState.EMPTY,
    equal(a, b) {
      if (a === b) return true;
      if (a.items.length !== b.items.length) return false;
      for (let i = 0; i < a.items.length; i++) if (!valuesEqual(a.items[i], b.items[i])) return false;
      return true;
    },
    hash: (s) => s.hash,
    partition: keyOf,
    step(state, op) {
      if (op.f === 'enqueue') return new FifoState([...state.items, op.input]);
      if (op.f === 'dequeue') {
        if (state.items.length === 0) return undefined;
        if (op.known && !valuesEqual(op.output, state.items[0])) return undefined;
        return new FifoState(state.items.slice(1));
      }
      throw badOp('fifo-queue', op, `unknown f ${JSON.stringify(op.f)}; expected enqueue, dequeue`, 'f');
    },
    describeOp: describeQueueOp,
    describeState: (s) => `[${s.items.map(show).join(' ')}]`,
  };
}

/** A multiset of pending elements, keyed by {@link valueKey}. Immutable. */
export class BagState {
  /** Count and one representative value per element. */
  readonly counts: ReadonlyMap<string, { value: unknown; count: number }>;
  readonly hash: number;

  constructor(counts: ReadonlyMap<string, { value: unknown; count: number }>, hash: number) {
    this.counts = counts;
    this.hash = hash;
  }

  static readonly EMPTY = new BagState(new Map(), 0);

  add(value: unknown): BagState {
    const k = valueKey(value);
    const counts = new Map(this.counts);
    counts.set(k, { value, count: (this.counts.get(k)?.count ?? 0) + 1 });
    return new BagState(counts, (this.hash + elementHash(k)) | 0);
  }

  /** Without one `k`; `undefined` when there is none. */
  remove(k: string): BagState | undefined {
    const entry = this.counts.get(k);
    if (entry === undefined) return undefined;
    const counts = new Map(this.counts);
    if (entry.count === 1) counts.delete(k);
    else counts.set(k, { value: entry.value, count: entry.count - 1 });
    return new BagState(counts, (this.hash - elementHash(k)) | 0);
  }
}

function elementHash(k: string): number {
  return mix32(hashString(k) ^ 0x7f4a7c15);
}

/**
 * A queue that does not order its elements (Knossos' `unordered-queue`): `enqueue v` adds `v`;
 * an `ok` `dequeue` returns some pending element. A dequeue whose outcome is unknown removed
 * any one pending element, or never happened (so this model is nondeterministic); Knossos
 * would only allow "never". Split by `key`.
 */
export function unorderedQueue(): NondeterministicModel<BagState> {
  return {
    name: 'unordered-queue',
    nondeterministic: true,
    init: () => BagState.EMPTY,
    equal(a, b) {
      if (a === b) return true;
      if (a.counts.size !== b.counts.size) return false;
      for (const [k, e] of a.counts) if (b.counts.get(k)?.count !== e.count) return false;
      return true;
    },
    hash: (s) => s.hash,
    partition: keyOf,
    step(state, op) {
      if (op.f === 'enqueue') return [state.add(op.input)];
      if (op.f === 'dequeue') {
        if (op.known) {
          const next = state.remove(valueKey(op.output));
          return next ? [next] : [];
        }
        return [...state.counts.keys()].map((k) => state.remove(k)!);
      }
      throw badOp('unordered-queue', op, `unknown f ${JSON.stringify(op.f)}; expected enqueue, dequeue`, 'f');
    },
    describeOp: describeQueueOp,
    describeState: (s) =>
      `{${[...s.counts.values()].map((e) => (e.count === 1 ? show(e.value) : `${show(e.value)}×${e.count}`)).join(' ')}}`,
  };
}

function describeQueueOp(op: { f: string; input: unknown; output: unknown; known: boolean }): string {
  if (op.f === 'dequeue') return `dequeue() -> ${op.known ? show(op.output) : '?'}`;
  return `${op.f}(${show(op.input)})${op.known ? '' : ' -> ?'}`;
}
