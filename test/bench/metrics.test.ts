import { describe, expect, it } from 'vitest';
import type { SeriesJudgement } from '../../src/bench/judge.js';
import { caseMetrics, measuredWindow } from '../../src/bench/metrics.js';
import { judgeSeries } from '../../src/bench/regression.js';
import { trendHtml } from '../../src/bench/trend.js';
import type { Op } from '../../src/history/op.js';

const S = 1e9;

/** Two processes each doing back-to-back ops of `latencyMs` for `seconds`, starting at 1 s. */
function steadyOps(seconds: number, latencyMs: number): Op[] {
  const ops: Op[] = [];
  for (const process of [0, 1]) {
    for (let t = 1 * S; t + latencyMs * 1e6 <= (1 + seconds) * S; t += latencyMs * 1e6) {
      ops.push({ index: 0, time: t, type: 'invoke', process, f: 'read', value: null });
      ops.push({ index: 0, time: t + latencyMs * 1e6 - 1, type: 'ok', process, f: 'read', value: 1 });
    }
  }
  return ops.sort((a, b) => a.time - b.time);
}

describe('bench metrics', () => {
  it('measures only the window after the warm-up', () => {
    const ops = steadyOps(10, 100);
    const { ops: window, from, to } = measuredWindow(ops, 2, 5);
    expect(from).toBe(3 * S);
    expect(to).toBe(8 * S);
    const invokes = window.filter((o) => o.type === 'invoke');
    expect(invokes).toHaveLength(2 * 50);
    expect(invokes.every((o) => o.time >= from && o.time < to)).toBe(true);
    expect(window.filter((o) => o.type === 'ok')).toHaveLength(100);
  });

  it('gives throughput, latency quantiles and availability', async () => {
    const ops = steadyOps(10, 100);
    const metrics = await caseMetrics(measuredWindow(ops, 2, 5).ops, 5);
    const by = new Map(metrics.map((m) => [m.name, m]));
    expect(by.get('throughput')!.value).toBeCloseTo(20, 0);
    expect(by.get('throughput')!.better).toBe('higher');
    expect(by.get('latency-p50')!.value).toBeGreaterThan(99);
    expect(by.get('latency-p50')!.value).toBeLessThan(101);
    expect(by.get('latency-p99')!.better).toBe('lower');
    expect(by.get('availability')!.value).toBe(1);
  });
});

describe('trend page', () => {
  it('is self-contained: uPlot inlined, no network addresses, change points and links embedded', () => {
    const values = [10, 10, 10.2, 9.9, 10, 10.1, 9.8, 10, 10.1, 9.9, 10, 10.2, 13, 13.2, 12.9, 13.1];
    const judgement: SeriesJudgement = {
      key: { plan: 'p', case: 'c', metric: 'latency-p99' },
      unit: 'ms',
      better: 'lower',
      points: values.map((value, i) => ({
        time: new Date(Date.UTC(2026, 0, 1 + i)).toISOString(),
        value,
        unit: 'ms',
        better: 'lower' as const,
        run: `t/run${i}`,
      })),
      verdict: judgeSeries(values, 'lower'),
    };
    const html = trendHtml([judgement], { file: '/r/trend/all.html', root: '/r' });
    expect(judgement.verdict.verdict).toBe('regressed');
    expect(html).toContain('uPlot');
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//);
    expect(html).toContain('"changes":[{"index":12');
    expect(html).toContain('../t/run3');
    expect(html).toContain('class="regressed"');
  });
});
