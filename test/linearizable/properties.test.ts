import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkLinearizableSync, modelNamed } from '../../checkers/linearizable/index.js';
import type { Op } from '../../src/history/index.js';
import { bruteForce } from './brute-force.js';
import { type Event, history } from './helpers.js';
import { plantImpossibleRead, prng, simulate } from './simulate.js';

const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 });

describe('soundness on simulated linearizable objects', () => {
  it('a simulated cas-register with crashes and failures checks valid', () => {
    fc.assert(
      fc.property(
        seed,
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 60 }),
        (s, clients, ops) => {
          const h = simulate({ kind: 'register', seed: s, clients, ops });
          expect(checkLinearizableSync(h, 'cas-register').valid).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a simulated kv store checks valid, split by key or not', () => {
    fc.assert(
      fc.property(
        seed,
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 50 }),
        (s, clients, ops) => {
          const h = simulate({ kind: 'kv', seed: s, clients, ops, keys: 3 });
          expect(checkLinearizableSync(h, 'kv').valid).toBe(true);
          expect(checkLinearizableSync(h, 'kv', { split: false }).valid).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('planting one impossible read makes them invalid', () => {
    fc.assert(
      fc.property(
        seed,
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 60 }),
        fc.nat(),
        (s, clients, ops, pick) => {
          for (const kind of ['register', 'kv'] as const) {
            const planted = plantImpossibleRead(simulate({ kind, seed: s, clients, ops }), pick);
            if (!planted) continue;
            const result = checkLinearizableSync(planted, kind === 'register' ? 'cas-register' : 'kv');
            expect(result.valid).toBe(false);
            const failure = result.failures[0]!;
            expect(failure.linearizations.length).toBeGreaterThan(0);
            expect(failure.op).toBeDefined();
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

/** Any small history of a cas-register: random interleaving, random results and outcomes. */
function randomHistory(s: number, size: number): Event[] {
  const rand = prng(s);
  const events: Event[] = [];
  const open = new Map<number, Event>();
  let nextProcess = 0;
  let invoked = 0;
  while (invoked < size || open.size > 0) {
    if (invoked < size && (open.size === 0 || rand(2) === 0)) {
      const p = nextProcess++;
      const f = ['read', 'write', 'cas'][rand(3)]!;
      const value = f === 'read' ? null : f === 'write' ? rand(3) : [rand(3), rand(3)];
      const e: Event = [p, 'invoke', f, value];
      events.push(e);
      open.set(p, e);
      invoked++;
    } else {
      const [p, e] = [...open][rand(open.size)]!;
      open.delete(p);
      const r = rand(10);
      if (r === 0) continue; // never completes
      const type: Op['type'] = r === 1 ? 'info' : r === 2 ? 'fail' : 'ok';
      const value = e[2] === 'read' && type === 'ok' ? [null, 0, 1, 2][rand(4)] : e[3];
      events.push([p, type, e[2], value]);
    }
  }
  return events;
}

describe('completeness: small histories agree with a brute-force enumeration', () => {
  it('cas-register, any history of up to 7 ops', () => {
    const model = modelNamed('cas-register');
    let invalid = 0;
    fc.assert(
      fc.property(seed, fc.integer({ min: 1, max: 7 }), (s, size) => {
        const h = history(randomHistory(s, size));
        const expected = bruteForce(h, model);
        if (!expected) invalid++;
        expect(checkLinearizableSync(h, model).valid).toBe(expected);
      }),
      { numRuns: 1500 },
    );
    // The generator must produce both verdicts for the comparison to mean something.
    expect(invalid).toBeGreaterThan(100);
  });

  it('small simulated kv histories, planted or not', () => {
    const model = modelNamed('kv');
    fc.assert(
      fc.property(
        seed,
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 7 }),
        fc.nat(),
        (s, clients, ops, pick) => {
          const h = simulate({ kind: 'kv', seed: s, clients, ops, keys: 2 });
          const planted = plantImpossibleRead(h, pick) ?? h;
          for (const x of [h, planted]) {
            expect(checkLinearizableSync(x, model, { split: false }).valid).toBe(bruteForce(x, model));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
