import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkCounter, counterChecker } from '../../checkers/counter.js';
import { History, type Op } from '../../src/history/index.js';
import { type Event, history } from './build.js';

const add = (p: number, delta: number, outcome: 'ok' | 'fail' | 'info' = 'ok'): Event[] => [
  [p, 'invoke', 'add', delta],
  [p, outcome, 'add', delta],
];
const read = (p: number, value: number): Event[] => [
  [p, 'invoke', 'read'],
  [p, 'ok', 'read', value],
];

describe('counter', () => {
  it('accepts reads that equal the sum of acknowledged adds', () => {
    const r = checkCounter(history([...add(0, 1), ...add(0, 2), ...read(1, 3)]));
    expect(r.valid).toBe(true);
    expect(r).toMatchObject({ readCount: 1, errorCount: 0, final: { lower: 3, upper: 3 } });
  });

  it('rejects a read below the acknowledged sum, and one above every attempted add', () => {
    const low = checkCounter(history([...add(0, 1), ...add(0, 2), ...read(1, 2)]));
    expect(low.valid).toBe(false);
    expect(low.errors).toEqual([{ read: 5, value: 2, lower: 3, upper: 3 }]);
    const high = checkCounter(history([...add(0, 1), ...read(1, 2)]));
    expect(high.errors).toEqual([{ read: 3, value: 2, lower: 1, upper: 1 }]);
    expect(high.worstError).toMatchObject({ off: 1 });
    expect(counterChecker.explain?.(high)).toContain(
      'read at op 3 returned 2, but the counter was within [1, 1]',
    );
  });

  it('lets a read concurrent with an add see it or not', () => {
    for (const seen of [0, 1]) {
      const events: Event[] = [[1, 'invoke', 'read'], ...add(0, 1), [1, 'ok', 'read', seen]];
      expect(checkCounter(history(events)).valid).toBe(true);
    }
    const events: Event[] = [[1, 'invoke', 'read'], ...add(0, 1), [1, 'ok', 'read', 2]];
    expect(checkCounter(history(events)).valid).toBe(false);
  });

  it('keeps an info add possible forever, and a failed add never', () => {
    expect(checkCounter(history([...add(0, 5, 'info'), ...read(1, 5), ...read(1, 0)])).valid).toBe(true);
    expect(checkCounter(history([...add(0, 5, 'info'), ...read(1, 6)])).valid).toBe(false);
    expect(checkCounter(history([...add(0, 5, 'fail'), ...read(1, 5)])).valid).toBe(false);
    expect(checkCounter(history([...add(0, 5, 'fail'), ...read(1, 0)])).valid).toBe(true);
  });

  it('handles negative deltas in flight and acknowledged', () => {
    expect(checkCounter(history([...add(0, -2), ...read(1, -2)])).valid).toBe(true);
    expect(checkCounter(history([...add(0, -2), ...read(1, 0)])).valid).toBe(false);
    const inFlight: Event[] = [[0, 'invoke', 'add', -2], ...read(1, -2), ...read(1, 0), [0, 'ok', 'add', -2]];
    expect(checkCounter(history(inFlight)).valid).toBe(true);
  });

  it('starts from the initial value', () => {
    expect(checkCounter(history([...add(0, 1), ...read(1, 11)]), { initial: 10 }).valid).toBe(true);
    expect(checkCounter(history([...add(0, 1), ...read(1, 1)]), { initial: 10 }).valid).toBe(false);
  });

  it('is unknown without reads, and rejects non-numeric reads with the op named', () => {
    expect(checkCounter(history(add(0, 1))).valid).toBe('unknown');
    expect(() => checkCounter(history([...add(0, 1), ...read(1, 'x' as never)]))).toThrow(/op 3/);
  });
});

describe('counter properties', () => {
  it('a correct counter never reads out of bounds', () => {
    const step = fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: -3, max: 5 }), fc.nat(99));
    fc.assert(
      fc.property(fc.array(step, { maxLength: 80 }), (script) => {
        let value = 0;
        const ops: Op[] = [];
        const open = new Map<
          number,
          { f: 'add' | 'read'; delta: number; applied: boolean; roll: number; seen: number }
        >();
        const crashed = new Set<number>();
        const emit = (process: number, type: Op['type'], f: string, v: unknown) =>
          ops.push({ index: 0, time: ops.length, type, process, f, value: v });
        for (const [p, delta, roll] of script) {
          if (crashed.has(p)) continue;
          const o = open.get(p);
          if (!o) {
            const f = roll % 3 === 0 ? 'read' : 'add';
            emit(p, 'invoke', f, f === 'add' ? delta : null);
            // Adds that will succeed may apply right away; reads may look right away.
            const early = roll % 2 === 0 && roll % 5 !== 0 && roll % 7 !== 0;
            if (f === 'add' && early) value += delta;
            open.set(p, {
              f,
              delta,
              applied: f === 'add' && early,
              roll,
              seen: value,
            });
            continue;
          }
          open.delete(p);
          if (o.f === 'read') {
            // The read takes effect at its invocation or now.
            emit(p, 'ok', 'read', roll % 2 === 0 ? o.seen : value);
            continue;
          }
          const type = o.roll % 5 === 0 ? 'info' : o.roll % 7 === 0 ? 'fail' : 'ok';
          if (type === 'ok' && !o.applied) value += o.delta;
          if (type === 'info' && roll % 2 === 0) value += o.delta;
          if (type === 'info') crashed.add(p);
          emit(p, type, 'add', o.delta);
        }
        const r = checkCounter(History.from(ops));
        expect(r.errors).toEqual([]);
      }),
    );
  });
});
