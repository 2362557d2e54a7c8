import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBench } from '../../src/bench/bench.js';
import { judgeStore } from '../../src/bench/judge.js';
import { parseBenchPlan } from '../../src/bench/plan.js';
import { SeriesStore } from '../../src/bench/series.js';
import { writeTrendPage } from '../../src/bench/trend.js';
import { executePlan } from '../../src/run/execute.js';

const root = mkdtempSync(join(tmpdir(), 'faultline-bench-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('runBench (in-process noop workload, no cluster)', () => {
  it('runs each case and repetition, stores figures with their run, and feeds the trend page', async () => {
    const plan = parseBenchPlan(
      `name: inproc
dbs: [none]
workloads: [noop]
concurrency: [3]
rate: 200
warmup: 0.5
duration: 1
repetitions: 2
quiet: 0
`,
      'inproc.yaml',
    );
    const outcome = await runBench(plan, {
      resultsDir: root,
      out: () => undefined,
      execute: (p) => executePlan(p, { progress: false, out: () => undefined }),
    });
    expect(outcome.runs).toHaveLength(2);
    for (const run of outcome.runs) {
      expect(run.error).toBeUndefined();
      const throughput = run.metrics.find((m) => m.name === 'throughput')!;
      // 200 ops/s requested over all processes; the in-process client keeps up.
      expect(throughput.value).toBeGreaterThan(120);
      expect(throughput.value).toBeLessThan(260);
      const bench = JSON.parse(readFileSync(join(run.dir, 'bench.json'), 'utf8')) as { case: string };
      expect(bench.case).toBe(run.case.id);
    }
    const store = new SeriesStore(root);
    const points = store.read({ plan: 'inproc', case: 'none-noop-none-c3', metric: 'throughput' });
    expect(points).toHaveLength(2);
    expect(points[0]!.run).toMatch(/^bench-inproc-none-noop-none-c3\//);
    expect(points[0]!.better).toBe('higher');
    const judgements = judgeStore(store, { plan: 'inproc' });
    expect(judgements.length).toBeGreaterThanOrEqual(5); // throughput, 4 latencies, availability, outage
    expect(judgements.every((j) => j.verdict.verdict === 'unchanged')).toBe(true);
    const file = writeTrendPage(judgements, { file: join(root, 'trend', 'inproc.html'), root });
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, 'utf8')).toContain('../bench-inproc-none-noop-none-c3/');
  }, 60_000);
});
