import { describe, expect, it } from 'vitest';
import { benchFigures } from '../../src/bench/microbench.js';
import { timeTask } from '../../src/bench/tinybench.js';

describe('tinybench tasks', () => {
  it('times a task at least `iterations` times and gives mean, percentiles and margin of error', async () => {
    let calls = 0;
    const figures = await timeTask(
      'sum',
      () => {
        calls++;
        let s = 0;
        for (let i = 0; i < 1000; i++) s += i;
        return s;
      },
      { iterations: 8 },
    );
    expect(figures.samples).toBeGreaterThanOrEqual(8);
    expect(calls).toBeGreaterThanOrEqual(9); // one warm-up run, not measured
    expect(figures.p50Ms).toBeLessThanOrEqual(figures.p99Ms);
    expect(Number.isFinite(figures.rmePercent)).toBe(true);
  });

  it('the series store keeps a task’s margin of error and sample count beside its times', () => {
    const found = benchFigures('linearizable', {
      c50Ok: { meanMs: 10, p50Ms: 9, rmePercent: 2.5, samples: 5, configurations: 7 },
    });
    expect(found).toEqual([
      {
        case: 'linearizable.c50Ok',
        metric: 'meanMs',
        value: 10,
        better: 'lower',
        notes: { rmePercent: 2.5, samples: 5 },
      },
      {
        case: 'linearizable.c50Ok',
        metric: 'p50Ms',
        value: 9,
        better: 'lower',
        notes: { rmePercent: 2.5, samples: 5 },
      },
    ]);
  });
});
