import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAppendChecker } from '../../checkers/elle/index.js';
import { lockChecker } from '../../checkers/lock.js';
import { type CheckResult, composeResults } from '../../checkers/result.js';
import type { Nemesis } from '../../nemeses/types.js';
import { cycle, gen, rate, sleep } from '../../src/generator/index.js';
import { opToJsonl } from '../../src/history/codecs/index.js';
import { History } from '../../src/history/history.js';
import { writeReport } from '../../src/report/index.js';
import { runCheckers } from '../../src/run/check.js';
import { runTest } from '../../src/run/runner.js';
import { RUN_FILES, RunStore } from '../../src/run/store.js';
import { bindClients } from '../../workloads/bind.js';
import { noop } from '../../workloads/noop.js';
import type { WorkloadContext } from '../../workloads/types.js';
import { history as lockHistory } from '../checkers/build.js';
import { build as txnHistory } from '../elle/build.js';
import { artifactPath, inkedPixels, launch, watch } from '../report/browser.js';
import { invalidRegisterOps, writeRunFolder, XSS } from '../report/fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'faultline-report-'));
let browser: BrowserContext;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ browser, close } = await launch());
});
afterAll(async () => {
  await close?.();
  rmSync(root, { recursive: true, force: true });
});

/** A nemesis that breaks nothing but records partition ops, as the combined nemesis would. */
const fakePartition: Nemesis = {
  name: 'fake-partition',
  fs: ['start-partition', 'stop-partition'],
  setup: async () => undefined,
  invoke: async (_ctx, op) => ({ value: op.f === 'start-partition' ? 'majorities-ring' : 'healed' }),
  heal: async () => undefined,
  teardown: async () => undefined,
};

/** A real run of the in-process noop workload under the runner, stored and checked like `faultline test`. */
async function realRun(): Promise<string> {
  const ctx: WorkloadContext = {
    options: { latencyMs: 1 },
    dbOptions: {},
    concurrency: 4,
    nodes: [],
    endpoint: (n) => n,
  };
  const store = RunStore.create(root, 'noop-report');
  const history = store.openHistory();
  const outcome = await runTest({
    concurrency: 4,
    nodes: [],
    seed: 7,
    timeLimitS: 1.5,
    opTimeoutMs: 500,
    quietS: 0,
    finalTimeLimitS: 1,
    newClient: bindClients(noop, undefined, ctx),
    generator: rate(800, noop.generator(ctx)),
    finalGenerator: noop.final!(ctx),
    nemeses: [fakePartition],
    nemesisGenerator: cycle(
      gen([
        sleep(0.3),
        { f: 'start-partition', value: 'majorities-ring' },
        sleep(0.4),
        { f: 'stop-partition', value: null },
      ]),
    ),
    history,
    log: (line) => store.log(line),
  });
  history.close();
  const result = await runCheckers(History.from(outcome.ops.map((o) => ({ ...o }))), {
    linearizable: { model: 'register' },
  });
  store.writeJson(RUN_FILES.results, result);
  store.writeJson(RUN_FILES.test, {
    name: 'noop-report',
    workload: 'noop',
    seed: 7,
    nodes: [],
    versions: {},
    durationS: outcome.durationNs / 1e9,
    plan: { concurrency: 4 },
  });
  await writeReport(store.dir);
  return store.dir;
}

async function open(file: string) {
  const page = await browser.newPage();
  await page.setViewportSize({ width: 1280, height: 900 });
  const seen = watch(page);
  const url = pathToFileURL(file).href;
  const started = Date.now();
  await page.goto(url);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 10_000 }).catch((err) => {
    throw new Error(`the report did not finish drawing: ${seen.errors.join('; ') || (err as Error).message}`);
  });
  return { page, seen, url, loadMs: Date.now() - started };
}

describe('report.html in Chromium', () => {
  it('draws a real run: verdict, plots with fault windows, timeline; offline, no errors', async () => {
    const dir = await realRun();
    const file = join(dir, 'report.html');
    expect(statSync(file).size).toBeGreaterThan(50_000);
    const { page, seen, url } = await open(file);
    expect(seen.errors).toEqual([]);
    expect(seen.requests.filter((r) => r !== url)).toEqual([]);
    expect(await page.textContent('#top')).toContain('valid');
    expect(await page.textContent('#checkers')).toContain('linearizable');
    // Four uPlot plots, each with ink; the timeline canvas too.
    const plots = await page.locator('.uplot canvas').count();
    expect(plots).toBe(4);
    for (let i = 0; i < plots; i++) expect(await inkedPixels(page, '.uplot canvas', i)).toBeGreaterThan(500);
    expect(await inkedPixels(page, '.tl-wrap canvas')).toBeGreaterThan(2000);
    // The fault windows are listed, and shaded: a pixel of the fault colour in the latency plot.
    expect(await page.textContent('#perf')).toContain('partition');
    const perf = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')).results.perf;
    expect(perf.faults.length).toBeGreaterThan(0);
    // Zooming the timeline with the wheel redraws it.
    const before = await page.locator('.tl-wrap canvas').screenshot();
    await page.locator('.tl-wrap canvas').hover({ position: { x: 400, y: 60 } });
    await page.mouse.wheel(0, -800);
    const after = await page.locator('.tl-wrap canvas').screenshot();
    expect(after.equals(before)).toBe(false);
    await page.screenshot({ path: artifactPath('report-real-run.png'), fullPage: true });
    await page.close();
  });

  it('explains a failing linearizability check and keeps an op value as text', async () => {
    const dir = join(root, 'hand', 'run');
    await writeRunFolder(dir, invalidRegisterOps(), {
      name: 'hand-built <b>register</b>',
      seed: 42,
      nodes: ['n1', 'n2'],
      durationS: 0.36,
    });
    const { page, seen, url } = await open(await writeReport(dir));
    expect(seen.errors).toEqual([]);
    expect(seen.requests.filter((r) => r !== url)).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
    expect(await page.locator('script').count()).toBe(3); // data, uPlot, report: nothing injected
    expect(await page.textContent('#top')).toContain('INVALID');
    expect(await page.textContent('h1')).toBe('hand-built <b>register</b>');
    const checkers = (await page.textContent('#checkers')) ?? '';
    expect(checkers).toContain('cannot be linearized');
    expect(checkers).toContain(XSS);
    // The Porcupine-like view: a bar per op around the failure, the failing one marked.
    expect(await page.locator('.porcupine svg rect').count()).toBeGreaterThanOrEqual(3);
    expect(await page.locator('.porcupine svg rect[stroke="#dc2626"]').count()).toBe(1);
    // An op link selects the op in the timeline and shows its value, as text.
    await page.locator('#checkers ol.steps li.bad a.op').click();
    const detail = (await page.textContent('#op-detail')) ?? '';
    expect(detail).toMatch(/^op \d+/);
    await page.locator('#checkers a.op', { hasText: 'op 6' }).first().click();
    expect(await page.textContent('#op-detail')).toContain(XSS);
    expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
    await page.screenshot({ path: artifactPath('report-invalid.png'), fullPage: true });
    await page.close();
  });

  it('shows an Elle cycle edge by edge, and overlapping lock holders, with op links', async () => {
    const elle = txnHistory({
      t1: {
        mops: [
          ['append', 'x', 1],
          ['r', 'y', [1]],
        ],
      },
      t2: {
        mops: [
          ['append', 'y', 1],
          ['r', 'x', [1]],
        ],
      },
    });
    const lock = lockHistory([
      [1, 'invoke', 'acquire', null, { node: 'n1' }],
      [1, 'ok', 'acquire', null, { node: 'n1' }],
      [2, 'invoke', 'acquire', null, { node: 'n2' }],
      [2, 'ok', 'acquire', null, { node: 'n2' }],
      [1, 'invoke', 'release'],
      [1, 'ok', 'release'],
      [2, 'invoke', 'release'],
      [2, 'ok', 'release'],
    ]);
    const cases: { name: string; history: History; result: Record<string, CheckResult>; text: string }[] = [
      {
        name: 'elle',
        history: elle,
        result: { 'list-append': await listAppendChecker.check(elle) },
        text: 'G1c',
      },
      {
        name: 'lock',
        history: lock,
        result: { lock: await lockChecker.check(lock) },
        text: 'Overlapping holders',
      },
    ];
    for (const c of cases) {
      const dir = join(root, c.name, 'run');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'history.jsonl'), `${c.history.ops.map(opToJsonl).join('\n')}\n`);
      writeFileSync(join(dir, 'results.json'), JSON.stringify(composeResults(c.result)));
      const { page, seen, url } = await open(await writeReport(dir));
      expect(seen.errors).toEqual([]);
      expect(seen.requests.filter((r) => r !== url)).toEqual([]);
      expect(await page.textContent('#top')).toContain('INVALID');
      const text = (await page.textContent('#checkers')) ?? '';
      expect(text).toContain(c.text);
      if (c.name === 'elle') {
        expect(await page.locator('#checkers table tr').count()).toBeGreaterThanOrEqual(3); // head + 2 edges
        expect(text).toContain('→wr');
      }
      await page.locator('#checkers a.op').first().click();
      expect(await page.textContent('#op-detail')).toMatch(/^op \d+/);
      await page.screenshot({ path: artifactPath(`report-${c.name}.png`), fullPage: true });
      await page.close();
    }
  });
});
