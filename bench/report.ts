/**
 * Report and results-browser figures: the size of report.html for a 1,000,000-op history
 * (or [ops]; 10,000,000 is the long-run case) and its load time in headless Chromium (goal:
 * ≤ 30 MB, ≤ 3 s; the median of three loads, with the page's phase marks), and the time
 * `serve` takes to list 1,000 runs (goal: ≤ 1 s), cold and warm.
 *
 *   npm run build && node dist/bench/report.js [ops]
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { mulberry32 } from '../src/generator/random.js';
import { History } from '../src/history/history.js';
import type { Op } from '../src/history/op.js';
import { buildReportData, renderReportHtml } from '../src/report/index.js';
import { runCheckers } from '../src/run/check.js';
import { startServer } from '../src/serve/index.js';

/** What the bench measured. */
export interface ReportFigures {
  ops: number;
  reportMiB: number;
  reportBuildMs: number;
  /** The median of three loads. */
  reportLoadMs: number;
  /** Of the median load: ms from navigation to each of the page's marks. */
  reportLoadPhases: LoadPhases;
  serveList1000ColdMs: number;
  serveList1000WarmMs: number;
}

/**
 * A register history of about `total` ops from 20 threads, with a partition for 10 s of
 * every 30 s: during it, ops are slower, a fifth fail and a twentieth time out (`info`, the
 * process crashes and its thread continues as a fresh process).
 */
export function syntheticHistory(total: number, seed = 1): Op[] {
  const random = mulberry32(seed);
  const threads = 20;
  const pairs = Math.floor(total / 2) - 40;
  const perThread = Math.ceil(pairs / threads);
  const events: Op[] = [];
  const partitioned = (t: number): boolean => t % 30 >= 10 && t % 30 < 20;
  let end = 0;
  for (let th = 0; th < threads; th++) {
    let t = random() * 0.01;
    let process = th;
    for (let k = 0; k < perThread && events.length < pairs * 2; k++) {
      const bad = partitioned(t);
      const latency = (bad ? 0.02 : 0.004) * -Math.log(1 - random()) + 0.0005;
      const r = random();
      const type = bad && r < 0.05 ? 'info' : bad && r < 0.25 ? 'fail' : 'ok';
      const f = random() < 0.5 ? 'read' : 'write';
      const value = f === 'write' ? Math.floor(random() * 5) : null;
      events.push({ index: 0, time: t * 1e9, type: 'invoke', process, f, value });
      const done = t + latency;
      events.push({
        index: 0,
        time: done * 1e9,
        type,
        process,
        f,
        value: f === 'read' && type === 'ok' ? 1 : value,
      });
      if (type === 'info') process += threads;
      t = done + 0.0001;
      end = Math.max(end, t);
    }
  }
  for (let s = 10; s + 10 < end; s += 30) {
    events.push({
      index: 0,
      time: s * 1e9,
      type: 'invoke',
      process: 'nemesis',
      f: 'start-partition',
      value: 'majorities-ring',
    });
    events.push({
      index: 0,
      time: (s + 0.05) * 1e9,
      type: 'info',
      process: 'nemesis',
      f: 'start-partition',
      value: 'majorities-ring',
    });
    events.push({
      index: 0,
      time: (s + 10) * 1e9,
      type: 'invoke',
      process: 'nemesis',
      f: 'stop-partition',
      value: null,
    });
    events.push({
      index: 0,
      time: (s + 10.05) * 1e9,
      type: 'info',
      process: 'nemesis',
      f: 'stop-partition',
      value: null,
    });
  }
  events.sort((a, b) => a.time - b.time);
  events.forEach((op, i) => {
    op.index = i;
    op.time = Math.round(op.time);
  });
  return events;
}

/** Where a load's time went: ms since navigation began at each of the page's marks. */
export type LoadPhases = Record<string, number>;

/** Median load time of `times` loads in a fresh headless Chromium, and the phases of the median load. */
async function loadMs(file: string, times = 3): Promise<{ ms: number; phases: LoadPhases }> {
  const profile = mkdtempSync(join(tmpdir(), 'faultline-bench-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    const loads: { ms: number; phases: LoadPhases }[] = [];
    for (let i = 0; i < times; i++) {
      const page = await context.newPage();
      await page.setViewportSize({ width: 1280, height: 900 });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      const started = performance.now();
      await page.goto(pathToFileURL(file).href);
      await page.waitForSelector('body[data-ready="1"]', { timeout: 60_000 });
      const ms = performance.now() - started;
      if (errors.length > 0) throw new Error(`the report failed in Chromium: ${errors.join('; ')}`);
      const phases = await page.evaluate(() => {
        const out: Record<string, number> = {};
        // Runs in the page (the entry types are the browser's, not Node's).
        for (const e of performance.getEntries()) {
          const kind = String(e.entryType);
          if (kind === 'navigation')
            out.responseEnd = Math.round((e as unknown as { responseEnd: number }).responseEnd);
          if (kind === 'mark') out[e.name.replace(/^faultline:/, '')] = Math.round(e.startTime);
        }
        return out;
      });
      loads.push({ ms, phases });
      await page.close();
    }
    loads.sort((a, b) => a.ms - b.ms);
    return loads[loads.length >> 1]!;
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

async function listMs(results: Record<string, unknown>): Promise<{ cold: number; warm: number }> {
  const root = mkdtempSync(join(tmpdir(), 'faultline-bench-serve-'));
  try {
    for (let i = 0; i < 1000; i++) {
      const dir = join(root, `test-${i % 10}`, `20261127T${String(100000 + i).padStart(6, '0')}.000Z`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'results.json'), JSON.stringify({ ...results, valid: i % 17 !== 0 }));
      writeFileSync(
        join(dir, 'test.json'),
        JSON.stringify({
          name: `test-${i % 10}`,
          startedAt: new Date(1_800_000_000_000 + i * 1000).toISOString(),
          durationS: 300,
        }),
      );
    }
    const server = await startServer(root, { port: 0 });
    try {
      const time = async (): Promise<number> => {
        const started = performance.now();
        const res = await fetch(server.url);
        const body = await res.text();
        if (!body.includes('1000 of 1000 runs')) throw new Error('the listing did not show 1,000 runs');
        return performance.now() - started;
      };
      const cold = await time();
      const warm = Math.min(await time(), await time(), await time());
      return { cold, warm };
    } finally {
      await server.close();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Builds, measures and loads the report of a `total`-op history; lists 1,000 runs. */
export async function run(options: { ops?: number } = {}): Promise<ReportFigures> {
  const total = options.ops ?? 1_000_000;
  const ops = syntheticHistory(total);
  const results = await runCheckers(History.from(ops.map((o) => ({ ...o }))), {});
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-report-'));
  try {
    const started = performance.now();
    const html = renderReportHtml(
      buildReportData(ops, results, {
        name: `bench-${total}`,
        seed: 1,
        nodes: ['n1', 'n2', 'n3', 'n4', 'n5'],
      }),
    );
    const file = join(dir, 'report.html');
    writeFileSync(file, html);
    const reportBuildMs = performance.now() - started;
    const reportMiB = statSync(file).size / 2 ** 20;
    const load = await loadMs(file);
    const reportLoadMs = load.ms;
    const { cold, warm } = await listMs(results);
    const figures: ReportFigures = {
      ops: ops.length,
      reportMiB: Math.round(reportMiB * 100) / 100,
      reportBuildMs: Math.round(reportBuildMs),
      reportLoadMs: Math.round(reportLoadMs),
      reportLoadPhases: load.phases,
      serveList1000ColdMs: Math.round(cold),
      serveList1000WarmMs: Math.round(warm),
    };
    console.log(
      `report of ${ops.length} ops: ${figures.reportMiB} MiB (goal ≤ 30 MB), built in ${figures.reportBuildMs} ms, ` +
        `loaded in Chromium in ${figures.reportLoadMs} ms (goal ≤ 3000); serve lists 1,000 runs in ` +
        `${figures.serveList1000ColdMs} ms cold, ${figures.serveList1000WarmMs} ms warm (goal ≤ 1000)`,
    );
    console.log(
      `  load phases (ms since navigation): ${Object.entries(load.phases)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run(process.argv[2] ? { ops: Number(process.argv[2]) } : {});
}
