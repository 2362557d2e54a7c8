import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { judgeStore } from '../../src/bench/judge.js';
import { benchFigures, figureDirection } from '../../src/bench/microbench.js';
import { SeriesStore } from '../../src/bench/series.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempRoot(): string {
  const d = mkdtempSync(join(tmpdir(), 'faultline-series-'));
  dirs.push(d);
  return d;
}

const key = { plan: 'p', case: 'etcd-ycsb-a-none-c10', metric: 'latency-p99' };

describe('SeriesStore', () => {
  it('appends, reads back in time order, lists keys and skips a torn line', () => {
    const store = new SeriesStore(tempRoot());
    store.append(key, { time: '2026-01-02T00:00:00Z', value: 2, unit: 'ms', better: 'lower' });
    store.append(key, { time: '2026-01-01T00:00:00Z', value: 1, unit: 'ms', better: 'lower' });
    appendFileSync(store.fileOf(key), '{"time":"2026-01-03T00:00:00Z","val');
    expect(store.read(key).map((p) => p.value)).toEqual([1, 2]);
    expect(store.keys()).toEqual([key]);
    expect(store.keys('other')).toEqual([]);
  });

  it('keeps every line whole under concurrent appends from several processes', async () => {
    const root = tempRoot();
    const store = new SeriesStore(root);
    const file = store.fileOf(key);
    store.append(key, { time: '2026-01-01T00:00:00Z', value: 0, unit: 'ms', better: 'lower' });
    // Each child appends as SeriesStore.append does: one appendFileSync of one JSON line per point.
    const script = `const fs=require('node:fs');const pad='x'.repeat(1500);
      for(let i=0;i<300;i++)fs.appendFileSync(process.argv[1],JSON.stringify({time:'2026-01-02T00:00:00Z',value:i,unit:'ms',better:'lower',notes:{pad}})+'\\n');`;
    await Promise.all(
      [1, 2, 3, 4].map(
        () =>
          new Promise<void>((resolve, reject) => {
            const child = spawn(process.execPath, ['-e', script, file], { stdio: 'inherit' });
            child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`exit ${code}`))));
          }),
      ),
    );
    expect(store.read(key)).toHaveLength(1 + 4 * 300);
  });

  it('judges stored series by their direction', () => {
    const store = new SeriesStore(tempRoot());
    const values = [...Array(12).fill(10), 13, 13.1, 12.9, 13];
    for (const [i, v] of values.entries()) {
      const time = new Date(Date.UTC(2026, 0, 1 + i)).toISOString();
      store.append(key, { time, value: v, unit: 'ms', better: 'lower' });
    }
    const [j] = judgeStore(store);
    expect(j!.verdict.verdict).toBe('regressed');
    expect(j!.verdict.changes.at(-1)!.index).toBe(12);
  });
});

describe('micro-benchmark figures', () => {
  it('knows which way a figure is better from its name, and skips settings and counts', () => {
    expect(figureDirection('opsPerSecond')).toBe('higher');
    expect(figureDirection('checkCpuMs')).toBe('lower');
    expect(figureDirection('peakRssMiB')).toBe('lower');
    expect(figureDirection('targetMs')).toBeUndefined();
    expect(figureDirection('ops')).toBeUndefined();
    expect(figureDirection('seconds')).toBeUndefined();
  });

  it('walks nested figures and names array entries by their case', () => {
    const figures = benchFigures('set-full', {
      cases: [{ case: 'small', checkMs: 5, adds: 10 }],
      register: { medianMs: 3, runs: 5 },
      opsPerSecond: 100,
    });
    expect(figures).toEqual([
      { case: 'set-full.cases.small', metric: 'checkMs', value: 5, better: 'lower' },
      { case: 'set-full.register', metric: 'medianMs', value: 3, better: 'lower' },
      { case: 'set-full', metric: 'opsPerSecond', value: 100, better: 'higher' },
    ]);
  });
});
