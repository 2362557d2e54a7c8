import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executePlan } from '../../src/run/execute.js';
import { validatePlan } from '../../src/run/plan.js';
import { type RunningServer, startServer } from '../../src/serve/index.js';
import { artifactPath, launch, watch } from '../report/browser.js';

const root = mkdtempSync(join(tmpdir(), 'faultline-serve-'));
let browser: BrowserContext;
let close: () => Promise<void>;
let server: RunningServer;
const dirs: string[] = [];

beforeAll(async () => {
  const quiet = { progress: false, out: () => undefined, resultsDir: root } as const;
  // Two real runs of the noop workload: a valid register and a set that loses adds.
  const valid = await executePlan(
    validatePlan({ workload: 'noop', name: 'noop-register', timeLimit: 0.5, quiet: 0, rate: 500, seed: 1 }),
    quiet,
  );
  const lossy = await executePlan(
    validatePlan({
      workload: 'noop',
      name: 'noop-lossy-set',
      timeLimit: 0.5,
      quiet: 0,
      rate: 500,
      seed: 2,
      workloadOptions: { mode: 'set', loseEvery: 7 },
    }),
    quiet,
  );
  dirs.push(valid.dir, lossy.dir);
  server = await startServer(root, { port: 0 });
  ({ browser, close } = await launch());
});
afterAll(async () => {
  await close?.();
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('faultline serve', () => {
  it('every run wrote its report.html', () => {
    for (const d of dirs) expect(existsSync(join(d, 'report.html'))).toBe(true);
  });

  it('binds to 127.0.0.1 and lists runs as JSON, newest first, with verdicts and anomalies', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const runs = (await (await fetch(`${server.url}api/runs`)).json()) as {
      test: string;
      verdict: unknown;
      anomalies: string[];
      ops: number;
    }[];
    expect(runs.map((r) => r.test)).toEqual(['noop-lossy-set', 'noop-register']);
    expect(runs[0]).toMatchObject({ verdict: false });
    expect(runs[0]!.anomalies.join()).toMatch(/set: \d+ lost/);
    expect(runs[1]).toMatchObject({ verdict: true, anomalies: [] });
    expect(runs[1]!.ops).toBeGreaterThan(50);
    const filtered = await (await fetch(`${server.url}api/runs?verdict=invalid`)).json();
    expect(filtered).toHaveLength(1);
  });

  it('refuses paths outside the results folder', async () => {
    for (const p of ['run/..%2F..%2Fetc/passwd/report.html', 'run/x/../../etc/passwd', 'zip/..%2F../x']) {
      const res = await fetch(`${server.url}${p}`);
      expect(res.status, p).toBe(404);
    }
  });

  it('zips a run folder', async () => {
    const runs = (await (await fetch(`${server.url}api/runs`)).json()) as { id: string }[];
    const res = await fetch(`${server.url}zip/${runs[1]!.id}`);
    expect(res.headers.get('content-type')).toBe('application/zip');
    const files = unzipSync(new Uint8Array(await res.arrayBuffer()));
    const names = Object.keys(files).map((n) => n.split('/').slice(1).join('/'));
    for (const f of ['history.jsonl', 'results.json', 'test.json', 'report.html']) expect(names).toContain(f);
  });

  it('lists, filters, opens and compares runs in Chromium', async () => {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 1280, height: 700 });
    const seen = watch(page);
    await page.goto(server.url);
    const rows = page.locator('#runs tbody tr');
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(0).getAttribute('class')).toBe('invalid');
    expect(await rows.nth(1).getAttribute('class')).toBe('valid');
    await page.screenshot({ path: artifactPath('serve-list.png') });
    // Filter by test name.
    await page.fill('input[name=test]', 'register');
    await page.click('form.filters button');
    expect(await page.locator('#runs tbody tr').count()).toBe(1);
    await page.goto(server.url);
    // Compare the two.
    await page.locator('#runs input[type=checkbox]').nth(0).check();
    await page.locator('#runs input[type=checkbox]').nth(1).check();
    await page.click('text=compare the two selected runs');
    expect(await page.textContent('#compare')).toContain('ok per second');
    expect(await page.textContent('#compare')).toContain('latency p99');
    await page.screenshot({ path: artifactPath('serve-compare.png'), fullPage: true });
    // Open a report.
    await page.goto(server.url);
    await page.click('#runs tbody tr:nth-child(1) a >> nth=0');
    await page.waitForSelector('body[data-ready="1"]');
    expect(await page.textContent('#top')).toContain('INVALID');
    expect(await page.textContent('#checkers')).toContain('Lost elements');
    expect(seen.errors).toEqual([]);
    expect(seen.requests.every((u) => u.startsWith(server.url))).toBe(true);
    await page.close();
  });
});
