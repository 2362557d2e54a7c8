/**
 * Unique ids: an id generator never hands out the same id twice.
 *
 * Op shapes (as Jepsen's): `generate`, invoke with any value; `ok` with `value: id` (a
 * number, string, or anything JSON can spell). `fail` and `info` generations are counted
 * but not checked: their ids are unknown.
 */
import type { History } from '../src/history/index.js';
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
  const seen = new Map<ElementKey, { id: unknown; ops: number[]; count: number }>();
  let attempted = 0;
  let acknowledged = 0;
  let low: number | string | undefined;
  let high: number | string | undefined;
  let comparable = true;
  for (const op of history.ops) {
    if (op.f !== 'generate' || op.process === 'nemesis') continue;
    if (op.type === 'invoke') attempted++;
    if (op.type !== 'ok') continue;
    acknowledged++;
    const id = op.value;
    const key = elementKey(id);
    const entry = seen.get(key);
    if (entry) {
      entry.count++;
      if (entry.ops.length < OPS_PER_ID) entry.ops.push(op.index);
    } else seen.set(key, { id, ops: [op.index], count: 1 });
    if (typeof id === 'number' || typeof id === 'string') {
      if (low === undefined || id < low) low = id;
      if (high === undefined || id > high) high = id;
      if (typeof low !== typeof high) comparable = false;
    } else comparable = false;
  }
  const duplicates = [...seen.values()].filter((e) => e.count > 1).sort((a, b) => b.count - a.count);
  return {
    valid: duplicates.length === 0 ? (acknowledged > 0 ? true : 'unknown') : false,
    ...(acknowledged === 0 ? { reason: 'no id was ever generated' } : {}),
    attemptedCount: attempted,
    acknowledgedCount: acknowledged,
    duplicatedCount: duplicates.length,
    duplicated: duplicates.slice(0, SHOWN).map(({ id, count, ops }) => ({ id, count, ops })),
    range: comparable && low !== undefined ? [low, high] : null,
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
