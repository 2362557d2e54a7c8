import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../checkers/result.js';
import type { Op } from '../../src/history/op.js';
import { decodeScatter, decodeTimeline } from '../../src/report/columns.js';
import { buildReportData, renderReportHtml, scriptJson, TYPE_CODES } from '../../src/report/index.js';
import { invalidRegisterOps, XSS } from './fixtures.js';

/** n client ops on 4 processes, every 10th a fail, every 100th an info (the process then moves on). */
function manyOps(n: number): Op[] {
  const ops: Op[] = [];
  const process = [0, 1, 2, 3];
  for (let i = 0; i < n; i++) {
    const t = i * 1e6;
    const lane = i % 4;
    const type = i % 100 === 99 ? 'info' : i % 10 === 9 ? 'fail' : 'ok';
    ops.push({ index: 0, time: t, type: 'invoke', process: process[lane]!, f: 'write', value: i });
    ops.push({ index: 0, time: t + 5e5, type, process: process[lane]!, f: 'write', value: i });
    if (type === 'info') process[lane]! += 4;
  }
  ops.forEach((op, i) => {
    op.index = i;
  });
  return ops;
}

describe('report data', () => {
  it('escapes every < in embedded JSON, so no value can end the script block', () => {
    const text = scriptJson({ v: `</script>${XSS}<!--`, s: '\u2028' });
    expect(text).not.toContain('<');
    expect(text).not.toContain('\u2028');
    expect(JSON.parse(text)).toEqual({ v: `</script>${XSS}<!--`, s: '\u2028' });
  });

  it('puts history values in the page only inside the escaped JSON block', () => {
    const html = renderReportHtml(buildReportData(invalidRegisterOps(), null, { name: XSS }));
    expect(html).not.toContain(XSS);
    expect(html.match(/<script/g)).toHaveLength(3);
    // Nothing fetched from elsewhere: no external src or href, and a policy that forbids it.
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(html).toContain("default-src 'none'");
  });

  it('encodes one row per operation in compact columns', () => {
    const ops = invalidRegisterOps();
    const d = buildReportData(ops, null, {});
    const t = d.timeline;
    expect(t.rows).toBe(8); // 6 client ops + 2 nemesis ops
    const { start, end, process, type, f, inv, cmp } = decodeTimeline(t);
    expect(Array.from(inv)).toEqual([0, 2, 4, 6, 8, 10, 12, 14]);
    expect(Array.from(cmp)).toEqual([1, 3, 5, 7, 9, 11, 13, 15]);
    expect(start[3]).toBeCloseTo(0.1, 9);
    expect(end[3]).toBeCloseTo(0.12, 9);
    expect(process[2]).toBe(-1);
    expect(type[5]).toBe(TYPE_CODES.info);
    expect(t.fs[f[2]!]).toBe('start-partition');
    expect(d.allValues).toBe(true);
    expect(d.values[3]![0]).toContain(XSS);
    expect(d.perf?.faults).toHaveLength(1);
  });

  it('tolerates a torn history: an open invocation and a stray completion', () => {
    const ops = invalidRegisterOps().slice(0, 9);
    ops.push({ index: 9, time: 2e8, type: 'ok', process: 7, f: 'read', value: 1 });
    const d = buildReportData(ops, null, {});
    const last = decodeTimeline(d.timeline);
    expect(last.type.at(-1)).toBe(TYPE_CODES.open);
    expect(last.end.at(-1)).toBeNaN();
    expect(last.cmp.at(-1)).toBe(-1);
  });

  it('downsamples the scatter: every fail and info kept, oks sampled evenly', () => {
    const d = buildReportData(manyOps(20_000), null, {}, { scatterPoints: 4000, allValuesUpTo: 100 });
    const s = d.scatter;
    const points = decodeScatter(s);
    const fails = points.type.filter((x) => x === TYPE_CODES.fail).length;
    const infos = points.type.filter((x) => x === TYPE_CODES.info).length;
    expect(fails).toBe(1800);
    expect(infos).toBe(200);
    expect(s.points).toBeLessThanOrEqual(4000);
    expect(s.okTotal).toBe(18_000);
    expect(s.okKept).toBeGreaterThan(1900);
    // Kept oks span the whole run; latencies in ms, times in s.
    const okTimes = Array.from(points.time).filter((_, i) => points.type[i] === TYPE_CODES.ok);
    expect(Math.max(...okTimes)).toBeGreaterThan(19);
    expect(points.latency[0]).toBeCloseTo(0.5, 9);
  });

  it('keeps values of big histories only for ops the results point at', () => {
    const results = {
      valid: false,
      results: { x: { valid: false, ops: [10, 11], lostAdds: [{ add: 501 }] } },
    };
    const d = buildReportData(manyOps(2000), results as CheckResult, {}, { allValuesUpTo: 100 });
    expect(d.allValues).toBe(false);
    expect(
      Object.keys(d.values)
        .map(Number)
        .sort((a, b) => a - b),
    ).toEqual([5, 250]);
  });
});
