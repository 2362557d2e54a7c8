import { describe, expect, it } from 'vitest';
import { bestSplit, eDivisive } from '../../src/bench/changepoint.js';
import { judgeSeries } from '../../src/bench/regression.js';
import { mannWhitney, seededUniform } from '../../src/bench/stats.js';

/** Gaussian noise (Box-Muller) from a seeded source. */
function noisy(
  seed: number,
  levels: readonly (readonly [count: number, level: number])[],
  noise = 0.05,
): number[] {
  const u = seededUniform(seed);
  const out: number[] = [];
  for (const [count, level] of levels) {
    for (let i = 0; i < count; i++) {
      const z = Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
      out.push(level * (1 + noise * z));
    }
  }
  return out;
}

describe('E-divisive change points', () => {
  it('finds a clean step exactly', () => {
    const xs = [...Array(10).fill(1), ...Array(10).fill(2)];
    expect(bestSplit(xs, 3)?.index).toBe(10);
    expect(eDivisive(xs).map((s) => s.index)).toEqual([10]);
  });

  it('finds a 10% step in 5% noise at the right point (±1), over many seeds', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const xs = noisy(seed, [
        [25, 1000],
        [15, 1100],
      ]);
      const v = judgeSeries(xs, 'higher', { recent: 20 });
      expect(v.changes, `seed ${seed}`).toHaveLength(1);
      expect(Math.abs(v.changes[0]!.index - 25), `seed ${seed}`).toBeLessThanOrEqual(1);
      expect(v.verdict).toBe('improved');
    }
  });

  it('finds two steps', () => {
    const xs = noisy(7, [
      [15, 100],
      [15, 80],
      [15, 100],
    ]);
    const v = judgeSeries(xs, 'lower', { recent: 20 });
    expect(v.changes.map((c) => c.index)).toEqual([15, 30]);
    expect(v.changes.map((c) => c.direction)).toEqual(['better', 'worse']);
  });
});

describe('judgeSeries', () => {
  it('raises no alarm across 50 stable series with 5% noise', () => {
    const alarms: string[] = [];
    for (let seed = 100; seed < 150; seed++) {
      const v = judgeSeries(noisy(seed, [[40, 500]]), seed % 2 ? 'higher' : 'lower');
      if (v.verdict !== 'unchanged' || v.changes.length > 0) alarms.push(`seed ${seed}: ${v.reason}`);
    }
    expect(alarms).toEqual([]);
  });

  it('calls higher latency a regression and higher throughput an improvement', () => {
    const up = noisy(3, [
      [20, 10],
      [5, 12],
    ]);
    const latency = judgeSeries(up, 'lower');
    expect(latency.verdict).toBe('regressed');
    expect(latency.changes.at(-1)!.index).toBe(20);
    expect(latency.changes.at(-1)!.relativeChange).toBeGreaterThan(0.1);
    expect(latency.reason).toMatch(/worse/);
    expect(judgeSeries(up, 'higher').verdict).toBe('improved');
    const down = up.map((x) => 100 - x * 5);
    expect(judgeSeries(down, 'higher').verdict).toBe('regressed');
  });

  it('judges a series too short to split as unchanged, with the reason', () => {
    const v = judgeSeries([1, 1, 1, 2, 2], 'lower');
    expect(v.verdict).toBe('unchanged');
    expect(v.reason).toMatch(/too short: 5 points/);
  });

  it('leaves an old change out of the verdict but keeps it as evidence', () => {
    const xs = noisy(9, [
      [10, 100],
      [20, 150],
    ]);
    const v = judgeSeries(xs, 'lower', { recent: 5 });
    expect(v.verdict).toBe('unchanged');
    expect(v.changes.map((c) => c.index)).toEqual([10]);
    expect(v.reason).toMatch(/older than the last 5 points/);
  });

  it('ignores a significant change smaller than the effect threshold', () => {
    const xs = noisy(
      11,
      [
        [30, 1000],
        [30, 1020],
      ],
      0.002,
    );
    expect(eDivisive(xs).length).toBeGreaterThan(0);
    expect(judgeSeries(xs, 'higher', { minEffect: 0.05, recent: 40 }).changes).toEqual([]);
  });
});

describe('Mann-Whitney U', () => {
  it('separates disjoint samples and not identical ones', () => {
    const a = [1, 2, 3, 4, 5, 6, 7, 8];
    const b = a.map((x) => x + 10);
    const r = mannWhitney(a, b);
    expect(r.delta).toBe(1);
    expect(r.p).toBeLessThan(0.01);
    expect(mannWhitney(a, a).p).toBeGreaterThan(0.9);
    expect(mannWhitney(b, a).delta).toBe(-1);
  });
});
