/**
 * Unique ids: an id generator never hands out the same id twice.
 *
 * Op shapes (as Jepsen's): `generate`, invoke with any value; `ok` with `value: id` (a
 * number, string, or anything JSON can spell). `fail` and `info` generations are counted
 * but not checked: their ids are unknown.
 */
import type { History, Op } from '../src/history/index.js';
import type { Checker, CheckResult, CommonCheckOptions } from './result.js';
import { type ElementKey, elementKey, plural, verdictWord } from './values.js';

/** An id handed out more than once, with the `op.index` of each `ok` that returned it. */
export interface DuplicatedId {
  id: unknown;
  count: number;
  /** The first few completions that returned it. */
  ops: number[];
}

/** What `unique-ids` found. */
export interface UniqueIdsResult extends CheckResult {
  attemptedCount: number;
  acknowledgedCount: number;
  duplicatedCount: number;
  /** The most duplicated ids (at most 48), most frequent first. */
  duplicated: DuplicatedId[];
  /** The lowest and highest id, when ids are numbers or strings. */
  range: [unknown, unknown] | null;
}

const SHOWN = 48;
const OPS_PER_ID = 8;

/** Checks that every `ok` generate returned a distinct id. O(n). */
export function checkUniqueIds(history: History): UniqueIdsResult {
  const counts = new GenerateCounts();
  const seen = new Map<ElementKey, SeenId>();
  for (const op of history.ops) {
    if (!counts.add(op)) continue;
    const key = elementKey(op.value);
    const entry = seen.get(key);
    if (entry) noteRepeat(entry, op.index);
    else seen.set(key, { id: op.value, ops: [op.index], count: 1, first: seen.size });
  }
  return uniqueIdsResult(
    counts,
    [...seen.values()].filter((e) => e.count > 1),
  );
}

/** An id and the `ok` generates that returned it. */
export interface SeenId {
  id: unknown;
  count: number;
  /** `op.index` of the first {@link OPS_PER_ID} completions that returned it. */
  ops: number[];
  /** Its rank among the ids in the order each was first returned (ties in counts keep it). */
  first: number;
}

/** Notes one more `ok` generate (at `op.index` `index`) that returned an id already seen. */
export function noteRepeat(entry: SeenId, index: number): void {
  entry.count++;
  if (entry.ops.length < OPS_PER_ID) entry.ops.push(index);
}

/**
 * What `unique-ids` counts besides the ids themselves, op by op: generations attempted and
 * acknowledged, and the range of ids. Shared by the batch and the online checker.
 */
export class GenerateCounts {
  attempted = 0;
  acknowledged = 0;
  private low: number | string | undefined;
  private high: number | string | undefined;
  private comparable = true;

  /** Counts one op; true when it is an `ok` generate, whose id must then be checked. */
  add(op: Op): boolean {
    if (op.f !== 'generate' || op.process === 'nemesis') return false;
    if (op.type === 'invoke') this.attempted++;
    if (op.type !== 'ok') return false;
    this.acknowledged++;
    const id = op.value;
    if (typeof id === 'number' || typeof id === 'string') {
      if (this.low === undefined || id < this.low) this.low = id;
      if (this.high === undefined || id > this.high) this.high = id;
      if (typeof this.low !== typeof this.high) this.comparable = false;
    } else this.comparable = false;
    return true;
  }

  get range(): [unknown, unknown] | null {
    return this.comparable && this.low !== undefined ? [this.low, this.high] : null;
  }
}

/** The checker's result from the counts and every id returned more than once. */
export function uniqueIdsResult(counts: GenerateCounts, duplicates: SeenId[]): UniqueIdsResult {
  const { attempted, acknowledged } = counts;
  const sorted = [...duplicates].sort((a, b) => b.count - a.count || a.first - b.first);
  return {
    valid: sorted.length === 0 ? (acknowledged > 0 ? true : 'unknown') : false,
    ...(acknowledged === 0 ? { reason: 'no id was ever generated' } : {}),
    attemptedCount: attempted,
    acknowledgedCount: acknowledged,
    duplicatedCount: sorted.length,
    duplicated: sorted.slice(0, SHOWN).map(({ id, count, ops }) => ({ id, count, ops: [...ops] })),
    range: counts.range,
  };
}

/** `--checker unique-ids`. */
export const uniqueIdsChecker: Checker<CommonCheckOptions> = {
  name: 'unique-ids',
  description: 'unique-id generator: no id is handed out twice',
  check: (history) => checkUniqueIds(history),
  explain(result) {
    const r = result as UniqueIdsResult;
    const lines = [
      `${verdictWord(r.valid)}${r.reason ? `: ${r.reason}` : ''}: ${r.attemptedCount} generations attempted, ${r.acknowledgedCount} returned an id, ${plural(r.duplicatedCount, 'id')} handed out more than once.`,
    ];
    for (const d of r.duplicated.slice(0, 10)) {
      lines.push(`  ${JSON.stringify(d.id)} returned ${d.count} times (ops ${d.ops.join(', ')})`);
    }
    return lines.join('\n');
  },
};
