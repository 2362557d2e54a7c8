/**
 * Small random histories of each model's operations: random interleavings, random results
 * (over few values, so that they are sometimes right) and random outcomes, some ops never
 * completing. Both verdicts come out often.
 */
import type { Op } from '../../src/history/index.js';
import type { Event } from './helpers.js';
import { prng } from './simulate.js';
import type { SpecName } from './specs.js';

export type Rand = (n: number) => number;

/** One op a client may invoke: its f, argument, key, and a random result should it complete ok. */
export interface Draw {
  f: string;
  input: unknown;
  key?: unknown;
  output(rand: Rand): unknown;
}

const fixed = (input: unknown) => () => input;
const someKey = (rand: Rand): unknown => (rand(4) === 0 ? 'k' : undefined);

/** Random ops per model, over few values, so that random results are sometimes right. */
export const DRAWS: Record<SpecName, (rand: Rand) => Draw> = {
  mutex: (rand) => ({
    f: rand(2) ? 'acquire' : 'release',
    input: null,
    key: someKey(rand),
    output: fixed(null),
  }),
  set: (rand) =>
    rand(2)
      ? { f: 'add', input: rand(3), key: someKey(rand), output: fixed(null) }
      : {
          f: 'read',
          input: null,
          key: someKey(rand),
          // Any subset of {0, 1, 2}, sometimes with an element twice.
          output: (r) => [0, 1, 2].filter(() => r(2) === 0).flatMap((x) => (r(6) === 0 ? [x, x] : [x])),
        },
  'fifo-queue': queueDraw,
  'unordered-queue': queueDraw,
  'multi-register': (rand) => {
    const mops = Array.from({ length: 1 + rand(2) }, () =>
      rand(2) ? ['w', ['x', 'y'][rand(2)], rand(3)] : ['r', ['x', 'y'][rand(2)], null],
    );
    return {
      f: 'txn',
      input: mops,
      output: (r) => mops.map(([f, k, v]) => (f === 'r' ? [f, k, [null, 0, 1, 2][r(4)]] : [f, k, v])),
    };
  },
};

function queueDraw(rand: Rand): Draw {
  return rand(2)
    ? { f: 'enqueue', input: rand(3), key: someKey(rand), output: fixed(null) }
    : { f: 'dequeue', input: null, key: someKey(rand), output: (r) => r(3) };
}

/** A small history: random interleaving, random results and outcomes (some never complete). */
export function randomHistory(draw: (rand: Rand) => Draw, seed: number, size: number): Event[] {
  const rand = prng(seed);
  const events: Event[] = [];
  const open = new Map<number, Draw>();
  let nextProcess = 0;
  let invoked = 0;
  while (invoked < size || open.size > 0) {
    if (invoked < size && (open.size === 0 || rand(2) === 0)) {
      const p = nextProcess++;
      const d = draw(rand);
      events.push([p, 'invoke', d.f, d.input, d.key]);
      open.set(p, d);
      invoked++;
    } else {
      const [p, d] = [...open][rand(open.size)]!;
      open.delete(p);
      const r = rand(10);
      if (r === 0) continue; // never completes
      const type: Op['type'] = r === 1 ? 'info' : r === 2 ? 'fail' : 'ok';
      events.push([p, type, d.f, type === 'ok' ? d.output(rand) : d.input, d.key]);
    }
  }
  return events;
}
