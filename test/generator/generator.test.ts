import { describe, expect, it } from 'vitest';
import {
  any,
  clients,
  clientsAndNemesis,
  cycle,
  delay,
  eachThread,
  type GenLike,
  independentKeys,
  limit,
  map,
  mix,
  nemesis,
  once,
  phases,
  rate,
  repeat,
  seededRandom,
  simulate,
  sleep,
  stagger,
  timeLimit,
  untilOk,
} from '../../src/generator/index.js';
import type { Op } from '../../src/history/op.js';

const MS = 1_000_000;
const S = 1_000_000_000;

function run(
  g: GenLike,
  seed = 1,
  concurrency = 3,
  extra: Partial<Parameters<typeof simulate>[1]> = {},
): Op[] {
  return simulate(g, { concurrency, seed, ...extra });
}
const invokes = (h: Op[]): Op[] => h.filter((o) => o.type === 'invoke');

describe('seededRandom', () => {
  it('repeats under the same seed and differs under another', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const c = seededRandom(8);
    const xs = Array.from({ length: 100 }, () => a());
    expect(Array.from({ length: 100 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 100 }, () => c())).not.toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});

describe('basic generators', () => {
  it('a single op is emitted once; an array is each in turn', () => {
    const h = run([{ f: 'a', value: 1 }, { f: 'b', value: 2 }, [{ f: 'c', value: 3 }]]);
    expect(invokes(h).map((o) => o.f)).toEqual(['a', 'b', 'c']);
  });

  it('a function is called until it returns undefined', () => {
    let n = 0;
    const h = run(() => (n < 5 ? { f: 'w', value: n++ } : undefined));
    expect(invokes(h).map((o) => o.value)).toEqual([0, 1, 2, 3, 4]);
  });

  it('every invocation is completed and processes never overlap', () => {
    const h = run(limit(100, repeat({ f: 'r', value: null })), 3, 4);
    expect(invokes(h)).toHaveLength(100);
    expect(h).toHaveLength(200);
    const open = new Set<unknown>();
    for (const op of h) {
      if (op.type === 'invoke') {
        expect(open.has(op.process)).toBe(false);
        open.add(op.process);
      } else open.delete(op.process);
    }
  });
});

describe('determinism', () => {
  const schedule = (): GenLike =>
    timeLimit(
      5,
      clientsAndNemesis(
        stagger(0.01, mix([repeat({ f: 'read', value: null }), () => ({ f: 'write', value: 1 })])),
        cycle([sleep(1), { f: 'start', value: null }, sleep(1), { f: 'stop', value: null }]),
      ),
    );
  const latency = (_: unknown, r: () => number): number => Math.floor(r() * 20 * MS);

  it('same seed, same schedule', () => {
    const a = run(schedule(), 42, 5, { latency });
    const b = run(schedule(), 42, 5, { latency });
    expect(a.length).toBeGreaterThan(100);
    expect(
      invokes(a)
        .filter((o) => o.f === 'start')
        .map((o) => o.time),
    ).toEqual([S, 3 * S]);
    expect(b).toEqual(a);
  });

  it('another seed, another schedule', () => {
    const a = run(schedule(), 42, 5, { latency });
    const c = run(schedule(), 43, 5, { latency });
    expect(c).not.toEqual(a);
  });
});

describe('combinators', () => {
  it('mix draws from every generator', () => {
    const h = invokes(run(limit(300, mix([repeat({ f: 'a', value: 0 }), repeat({ f: 'b', value: 0 })]))));
    const a = h.filter((o) => o.f === 'a').length;
    expect(a).toBeGreaterThan(100);
    expect(a).toBeLessThan(200);
  });

  it('mix ends when all its generators end', () => {
    const h = invokes(run(mix([[{ f: 'a', value: 0 }], limit(3, repeat({ f: 'b', value: 0 }))])));
    expect(h.map((o) => o.f).sort()).toEqual(['a', 'b', 'b', 'b']);
  });

  it('limit and once', () => {
    expect(invokes(run(limit(7, repeat({ f: 'x', value: 0 }))))).toHaveLength(7);
    expect(invokes(run(once(repeat({ f: 'x', value: 0 }))))).toHaveLength(1);
  });

  it('timeLimit stops issuing ops after its time', () => {
    const h = invokes(run(timeLimit(2, delay(0.1, repeat({ f: 'x', value: 0 })))));
    expect(h.length).toBeGreaterThanOrEqual(19);
    expect(h.length).toBeLessThanOrEqual(21);
    expect(Math.max(...h.map((o) => o.time))).toBeLessThan(2 * S);
  });

  it('delay spaces ops exactly', () => {
    const h = invokes(run(limit(5, delay(0.5, repeat({ f: 'x', value: 0 })))));
    expect(h.map((o) => o.time)).toEqual([0, 0.5 * S, 1 * S, 1.5 * S, 2 * S]);
  });

  it('stagger and rate give the asked rate on average, with random gaps', () => {
    const h = invokes(run(timeLimit(100, rate(10, repeat({ f: 'x', value: 0 }))), 5, 10));
    expect(h.length).toBeGreaterThan(850);
    expect(h.length).toBeLessThan(1150);
    const gaps = new Set(h.slice(1).map((o, i) => o.time - h[i]!.time));
    expect(gaps.size).toBeGreaterThan(100);
  });

  it('sleep in a sequence waits', () => {
    const h = invokes(run([{ f: 'a', value: 0 }, sleep(3), { f: 'b', value: 0 }]));
    expect(h[1]!.time - h[0]!.time).toBeGreaterThanOrEqual(3 * S);
  });

  it('phases wait for every op of the previous phase to complete', () => {
    const h = run(phases(limit(3, repeat({ f: 'a', value: 0 })), { f: 'b', value: 0 }), 1, 3, {
      latency: (op) => (op.value === 0 ? 10 * MS : MS),
    });
    const bAt = h.findIndex((o) => o.f === 'b');
    const lastA = h.map((o) => o.f).lastIndexOf('a');
    expect(bAt).toBeGreaterThan(lastA);
    // Without phases, b would go out before a's complete.
    const plain = run([limit(3, repeat({ f: 'a', value: 0 })), { f: 'b', value: 0 }], 1, 4);
    expect(plain.findIndex((o) => o.f === 'b')).toBeLessThan(plain.map((o) => o.f).lastIndexOf('a'));
  });

  it('cycle restarts its generator, a given number of times', () => {
    const h = invokes(
      run(
        cycle(
          [
            { f: 'a', value: 0 },
            { f: 'b', value: 0 },
          ],
          3,
        ),
      ),
    );
    expect(h.map((o) => o.f)).toEqual(['a', 'b', 'a', 'b', 'a', 'b']);
    expect(invokes(run(limit(10, cycle([sleep(1)]))))).toHaveLength(0);
  });

  it('untilOk stops after the first ok', () => {
    let n = 0;
    const h = run(clients(untilOk(repeat({ f: 'try', value: 0 }))), 1, 1, {
      outcome: () => (++n < 4 ? 'fail' : 'ok'),
    });
    expect(invokes(h)).toHaveLength(4);
    expect(h.at(-1)!.type).toBe('ok');
  });

  it('eachThread gives every thread its own copy', () => {
    const h = invokes(
      run(
        clients(
          eachThread([
            { f: 'a', value: 0 },
            { f: 'b', value: 0 },
          ]),
        ),
        1,
        3,
      ),
    );
    expect(h).toHaveLength(6);
    for (const p of [0, 1, 2]) expect(h.filter((o) => o.process === p).map((o) => o.f)).toEqual(['a', 'b']);
  });

  it('clients and nemesis route to their threads', () => {
    const h = invokes(
      run(any(clients(limit(10, repeat({ f: 'r', value: 0 }))), nemesis([{ f: 'kill', value: 0 }])), 1, 2),
    );
    expect(h.filter((o) => o.f === 'kill').map((o) => o.process)).toEqual(['nemesis']);
    expect(h.filter((o) => o.f === 'r').every((o) => typeof o.process === 'number')).toBe(true);
  });

  it('a crashed process continues under a fresh id (process + concurrency)', () => {
    let n = 0;
    const h = run(limit(6, repeat({ f: 'w', value: 0 })), 1, 2, {
      outcome: () => (n++ === 1 ? 'info' : 'ok'),
    });
    const crashed = h.find((o) => o.type === 'info')!.process as number;
    expect(invokes(h).some((o) => o.process === crashed + 2)).toBe(true);
    const after = h.slice(h.findIndex((o) => o.type === 'info') + 1);
    expect(after.some((o) => o.type === 'invoke' && o.process === crashed)).toBe(false);
  });

  it('map transforms ops', () => {
    const h = invokes(run(map((op) => ({ ...op, key: 7 }), limit(2, repeat({ f: 'r', value: 0 })))));
    expect(h.map((o) => o.key)).toEqual([7, 7]);
  });
});

describe('independentKeys', () => {
  it('gives each group of threads its own key, then the next unused one', () => {
    const h = run(
      clients(
        independentKeys({ threadsPerKey: 2, keys: ['a', 'b', 'c'], opsPerKey: 4 }, () =>
          repeat({ f: 'r', value: 0 }),
        ),
      ),
      1,
      4,
    );
    const inv = invokes(h);
    expect(inv).toHaveLength(12);
    for (const k of ['a', 'b', 'c']) expect(inv.filter((o) => o.key === k)).toHaveLength(4);
    // A key is worked on by one group only: processes {0,1} or {2,3}.
    for (const k of ['a', 'b', 'c']) {
      const procs = new Set(inv.filter((o) => o.key === k).map((o) => (o.process as number) >> 1));
      expect(procs.size).toBe(1);
    }
  });

  it('ends a key when its generator ends, and keys default to 0, 1, 2, ...', () => {
    const h = invokes(
      run(
        clients(
          limit(
            9,
            independentKeys({ threadsPerKey: 1 }, () => [
              { f: 'w', value: 1 },
              { f: 'r', value: null },
            ]),
          ),
        ),
        1,
        2,
      ),
    );
    expect(h).toHaveLength(9);
    expect(new Set(h.map((o) => o.key))).toEqual(new Set([0, 1, 2, 3, 4]));
    for (const k of [0, 1, 2, 3]) expect(h.filter((o) => o.key === k).map((o) => o.f)).toEqual(['w', 'r']);
  });
});
