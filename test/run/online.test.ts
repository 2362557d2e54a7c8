/**
 * OnlineChecking, the run's online checking: fed a history op by op, it gives the batch
 * path's composed verdict — the online checkers' results, and the rest checked on the
 * history read back from disk at the end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHECKERS } from '../../checkers/registry.js';
import type { CheckResult } from '../../checkers/result.js';
import { JsonlWriter } from '../../src/history/codecs/index.js';
import { History, type Op } from '../../src/history/index.js';
import { runCheckers } from '../../src/run/check.js';
import { OnlineChecking } from '../../src/run/online.js';
import type { CheckerSpec } from '../../workloads/types.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-online-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Adds 0..n-1 from four processes (every seventh fails, one in doubt), a fault, a final read. */
function setHistory(n: number, finalRead: unknown): Op[] {
  const ops: Op[] = [];
  const emit = (op: Omit<Op, 'index' | 'time'>) =>
    ops.push({ ...op, index: ops.length, time: ops.length * 1e6 } as Op);
  for (let v = 0; v < n; v++) {
    const process = v % 4;
    emit({ type: 'invoke', process, f: 'add', value: v });
    if (v === 3) {
      emit({ type: 'invoke', process: 'nemesis', f: 'partition', value: null });
      emit({ type: 'info', process: 'nemesis', f: 'partition', value: null });
    }
    emit({ type: v % 7 === 6 ? 'fail' : 'ok', process, f: 'add', value: v });
  }
  emit({ type: 'invoke', process: 0, f: 'read', value: null });
  emit({ type: 'ok', process: 0, f: 'read', value: finalRead });
  return ops;
}

async function bothWays(name: string, ops: Op[], spec: CheckerSpec) {
  const path = join(dir, `${name}.jsonl`);
  const writer = JsonlWriter.open(path);
  const seen: Op[] = [];
  const online = new OnlineChecking(spec, CHECKERS, { onOp: (op) => seen.push(op) });
  for (const op of ops) {
    writer.write(op);
    online.onOp({ ...op });
  }
  writer.close();
  const verdict = await online.finish(path);
  const batch = await runCheckers(History.from(ops.map((op) => ({ ...op }))), spec, CHECKERS);
  expect(seen).toHaveLength(ops.length);
  return { verdict, batch };
}

const results = (r: CheckResult) => r.results as Record<string, CheckResult>;

describe('online checking of a run', () => {
  it('gives the batch verdict: online set and stats equal, set-full checked at the end', async () => {
    const ops = setHistory(50, [0, 1, 2, 4, 5, 7, 99]);
    const { verdict, batch } = await bothWays('set', ops, { set: {}, 'set-full': {} });
    expect(verdict.online).toEqual(['set', 'perf', 'stats']);
    expect(verdict.atEnd).toEqual(['set-full']);
    expect(Object.keys(results(verdict.result))).toEqual(Object.keys(results(batch)));
    expect(verdict.result.valid).toBe(false);
    expect(verdict.result.valid).toBe(batch.valid);
    for (const name of ['set', 'set-full', 'stats']) {
      expect(results(verdict.result)[name]).toEqual(results(batch)[name]);
    }
    expect(results(verdict.result).perf!.valid).toBe(results(batch).perf!.valid);
    expect(verdict.history?.length).toBe(ops.length);
  });

  it('reads nothing back when every checker is online, and counts the ops', async () => {
    const { verdict } = await bothWays('all-online', setHistory(10, [0, 1]), { set: {} });
    expect(verdict.atEnd).toEqual([]);
    expect(verdict.history).toBeUndefined();
  });

  it('a checker that throws on an op is unknown with the batch reason; the others go on', async () => {
    const { verdict, batch } = await bothWays('bad-read', setHistory(10, 'not a collection'), { set: {} });
    expect(results(verdict.result).set).toEqual(results(batch).set);
    expect(results(verdict.result).set!.reason).toMatch(/checker set failed: .*op \d+: an ok read/);
    expect(results(verdict.result).stats!.valid).toBe(true);
  });

  it('checks list-append at the end from the file, window by window, with the batch verdict', async () => {
    // T1 appends 1 to x and reads y = [2]; T2 appends 2 to y and reads x = [1]: each read the
    // other's write, a write-read cycle (G1c). Invocations carry reads without their values.
    const txn = (process: number, value: [string, string, unknown][]): Omit<Op, 'index' | 'time'>[] => [
      { type: 'invoke', process, f: 'txn', value: value.map(([f, k, v]) => [f, k, f === 'r' ? null : v]) },
      { type: 'ok', process, f: 'txn', value },
    ];
    const ops: Op[] = [];
    const emit = (op: Omit<Op, 'index' | 'time'>) =>
      ops.push({ ...op, index: ops.length, time: ops.length * 1e6 } as Op);
    const t1 = txn(0, [
      ['append', 'x', 1],
      ['r', 'y', [2]],
    ]);
    const t2 = txn(1, [
      ['append', 'y', 2],
      ['r', 'x', [1]],
    ]);
    for (const op of [t1[0]!, t2[0]!, t1[1]!, t2[1]!]) emit(op);
    const spec = { 'list-append': {} };
    const { verdict, batch } = await bothWays('append-g1c', ops, spec);
    expect(verdict.atEnd).toContain('list-append');
    expect(verdict.history).toBeUndefined(); // streamed, never read into memory
    const online = results(verdict.result)['list-append'] as CheckResult & { windowed?: unknown };
    const whole = results(batch)['list-append']!;
    expect(whole.valid).toBe(false);
    expect(online.valid).toBe(false);
    expect(online['anomaly-types']).toEqual(whole['anomaly-types']);
    expect(online.windowed).toBeDefined();
  });

  it('a run without ops has nothing to stand on', async () => {
    const { verdict, batch } = await bothWays('empty', [], { set: {} });
    expect(verdict.result).toEqual(batch);
    expect(verdict.result.valid).toBe('unknown');
  });

  it('counts client ops by type and keeps the nemesis ops', async () => {
    const online = new OnlineChecking({}, CHECKERS);
    for (const op of setHistory(14, [])) online.onOp(op);
    expect(online.counts).toEqual({ invoke: 15, ok: 13, fail: 2, info: 0, nemesis: 2 });
    expect(online.nemesisOps.map((op) => op.f)).toEqual(['partition', 'partition']);
  });
});
