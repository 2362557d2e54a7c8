/**
 * A long run's report samples its timeline: every op that is not a client ok is drawn, oks
 * evenly, and the page says so. Loaded in Chromium, as a person would open it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Op } from '../../src/history/op.js';
import { buildReportData, renderReportHtml, TYPE_CODES } from '../../src/report/index.js';
import { launch, watch } from './browser.js';

function column<T>(b64: string, Type: new (b: ArrayBuffer) => T): T {
  const buf = Buffer.from(b64, 'base64');
  return new Type(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
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
    const type = column(data.timeline.type, Uint8Array);
    const process = column(data.timeline.process, Int32Array);
    expect(type.filter((t) => t === TYPE_CODES.fail).length).toBe(400);
    expect(process.filter((p) => p === -1).length).toBe(1);
    expect(type.filter((t) => t === TYPE_CODES.ok).length).toBeGreaterThan(1000);
    // The scatter still sees the whole history.
    expect(data.scatter.okTotal).toBe(19_600);

    const dir = mkdtempSync(join(tmpdir(), 'faultline-sampled-'));
    const { browser, close } = await launch();
    try {
      const file = join(dir, 'report.html');
      writeFileSync(file, renderReportHtml(data));
      const page = await browser.newPage();
      const seen = watch(page);
      await page.goto(pathToFileURL(file).href);
      await page.waitForSelector('body[data-ready="1"]', { timeout: 30_000 });
      expect(seen.errors).toEqual([]);
      expect(await page.textContent('#op-detail')).toContain(`${data.timeline.rows} of 20001 operations`);
    } finally {
      await close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
