/**
 * Sequence numbers: the numbers a db gives to creates (ZooKeeper's sequential znodes, etcd's
 * create revisions) are unique, and strictly increase in the real-time order of acknowledged
 * creates: if create A completed before create B was invoked, A's number is below B's.
 *
 * Op shapes: `create`, invoke with any value; `ok` with `value: number`. `fail` creates took no
 * number; `info` ones may have: the numbers nobody acknowledged between the lowest and the
 * highest are gaps, which are reported (with the failed and indefinite creates that may explain
 * them) and never make a history invalid.
 */
import type { History } from '../src/history/index.js';
import type { Checker, CheckResult, CommonCheckOptions } from './result.js';
import { plural, verdictWord } from './values.js';

/** One acknowledged create. */
export interface NumberedCreate {
  number: number;
  process: number | 'nemesis';
  /** `op.index` of the invocation and of the `ok`. */
  invoke: number;
  ok: number;
}

/** A number that two or more acknowledged creates returned. */
export interface DuplicatedNumber {
  number: number;
  creates: NumberedCreate[];
}

/** Create `before` completed before `after` was invoked, yet got a higher number. */
export interface OutOfOrder {
  before: NumberedCreate;
  after: NumberedCreate;
}

/** What `sequence` found. */
export interface SequenceResult extends CheckResult {
  attemptedCount: number;
  acknowledgedCount: number;
  failedCount: number;
  /** Creates that ended `info` or never completed: they may hold a number nobody saw. */
  indefiniteCount: number;
  duplicatedCount: number;
  duplicated: DuplicatedNumber[];
  outOfOrderCount: number;
  outOfOrder: OutOfOrder[];
  /** Numbers between the lowest and highest acknowledged that no create returned. */
  gapCount: number;
  /** The first gaps, as inclusive ranges. */
  gaps: [number, number][];
  range: [number, number] | null;
}

const SHOWN = 100;
const GAPS_SHOWN = 20;

/** Checks uniqueness and real-time order of the numbers acknowledged creates returned. O(n log n). */
export function checkSequence(history: History): SequenceResult {
  const creates: (NumberedCreate & { invokedAt: number; okAt: number })[] = [];
  let attempted = 0;
  let failed = 0;
  let indefinite = 0;
  for (const pair of history.pairs()) {
    const { invoke, completion } = pair;
    if (invoke.f !== 'create') continue;
    attempted++;
    if (pair.type === 'fail') failed++;
    else if (pair.type === 'info') indefinite++;
    else if (completion && typeof completion.value === 'number') {
      creates.push({
        number: completion.value,
        process: invoke.process,
        invoke: invoke.index,
        ok: completion.index,
        invokedAt: invoke.time,
        okAt: completion.time,
      });
    }
  }
  const byNumber = new Map<number, NumberedCreate[]>();
  for (const c of creates) {
    const list = byNumber.get(c.number);
    if (list) list.push(evidence(c));
    else byNumber.set(c.number, [evidence(c)]);
  }
  const duplicated = [...byNumber]
    .filter(([, list]) => list.length > 1)
    .map(([number, list]) => ({ number, creates: list }));

  // Sweep in invocation order; `highest` is the top number among creates completed before it.
  const byOk = [...creates].sort((a, b) => a.okAt - b.okAt);
  const byInvoke = [...creates].sort((a, b) => a.invokedAt - b.invokedAt);
  const outOfOrder: OutOfOrder[] = [];
  let outOfOrderCount = 0;
  let highest: (typeof creates)[number] | undefined;
  let done = 0;
  for (const c of byInvoke) {
    while (done < byOk.length && byOk[done]!.okAt < c.invokedAt) {
      const d = byOk[done++]!;
      if (!highest || d.number > highest.number) highest = d;
    }
    // Equal numbers are duplicates, reported as such.
    if (highest && highest.number > c.number) {
      outOfOrderCount++;
      if (outOfOrder.length < SHOWN) outOfOrder.push({ before: evidence(highest), after: evidence(c) });
    }
  }

  const numbers = [...byNumber.keys()].sort((a, b) => a - b);
  const gaps: [number, number][] = [];
  let gapCount = 0;
  for (let i = 1; i < numbers.length; i++) {
    const low = numbers[i - 1]! + 1;
    const high = numbers[i]! - 1;
    if (high < low) continue;
    gapCount += high - low + 1;
    if (gaps.length < GAPS_SHOWN) gaps.push([low, high]);
  }
  const invalid = duplicated.length > 0 || outOfOrderCount > 0;
  return {
    valid: invalid ? false : creates.length === 0 ? 'unknown' : true,
    ...(creates.length === 0 && !invalid ? { reason: 'no create was acknowledged with a number' } : {}),
    attemptedCount: attempted,
    acknowledgedCount: creates.length,
    failedCount: failed,
    indefiniteCount: indefinite,
    duplicatedCount: duplicated.length,
    duplicated: duplicated.slice(0, SHOWN),
    outOfOrderCount,
    outOfOrder,
    gapCount,
    gaps,
    range: numbers.length ? [numbers[0]!, numbers[numbers.length - 1]!] : null,
  };
}

function evidence(c: NumberedCreate): NumberedCreate {
  return { number: c.number, process: c.process, invoke: c.invoke, ok: c.ok };
}

function describe(c: NumberedCreate): string {
  return `${c.number} (process ${c.process}, ops ${c.invoke}/${c.ok})`;
}

/** `--checker sequence`. */
export const sequenceChecker: Checker<CommonCheckOptions> = {
  name: 'sequence',
  description: 'sequential nodes: numbers unique and strictly increasing in real-time order of creates',
  check: (history) => checkSequence(history),
  explain(result) {
    const r = result as SequenceResult;
    const lines = [
      `${verdictWord(r.valid)}${r.reason ? `: ${r.reason}` : ''}: ${r.attemptedCount} creates, ${r.acknowledgedCount} acknowledged, ${plural(r.duplicatedCount, 'number')} returned twice, ${plural(r.outOfOrderCount, 'create')} numbered below an earlier one; ${plural(r.gapCount, 'gap')} (${r.failedCount} failed and ${r.indefiniteCount} indefinite creates).`,
    ];
    for (const d of r.duplicated.slice(0, 10)) {
      lines.push(`  duplicated ${d.number}: ${d.creates.map(describe).join(', ')}`);
    }
    for (const o of r.outOfOrder.slice(0, 10)) {
      lines.push(`  out of order: ${describe(o.before)} completed before ${describe(o.after)} began`);
    }
    return lines.join('\n');
  },
};
