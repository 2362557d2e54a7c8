/**
 * A report built from a run's history file, streamed in bounded memory, holds exactly the
 * data the in-memory builder gives from the same ops — and the data the builder gave before
 * it could stream (legacy-data.ts).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../checkers/result.js';
import { writeHistoryFile } from '../../src/history/codecs/index.js';
import type { Op, OpType, Process } from '../../src/history/op.js';
import { ReportBuilder } from '../../src/report/data.js';
import {
  buildReportData,
  buildRunReportData,
  type ReportData,
  type ReportLimits,
  readRunOps,
} from '../../src/report/index.js';
import { invalidRegisterOps, writeRunFolder } from './fixtures.js';
import { legacyBuildReportData } from './legacy-data.js';

const root = mkdtempSync(join(tmpdir(), 'faultline-report-stream-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let folders = 0;

/** A run folder holding `ops` as history.jsonl (or history.edn), and results.json when given. */
async function runFolder(
  ops: Op[],
  results: CheckResult | null,
  historyFile: 'history.jsonl' | 'history.edn' = 'history.jsonl',
): Promise<string> {
  const dir = join(root, `run-${folders++}`);
  mkdirSync(dir);
  await writeHistoryFile(join(dir, historyFile), ops);
  if (results) writeFileSync(join(dir, 'results.json'), JSON.stringify(results));
  writeFileSync(join(dir, 'test.json'), JSON.stringify({ name: 'stream' }));
  return dir;
}

/** The data without the moment it was generated. */
function timeless(data: ReportData): Omit<ReportData, 'generatedAt'> {
  const { generatedAt: _, ...rest } = data;
  return rest;
}

/** Builds the report of `dir` streamed, and checks it against both in-memory builders. */
async function expectSameData(
  dir: string,
  results: CheckResult | null,
  limits: ReportLimits = {},
): Promise<ReportData> {
  const streamed = await buildRunReportData(dir, limits);
  const ops = await readRunOps(dir);
  const facts = { name: 'stream' };
  expect(timeless(streamed)).toStrictEqual(timeless(buildReportData(ops, results, facts, limits)));
  expect(timeless(streamed)).toStrictEqual(timeless(legacyBuildReportData(ops, results, facts, limits)));
  return streamed;
}

type Event = [time: number, process: Process, type: OpType, f: string, value?: unknown, error?: string];

function opsOf(events: Event[]): Op[] {
  return events.map(([time, process, type, f, value, error], index) => ({
    index,
    time,
    type,
    process,
    f,
    value: value ?? null,
    ...(error === undefined ? {} : { error }),
    ...(typeof process === 'number' ? { node: `n${(process % 3) + 1}` } : {}),
  }));
}

/**
 * About `total` ops on 8 lanes: a fail every 97th op, an info every 1,009th (the process
 * crashes and its lane continues as a new one), a partition started or healed every 5,000,
 * and one invocation per lane that never completes at the end.
 */
function longRun(total: number): Op[] {
  const events: Event[] = [];
  const process = [0, 1, 2, 3, 4, 5, 6, 7];
  let t = 0;
  for (let i = 0; events.length < total - 8; i++) {
    const lane = i % 8;
    const type = i % 1009 === 1008 ? 'info' : i % 97 === 96 ? 'fail' : 'ok';
    const f = i % 3 === 0 ? 'write' : 'read';
    events.push([t, process[lane]!, 'invoke', f, i]);
    events.push([
      t + 3e5 + (i % 7) * 1e4,
      process[lane]!,
      type,
      f,
      i,
      type === 'fail' ? 'timeout' : undefined,
    ]);
    if (type === 'info') process[lane]! += 8;
    t += 1e5;
    if (i % 5000 === 1234) {
      const nemesisF = (i / 5000) % 2 < 1 ? 'start-partition' : 'stop-partition';
      events.push([t, 'nemesis', 'invoke', nemesisF, 'majorities-ring']);
      events.push([t + 1e4, 'nemesis', 'info', nemesisF, 'majorities-ring']);
    }
  }
  for (let lane = 0; lane < 8; lane++) events.push([t + lane, process[lane]!, 'invoke', 'write', -1]);
  return opsOf(events);
}

/** Results citing ops by index under the keys the report follows. */
function citing(...indices: number[]): CheckResult {
  return {
    valid: false,
    results: {
      linearizable: { valid: false, op: indices[0], ops: indices.slice(1, 3) },
      set: { valid: false, anomalies: indices.slice(3).map((index) => ({ index })) },
    },
  } as CheckResult;
}

describe('report data streamed from a run folder', () => {
  it('matches on a small history with its checkers’ results (stored perf figures)', async () => {
    const dir = join(root, 'register');
    await writeRunFolder(dir, invalidRegisterOps(), { name: 'stream' });
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as CheckResult;
    const data = await expectSameData(dir, results);
    expect(data.allValues).toBe(true);
    expect(data.timeline.rows).toBe(8);
  });

  it('matches on fails, infos, never-completed, unmatched and nemesis ops, perf figures computed', async () => {
    const ops = opsOf([
      [0, 0, 'invoke', 'write', 1],
      [5e5, 'nemesis', 'invoke', 'start-partition', 'halves'],
      [1e6, 0, 'fail', 'write', 1, 'conflict'],
      [1.5e6, 'nemesis', 'info', 'start-partition', 'halves'],
      [2e6, 1, 'invoke', 'read'],
      [2.5e6, 5, 'ok', 'read', 3], // no invocation: dropped
      [3e6, 1, 'info', 'read', null, 'timeout'],
      [3.5e6, 'nemesis', 'info', 'kill', 'n2'], // a nemesis completion alone is its own row
      [4e6, 2, 'invoke', 'cas', [1, 2]],
      [4.5e6, 'nemesis', 'invoke', 'stop-partition'],
      [5e6, 'nemesis', 'info', 'stop-partition'],
      [6e6, 3, 'invoke', 'read'],
      [7e6, 3, 'ok', 'read', { key: 'k', value: [1, 2, 3] }],
    ]);
    const dir = await runFolder(ops, null);
    const data = await expectSameData(dir, null);
    expect(data.warnings).toHaveLength(1); // the unmatched completion breaks the perf checker's rules
    expect(data.timeline.rows).toBe(7);
  });

  it('matches on a well-formed history without results (perf figures computed from the rows)', async () => {
    const dir = await runFolder(longRun(20_000), null);
    const data = await expectSameData(dir, null, { allValuesUpTo: 500 });
    expect(data.warnings).toEqual([]);
    expect(data.perf?.faults.length).toBeGreaterThan(0);
  });

  it('matches on cited ops of a history whose values are not all kept', async () => {
    const results = citing(17, 40, 41, 99, 1001, 1500);
    const dir = await runFolder(longRun(2000), results);
    const data = await expectSameData(dir, results, { allValuesUpTo: 100 });
    expect(data.allValues).toBe(false);
    expect(Object.keys(data.values).length).toBeGreaterThanOrEqual(5);
  });

  it('matches on a history.edn', async () => {
    const results = citing(3, 8);
    const dir = await runFolder(longRun(3000), results, 'history.edn');
    await expectSameData(dir, results, { allValuesUpTo: 200, timelineRows: 1000 });
  });

  it('matches above the row budget, in one pass over the file', async () => {
    const ops = longRun(300_000);
    const results = citing(10, 20_001, 150_000, 299_990);
    const dir = await runFolder(ops, results);
    const limits = { timelineRows: 20_000, scatterPoints: 5000, allValuesUpTo: 1000 };
    const data = await expectSameData(dir, results, limits);
    expect(data.timeline.totalRows).toBeGreaterThan(100_000);
    expect(data.timeline.rows).toBeLessThan(30_000);

    // Nemesis and cited ops are known while scanning: no second pass over the file.
    expect(planAfterScanning(ops, results, limits)).toHaveLength(0);
  });

  it('matches when a short sample of a long history shows every value (read in a second pass)', async () => {
    const ops = longRun(60_000);
    const dir = await runFolder(ops, null);
    const limits = { timelineRows: 2000 };
    const data = await expectSameData(dir, null, limits);
    expect(data.allValues).toBe(true);
    expect(data.timeline.totalRows).toBeGreaterThan(20_000);
    expect(planAfterScanning(ops, null, limits).length).toBeGreaterThan(1000);
  });

  it('reports a bad history before a bad results.json, named as the user knows them', async () => {
    const dir = await runFolder(longRun(100), null);
    writeFileSync(join(dir, 'results.json'), '{"valid": tru');
    await expect(buildRunReportData(dir)).rejects.toThrow(/results\.json: not valid JSON/);
    writeFileSync(join(dir, 'history.jsonl'), '{"index": 0, "time": 0, "type": "invoke"\n{}\n');
    await expect(buildRunReportData(dir)).rejects.toThrow(`${join(dir, 'history.jsonl')}:1`);
  });
});

/** The positions the builder asks to read again after one pass over `ops`. */
function planAfterScanning(ops: Op[], results: CheckResult | null, limits: ReportLimits): Int32Array {
  const builder = new ReportBuilder(results, limits);
  for (const [position, op] of ops.entries()) builder.scan(op, position);
  return builder.plan();
}
