/**
 * Bench: the online stats, counter and unique-ids checkers against their batch versions on
 * one synthetic history each (8 processes, every op invoked then completed in rounds, so
 * ops are concurrent; one in 50 fails, one in 200 ends in doubt). Online, ops are fed one by
 * one as a run would; batch, the history is paired and checked at once. The results are
 * compared too: a bench whose two sides disagree is a bug.
 *
 * Run: `npm run bench -- online-checkers` (ONLINE_BENCH_OPS sets the op count, default 2,000,000).
 */

import { pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { checkCounter } from '../checkers/counter.js';
import { OnlineCounter } from '../checkers/online/counter.js';
import { OnlineStats } from '../checkers/online/stats.js';
import type { OnlineChecker } from '../checkers/online/types.js';
import { OnlineUniqueIds } from '../checkers/online/unique-ids.js';
import type { CheckResult } from '../checkers/result.js';
import { checkStats } from '../checkers/stats.js';
import { checkUniqueIds } from '../checkers/unique-ids.js';
import { History, type Op } from '../src/history/index.js';

const PROCESSES = 8;

export interface OnlineCheckerFigures {
  checker: string;
  ops: number;
  batchCpuMs: number;
  onlineCpuMs: number;
  /** Ops fed to the online checker per second of CPU. */
  onlineOpsPerSecond: number;
  sameResult: boolean;
  valid: unknown;
}

/** About `ops` ops: adds of 1 and (one in ten) reads of a counter, or generations of ids. */
function history(ops: number, kind: 'counter' | 'unique-ids'): Op[] {
  const out: Op[] = [];
  let n = 0;
  let total = 0;
  // A thread whose op ends in doubt goes on as a fresh process.
  const processes = Array.from({ length: PROCESSES }, (_, i) => i);
  while (out.length < ops) {
    const round: { thread: number; process: number; f: string; value: unknown }[] = [];
    for (let thread = 0; thread < PROCESSES; thread++, n++) {
      const p = processes[thread]!;
      const read = kind === 'counter' && n % 10 === 9;
      const f = kind === 'counter' ? (read ? 'read' : 'add') : 'generate';
      const value = kind === 'counter' && !read ? 1 : null;
      round.push({ thread, process: p, f, value });
      out.push({ index: out.length, time: out.length * 1000, type: 'invoke', process: p, f, value });
    }
    for (const { thread, process, f, value } of round) {
      const roll = (out.length * 7919) % 200;
      const type = roll === 0 ? 'info' : roll % 50 === 1 ? 'fail' : 'ok';
      let result = value;
      if (type === 'ok' && f === 'add') total += 1;
      if (type === 'ok' && f === 'read') result = total;
      if (type === 'ok' && f === 'generate') result = out.length;
      out.push({ index: out.length, time: out.length * 1000, type, process, f, value: result });
      if (type === 'info') processes[thread] = processes.length + out.length;
    }
  }
  return out;
}

function cpuMs(work: () => void): number {
  const start = process.cpuUsage();
  work();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

async function measure(
  checker: string,
  ops: Op[],
  batch: (h: History) => CheckResult,
  online: () => OnlineChecker,
): Promise<OnlineCheckerFigures> {
  let batchResult: CheckResult | undefined;
  const batchCpuMs = cpuMs(() => {
    batchResult = batch(History.from(ops.map((op) => ({ ...op }))));
  });
  const live = online();
  const onlineCpuMs = cpuMs(() => {
    for (const op of ops) live.add(op);
  });
  const start = process.cpuUsage();
  const onlineResult = await live.finish();
  const finish = process.cpuUsage(start);
  const totalOnline = onlineCpuMs + (finish.user + finish.system) / 1000;
  return {
    checker,
    ops: ops.length,
    batchCpuMs: Math.round(batchCpuMs),
    onlineCpuMs: Math.round(totalOnline),
    onlineOpsPerSecond: Math.round(ops.length / (totalOnline / 1000)),
    sameResult: isDeepStrictEqual(onlineResult, batchResult),
    valid: onlineResult.valid,
  };
}

export async function run(): Promise<OnlineCheckerFigures[]> {
  const n = Number(process.env.ONLINE_BENCH_OPS ?? 2_000_000);
  const counterOps = history(n, 'counter');
  const idOps = history(n, 'unique-ids');
  return [
    await measure(
      'stats',
      counterOps,
      (h) => checkStats(h),
      () => new OnlineStats(),
    ),
    await measure(
      'counter',
      counterOps,
      (h) => checkCounter(h),
      () => new OnlineCounter(),
    ),
    await measure(
      'unique-ids',
      idOps,
      (h) => checkUniqueIds(h),
      () => new OnlineUniqueIds(),
    ),
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await run(), null, 2));
}
