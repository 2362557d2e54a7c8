/**
 * A long run's report samples its timeline: every op that is not a client ok is drawn, oks
 * evenly, and the page says so. Loaded in Chromium, as a person would open it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../checkers/result.js';
import type { Op } from '../../src/history/op.js';
import { decodeTimeline } from '../../src/report/columns.js';
import { buildReportData, renderReportHtml, TYPE_CODES } from '../../src/report/index.js';
import { launch, watch } from './browser.js';

/** Loads a report in Chromium and returns the timeline's note (#op-detail). */
async function timelineNote(html: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-sampled-'));
  const { browser, close } = await launch();
  try {
    const file = join(dir, 'report.html');
    writeFileSync(file, html);
    const page = await browser.newPage();
    const seen = watch(page);
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('body[data-ready="1"]', { timeout: 60_000 });
    expect(seen.errors).toEqual([]);
    return (await page.textContent('#op-detail')) ?? '';
  } finally {
    await close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * About `total` ops of a long run: 8 client processes of oks, with a fail every 9,973rd op,
 * an info every 30,011th (its process crashes and the thread goes on as a new one), a
 * partition started and healed by the nemesis every 50,000 ops, and one invocation that never
 * completes at the end.
 */
function longRun(total: number): Op[] {
  const out: Op[] = [];
  const process = [0, 1, 2, 3, 4, 5, 6, 7];
  let t = 0;
  for (let i = 0; out.length < total - 1; i++) {
    const lane = i % 8;
    const type = i % 30_011 === 30_010 ? 'info' : i % 9973 === 9972 ? 'fail' : 'ok';
    out.push({ index: 0, time: t, type: 'invoke', process: process[lane]!, f: 'read', value: null });
    out.push({ index: 0, time: t + 3e5, type, process: process[lane]!, f: 'read', value: 1 });
    if (type === 'info') process[lane]! += 8;
    t += 1e5;
    if (i % 25_000 === 12_345) {
      const f = (i / 25_000) % 2 < 1 ? 'start-partition' : 'stop-partition';
      out.push({ index: 0, time: t, type: 'invoke', process: 'nemesis', f, value: 'majorities-ring' });
      out.push({ index: 0, time: t + 1e4, type: 'info', process: 'nemesis', f, value: 'majorities-ring' });
    }
  }
  out.push({ index: 0, time: t, type: 'invoke', process: 3, f: 'write', value: 7 });
  out.forEach((op, i) => {
    op.index = i;
  });
  return out;
}

/** n client writes on 4 processes, every 50th a fail, and one nemesis op. */
function ops(n: number): Op[] {
  const out: Op[] = [];
  for (let i = 0; i < n; i++) {
    const type = i % 50 === 49 ? 'fail' : 'ok';
    out.push({ index: 0, time: i * 1e6, type: 'invoke', process: i % 4, f: 'write', value: i });
    out.push({ index: 0, time: i * 1e6 + 5e5, type, process: i % 4, f: 'write', value: i });
  }
  out.push({
    index: 0,
    time: n * 1e6,
    type: 'invoke',
    process: 'nemesis',
    f: 'start-partition',
    value: null,
  });
  out.push({
    index: 0,
    time: n * 1e6 + 1,
    type: 'info',
    process: 'nemesis',
    f: 'start-partition',
    value: null,
  });
  out.forEach((op, i) => {
    op.index = i;
  });
  return out;
}

describe('sampled timeline', () => {
  it('keeps every row when they fit (no totalRows)', () => {
    const data = buildReportData(ops(1000), null, {}, { timelineRows: 5000 });
    expect(data.timeline.rows).toBe(1001);
    expect(data.timeline.totalRows).toBeUndefined();
  });

  it('keeps every fail and nemesis op, samples oks, and still loads', async () => {
    const data = buildReportData(ops(20_000), null, { name: 'sampled' }, { timelineRows: 2000 });
    expect(data.timeline.totalRows).toBe(20_001);
    expect(data.timeline.rows).toBeLessThanOrEqual(2001);
    const { type, process } = decodeTimeline(data.timeline);
    expect(type.filter((t) => t === TYPE_CODES.fail).length).toBe(400);
    expect(process.filter((p) => p === -1).length).toBe(1);
    expect(type.filter((t) => t === TYPE_CODES.ok).length).toBeGreaterThan(1000);
    // The scatter still sees the whole history.
    expect(data.scatter.okTotal).toBe(19_600);
    expect(await timelineNote(renderReportHtml(data))).toContain(`${data.timeline.rows} of 20001 operations`);
  });

  it('keeps every fail, info, open, nemesis and cited op of a 600,000-op history, and says it is a sample', async () => {
    const history = longRun(600_000);
    const cited = [1001, 250_000, 499_999];
    const results = { valid: false, results: { x: { valid: false, ops: cited } } };
    const data = buildReportData(history, results as CheckResult, { name: 'long run' });
    const tl = data.timeline;
    const pairs = (history.length - 1) / 2;
    expect(tl.totalRows).toBe(pairs + 1);
    // The default budget: oks thinned to about 200,000 rows in all.
    expect(tl.rows).toBeLessThanOrEqual(200_001);
    expect(tl.rows).toBeGreaterThan(150_000);

    const { inv, cmp, type, process, start, end } = decodeTimeline(tl);
    const drawn = new Set<number>();
    for (let r = 0; r < tl.rows; r++) {
      drawn.add(inv[r]!);
      if (cmp[r]! >= 0) drawn.add(cmp[r]!);
    }
    const evidence = history.filter(
      (op) =>
        op.process === 'nemesis' || op.type === 'fail' || op.type === 'info' || cited.includes(op.index),
    );
    expect(evidence.filter((op) => op.type === 'fail').length).toBeGreaterThan(20);
    expect(evidence.filter((op) => op.type === 'info' && op.process !== 'nemesis').length).toBeGreaterThan(5);
    expect(evidence.filter((op) => op.process === 'nemesis').length).toBeGreaterThan(20);
    for (const op of evidence) expect(drawn.has(op.index), `op ${op.index} (${op.type})`).toBe(true);
    // The open invocation at the end, and times kept to the microsecond.
    const last = tl.rows - 1;
    expect([type[last], process[last], inv[last], cmp[last]]).toEqual([
      TYPE_CODES.open,
      3,
      history.length - 1,
      -1,
    ]);
    expect(end[last]).toBeNaN();
    const row = Array.from(inv).indexOf(cited[0]! - 1);
    expect(row).toBeGreaterThanOrEqual(0);
    expect(start[row]).toBeCloseTo(history[cited[0]! - 1]!.time / 1e9, 6);
    expect(end[row]! - start[row]!).toBeCloseTo(3e-4, 6);
    // The cited ops keep their values.
    expect(Object.keys(data.values).length).toBeGreaterThanOrEqual(cited.length);

    const note = await timelineNote(renderReportHtml(data));
    expect(note).toContain(`${tl.rows} of ${pairs + 1} operations (a sample`);
  });
});
