/**
 * Sequential specifications of the objects the linearizability models describe, written
 * again from Knossos' definitions with plain arrays and records, sharing no code with
 * checkers/linearizable/models: the brute-force oracle checks the models' semantics, not only
 * the search. A spec gives every state an op may lead to (none: the op cannot happen there).
 * An op whose outcome is unknown (`known` false) may also never happen; the oracle handles that.
 */
import type { ModelOp } from '../../checkers/linearizable/index.js';

export interface Spec<State> {
  readonly name: string;
  init(): State;
  step(state: State, op: ModelOp): State[];
}

/** Structural equality of op values, by their JSON text (the generators use small JSON values). */
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** One copy of `spec` per `key` field (ops without one share a copy): Knossos' independent objects. */
function perKey<S>(spec: Spec<S>): Spec<Record<string, S>> {
  return {
    name: spec.name,
    init: () => ({}),
    step(states, op) {
      const k = JSON.stringify(op.key ?? null);
      return spec.step(k in states ? states[k]! : spec.init(), op).map((s) => ({ ...states, [k]: s }));
    },
  };
}

/** A lock: acquire when free, release when held. */
const mutex: Spec<boolean> = {
  name: 'mutex',
  init: () => false,
  step(held, op) {
    if (op.f === 'acquire') return held ? [] : [true];
    if (op.f === 'release') return held ? [false] : [];
    throw new Error(`mutex: ${op.f}`);
  },
};

/** A set: a read returns exactly the elements added so far, in any order. */
const set: Spec<unknown[]> = {
  name: 'set',
  init: () => [],
  step(elements, op) {
    if (op.f === 'add')
      return elements.some((e) => same(e, op.input)) ? [elements] : [[...elements, op.input]];
    if (op.f === 'read') {
      if (!op.known) return [elements];
      const read = op.output as unknown[];
      const all = read.every((r) => elements.some((e) => same(e, r)));
      const exact = elements.every((e) => read.some((r) => same(e, r)));
      return all && exact ? [elements] : [];
    }
    throw new Error(`set: ${op.f}`);
  },
};

/** A FIFO queue: a dequeue takes the head; none from an empty queue. */
const fifoQueue: Spec<unknown[]> = {
  name: 'fifo-queue',
  init: () => [],
  step(items, op) {
    if (op.f === 'enqueue') return [[...items, op.input]];
    if (op.f === 'dequeue') {
      if (items.length === 0) return [];
      if (op.known && !same(op.output, items[0])) return [];
      return [items.slice(1)];
    }
    throw new Error(`fifo-queue: ${op.f}`);
  },
};

/** A queue without order: a dequeue takes any pending element (the one it returned, if known). */
const unorderedQueue: Spec<unknown[]> = {
  name: 'unordered-queue',
  init: () => [],
  step(items, op) {
    if (op.f === 'enqueue') return [[...items, op.input]];
    if (op.f === 'dequeue') {
      const next: unknown[][] = [];
      items.forEach((item, i) => {
        if (op.known && !same(item, op.output)) return;
        next.push([...items.slice(0, i), ...items.slice(i + 1)]);
      });
      return next;
    }
    throw new Error(`unordered-queue: ${op.f}`);
  },
};

/**
 * Registers by key, read and written by transactions of `[r k v]` and `[w k v]`; every key
 * starts nil, and a read of nil was not observed (always legal). A transaction of unknown
 * outcome is its invocation, whose reads are nil.
 */
const multiRegister: Spec<Record<string, unknown>> = {
  name: 'multi-register',
  init: () => ({}),
  step(registers, op) {
    if (op.f !== 'txn') throw new Error(`multi-register: ${op.f}`);
    const txn = (op.known ? op.output : op.input) as [string, unknown, unknown][];
    const next = { ...registers };
    for (const [f, k, v] of txn) {
      const key = JSON.stringify(k);
      if (f === 'w') next[key] = v;
      else if (v !== null && !same(next[key] ?? null, v)) return [];
    }
    return [next];
  },
};

/** The specs by model name. */
export const SPECS = {
  mutex: perKey(mutex),
  set: perKey(set),
  'fifo-queue': perKey(fifoQueue),
  'unordered-queue': perKey(unorderedQueue),
  'multi-register': multiRegister,
} as const;

export type SpecName = keyof typeof SPECS;
