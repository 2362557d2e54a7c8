/**
 * The online stats, counter and unique-ids checkers against the batch ones: on random
 * concurrent histories (crashed processes, nemesis ops, ops never answered) the online
 * result, fed op by op, deep-equals the batch checker's on the same history — valid and
 * invalid alike (counter reads out of bounds, ids handed out twice).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkCounter } from '../../../checkers/counter.js';
import { OnlineCounter } from '../../../checkers/online/counter.js';
import { OnlineStats } from '../../../checkers/online/stats.js';
import type { OnlineChecker } from '../../../checkers/online/types.js';
import { OnlineUniqueIds } from '../../../checkers/online/unique-ids.js';
import type { CheckResult } from '../../../checkers/result.js';
import { checkStats } from '../../../checkers/stats.js';
import { checkUniqueIds } from '../../../checkers/unique-ids.js';
import { History, type Op } from '../../../src/history/index.js';

/** One step of a script: which thread acts, a die roll for the outcome, and a value. */
type Step = [thread: number, roll: number, value: number];
const stepArb = fc.tuple(fc.nat(4), fc.nat(99), fc.integer({ min: -3, max: 12 }));
const scriptArb = fc.array(stepArb, { maxLength: 120 });

interface Shape {
  /** The `f` and invocation value of a new op. */
  invoke(roll: number, value: number): { f: string; value: unknown };
  /** The completion value of an `ok` op. */
  ok(f: string, invoked: unknown, value: number, roll: number): unknown;
}

/**
 * A well-formed history from a script: each thread invokes when idle and completes when
 * busy (ok, fail, or info — after which the thread goes on as a fresh process); some
 * invocations are never answered, and nemesis ops are mixed in.
 */
function historyOf(script: readonly Step[], shape: Shape): Op[] {
  const ops: Op[] = [];
  const emit = (op: Omit<Op, 'index' | 'time'>) =>
    ops.push({ ...op, index: ops.length, time: ops.length * 1000 } as Op);
  const process = [0, 1, 2, 3, 4];
  let nextProcess = 5;
  const open = new Map<number, { f: string; value: unknown }>();
  for (const [thread, roll, value] of script) {
    if (roll >= 95) {
      emit({ type: 'invoke', process: 'nemesis', f: 'partition', value: null });
      emit({ type: 'info', process: 'nemesis', f: 'partition', value: null });
      continue;
    }
    const p = process[thread]!;
    const o = open.get(p);
    if (!o) {
      const invocation = shape.invoke(roll, value);
      open.set(p, invocation);
      emit({ type: 'invoke', process: p, ...invocation });
      continue;
    }
    // A few invocations are left open: the run ended before they were answered.
    if (roll >= 90) continue;
    open.delete(p);
    const type = roll < 60 ? 'ok' : roll < 75 ? 'fail' : 'info';
    const completion: Omit<Op, 'index' | 'time'> = {
      type,
      process: p,
      f: o.f,
      value: type === 'ok' ? shape.ok(o.f, o.value, value, roll) : o.value,
    };
    if (type !== 'ok' && roll % 2 === 0) completion.error = `timeout after ${roll} ms`;
    if (type === 'info' && roll % 3 === 0) completion.extra = { exception: 'Error: boom' };
    emit(completion);
    if (type === 'info') process[thread] = nextProcess++;
  }
  return ops;
}

async function online<R extends CheckResult>(checker: OnlineChecker<R>, ops: readonly Op[]): Promise<R> {
  for (const op of ops) checker.add({ ...op });
  return checker.finish();
}

const batchHistory = (ops: readonly Op[]): History => History.from(ops.map((op) => ({ ...op })));

const counterShape: Shape = {
  invoke: (roll, value) => (roll % 3 === 0 ? { f: 'read', value: null } : { f: 'add', value: value % 5 }),
  // Reads return anything near the plausible range, so some are out of bounds.
  ok: (f, invoked, value) => (f === 'read' ? value : invoked),
};

const uniqueIdsShape = (pool: number, kind: 'int' | 'string' | 'mixed'): Shape => ({
  invoke: (roll) => (roll % 11 === 0 ? { f: 'other', value: null } : { f: 'generate', value: null }),
  ok: (_f, _invoked, value, roll) => {
    const id = ((value + 3) * 97 + roll) % pool;
    if (kind === 'string') return `id-${id}`;
    if (kind === 'mixed' && roll % 4 === 0) return roll % 8 === 0 ? [id, 'x'] : 2 ** 31 + id;
    return id;
  },
});

const statsShape: Shape = {
  invoke: (roll, value) => ({ f: ['read', 'write', 'cas'][roll % 3]!, value }),
  ok: (_f, _invoked, value) => value,
};

describe('online checkers equal the batch ones on random histories', () => {
  it('stats', async () => {
    await fc.assert(
      fc.asyncProperty(
        scriptArb,
        fc.array(fc.constantFrom('read', 'write'), { maxLength: 2 }),
        async (script, fs) => {
          const ops = historyOf(script, statsShape);
          const options = fs.length > 0 ? { fs } : {};
          expect(await online(new OnlineStats(options), ops)).toEqual(checkStats(batchHistory(ops), options));
        },
      ),
    );
  });

  it('counter, with reads out of bounds and adds in doubt', async () => {
    let invalid = 0;
    await fc.assert(
      fc.asyncProperty(scriptArb, fc.integer({ min: -5, max: 5 }), async (script, initial) => {
        const ops = historyOf(script, counterShape);
        const batch = checkCounter(batchHistory(ops), { initial });
        if (batch.valid === false) invalid++;
        expect(await online(new OnlineCounter({ initial }), ops)).toEqual(batch);
      }),
      { numRuns: 300 },
    );
    // The property covered invalid histories, not only valid ones.
    expect(invalid).toBeGreaterThan(30);
  });

  it('unique-ids, with planted duplicates, string ids and ids of other shapes', async () => {
    let invalid = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(stepArb, { minLength: 30, maxLength: 120 }),
        fc.integer({ min: 2, max: 40 }),
        fc.constantFrom('int' as const, 'string' as const, 'mixed' as const),
        async (script, pool, kind) => {
          const ops = historyOf(script, uniqueIdsShape(pool, kind));
          const batch = checkUniqueIds(batchHistory(ops));
          if (batch.valid === false) invalid++;
          expect(await online(new OnlineUniqueIds(), ops)).toEqual(batch);
        },
      ),
      { numRuns: 300 },
    );
    expect(invalid).toBeGreaterThan(30);
  });
});

describe('online counter', () => {
  const op = (index: number, type: Op['type'], process: number, f: string, value: unknown): Op => ({
    index,
    time: index,
    type,
    process,
    f,
    value,
  });

  it('holds ops behind an open add until its outcome is known', async () => {
    // The add of 5 fails: a read open meanwhile must not count it (5 is out of bounds).
    const ops = [
      op(0, 'invoke', 0, 'add', 5),
      op(1, 'invoke', 1, 'read', null),
      op(2, 'ok', 1, 'read', 5),
      op(3, 'fail', 0, 'add', 5),
    ];
    const checker = new OnlineCounter();
    for (const o of ops.slice(0, 3)) checker.add(o);
    expect(checker.peakQueuedOps).toBe(3);
    checker.add(ops[3]!);
    const result = await checker.finish();
    expect(result.valid).toBe(false);
    expect(result).toEqual(checkCounter(History.from(ops.map((o) => ({ ...o })))));
  });

  it('takes an add never answered as one that may have happened', async () => {
    const ops = [op(0, 'invoke', 0, 'add', 5), op(1, 'invoke', 1, 'read', null), op(2, 'ok', 1, 'read', 5)];
    const result = await online(new OnlineCounter(), ops);
    expect(result.valid).toBe(true);
    expect(result).toEqual(checkCounter(History.from(ops.map((o) => ({ ...o })))));
  });
});

describe('online unique-ids', () => {
  it('remembers ids far apart and of every shape, and finds each one repeated', async () => {
    const ids: unknown[] = [3, 2 ** 40, 'a', [1, 2], 5_000_000, 3, 'a', [1, 2], 2 ** 40, 7];
    const ops: Op[] = ids.flatMap((id, i) => [
      { index: 2 * i, time: 2 * i, type: 'invoke', process: 0, f: 'generate', value: null },
      { index: 2 * i + 1, time: 2 * i + 1, type: 'ok', process: 0, f: 'generate', value: id },
    ]);
    const result = await online(new OnlineUniqueIds(), ops);
    expect(result.duplicatedCount).toBe(4);
    expect(result).toEqual(checkUniqueIds(History.from(ops.map((o) => ({ ...o })))));
  });
});
