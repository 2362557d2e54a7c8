/**
 * How promptly the linearizability checker's limits stop a search that cannot finish (40
 * crashed writes, then a read of a value nobody wrote), and what it holds meanwhile: the
 * figures test/linearizable/limits.test.ts used to assert as wall-clock bounds (the verdict
 * within 5 s of a 1.5 s time limit, the process under 1 GiB).
 *
 *     npm run bench -- limits
 */
import { checkLinearizable } from '../checkers/linearizable/index.js';
import { History, type Op } from '../src/history/index.js';

export interface LimitsFigures {
  /** The limits tried (text, so that the series store does not take them for figures). */
  settings: { timeLimit: string; memoryBudget: string };
  /** With the time limit: from the call to the `unknown` verdict, and the process's RSS then. */
  timeLimitStopMs: number;
  timeLimitRssMiB: number;
  /** With the memory budget (and a long time limit): from the call to the `unknown` verdict. */
  memoryBudgetStopMs: number;
  memoryBudgetRssMiB: number;
  configurationsAtBudget: number;
}

/** `crashed` writes that never complete, then reads of 0, 1 and a value nobody wrote. */
function pathological(crashed: number): History {
  const ops: Omit<Op, 'index' | 'time'>[] = [];
  for (let p = 0; p < crashed; p++) ops.push({ process: p, type: 'invoke', f: 'write', value: p });
  for (let p = 0; p < crashed; p++) ops.push({ process: p, type: 'info', f: 'write', value: p });
  for (let i = 0; i < 3; i++) {
    ops.push({ process: crashed + i, type: 'invoke', f: 'read', value: null });
    ops.push({ process: crashed + i, type: 'ok', f: 'read', value: i === 2 ? 'never written' : i });
  }
  return History.from(ops.map((o, index) => ({ ...o, index, time: index })));
}

const MiB = 2 ** 20;

export async function run(): Promise<LimitsFigures> {
  let started = performance.now();
  const timed = await checkLinearizable(pathological(40), 'cas-register', { timeLimitMs: 1500 });
  const timeLimitStopMs = Math.round(performance.now() - started);
  const timeLimitRssMiB = Math.round(process.memoryUsage.rss() / MiB);
  if (timed.valid !== 'unknown')
    throw new Error(`expected unknown at the time limit, got ${String(timed.valid)}`);

  started = performance.now();
  const budgeted = await checkLinearizable(pathological(40), 'cas-register', {
    timeLimitMs: 600_000,
    memoryLimitBytes: 12 * MiB,
  });
  const memoryBudgetStopMs = Math.round(performance.now() - started);
  if (budgeted.valid !== 'unknown')
    throw new Error(`expected unknown at the budget, got ${String(budgeted.valid)}`);
  return {
    settings: { timeLimit: '1.5 s', memoryBudget: '12 MiB' },
    timeLimitStopMs,
    timeLimitRssMiB,
    memoryBudgetStopMs,
    memoryBudgetRssMiB: Math.round(process.memoryUsage.rss() / MiB),
    configurationsAtBudget: budgeted.stats.configurations,
  };
}
