import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { comparePage, esc, listPage, RunIndex, summarise } from '../../src/serve/index.js';

const root = mkdtempSync(join(tmpdir(), 'faultline-runs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function run(test: string, ts: string, results: unknown, facts: unknown): string {
  const dir = join(root, test, ts);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'results.json'), JSON.stringify(results));
  writeFileSync(join(dir, 'test.json'), JSON.stringify(facts));
  return dir;
}

const perf = {
  valid: true,
  start: 0,
  end: 10,
  counts: { ok: 900, fail: 50, info: 50 },
  latency: {
    overall: { count: 1000, p50: 1, p90: 2, p99: 5, p999: 9, max: 10 },
    byState: { healthy: { count: 900, p50: 1, p90: 2, p99: 4, p999: 5, max: 6 } },
  },
  availability: { overall: 0.9 },
  longestOutage: { from: 1, to: 3, durationS: 2 },
  recoveries: [{ kind: 'partition', recoverS: 0.5 }],
};

describe('run index', () => {
  it('summarises verdict, anomalies and perf figures from results.json and test.json', () => {
    const s = summarise(
      'set/20261127T000000.000Z',
      {
        valid: false,
        stats: { invoke: 1000, durationS: 10 },
        results: {
          set: { valid: false, lostCount: 3 },
          elle: { valid: false, 'anomaly-types': ['G1c'] },
          perf,
        },
      },
      { name: 'set-etcd', startedAt: '2026-11-27T00:00:00.000Z', durationS: 12 },
    );
    expect(s).toMatchObject({ test: 'set-etcd', verdict: false, durationS: 12, ops: 1000 });
    expect(s.anomalies).toEqual(['set: 3 lost', 'elle: G1c']);
    expect(s.perf?.okPerSecond).toBe(90);
    expect(s.perf?.latency.p99).toBe(5);
  });

  it('lists newest first, once each (not through latest links), and re-reads only changed files', async () => {
    const a = run('t1', '20261127T010000.000Z', { valid: true }, { startedAt: '2026-11-27T01:00:00Z' });
    run('t2', '20261127T020000.000Z', { valid: 'unknown' }, { startedAt: '2026-11-27T02:00:00Z' });
    symlinkSync(a, join(root, 't1', 'latest'));
    const index = new RunIndex(root);
    expect((await index.list()).map((r) => r.id)).toEqual([
      't2/20261127T020000.000Z',
      't1/20261127T010000.000Z',
    ]);
    const first = await index.summary('t1/20261127T010000.000Z');
    expect(await index.summary('t1/20261127T010000.000Z')).toBe(first); // cached
    writeFileSync(join(a, 'results.json'), JSON.stringify({ valid: false }));
    utimesSync(join(a, 'results.json'), new Date(), new Date(Date.now() + 5000));
    expect((await index.summary('t1/20261127T010000.000Z'))?.verdict).toBe(false);
  });

  it('refuses ids that leave the results folder', async () => {
    const index = new RunIndex(root);
    for (const id of ['../x', 't1/..', '../../etc', 't1/20261127T010000.000Z/..', '/etc/passwd', 't1']) {
      expect(await index.dirOf(id), id).toBeUndefined();
    }
  });

  it('escapes run values in its pages', () => {
    expect(esc(`<img src=x onerror="a">'&`)).toBe('&lt;img src=x onerror=&quot;a&quot;&gt;&#39;&amp;');
    const evil = summarise('t/x', { valid: false, error: '<script>x()</script>' }, { name: '<b>n</b>' });
    const html = listPage([evil], { test: '"><script>' }, 1) + comparePage(evil, evil);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>n</b>');
    expect(html).toContain('&lt;b&gt;n&lt;/b&gt;');
  });
});
