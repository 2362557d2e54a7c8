/**
 * Counter: every read must be a value the counter could have had while the read was open.
 *
 * Op shapes (as Jepsen's):
 * - `add`: invoke with `value: delta` (a finite number); `ok` means it was applied once,
 *   `fail` that it was not, `info` that it may have been, at any time after the invocation.
 * - `read`: invoke with any value; `ok` with `value: n`, the counter's value.
 *
 * The counter starts at `initial` (default 0). At any moment the value lies within
 * [lower, upper], where both start from the sum of acknowledged deltas, and every add that
 * is in flight or ended `info` widens the range by its delta (down for negative deltas, up
 * for positive ones). Adds that `fail` never count. A read may take effect at any moment
 * between its invocation and completion, so it must lie within the widest range seen while
 * it was open. Unlike Jepsen's, negative deltas are allowed.
 */
import { InputError } from '../src/errors.js';
import type { History, Process } from '../src/history/index.js';
import type { Checker, CheckResult, CommonCheckOptions } from './result.js';
import { plural, verdictWord } from './values.js';

/** Options of `counter`. */
export interface CounterOptions extends CommonCheckOptions {
  /** The counter's value before the first add (default 0). */
  initial?: number;
}

/** A read with the bounds it had to lie within. */
export interface CounterRead {
  /** `op.index` of the read's completion. */
  read: number;
  value: number;
  lower: number;
  upper: number;
}

/** What `counter` found. */
export interface CounterResult extends CheckResult {
  readCount: number;
  errorCount: number;
  /** Reads outside their bounds (the first 100). */
  errors: CounterRead[];
  /** The read furthest outside its bounds, with by how much. */
  worstError: (CounterRead & { off: number }) | null;
  /** Bounds on the counter's final value. */
  final: { lower: number; upper: number };
}

const ERROR_LIMIT = 100;

function numberAt(value: unknown, index: number, what: string): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'bigint') return Number(value);
  throw new InputError(`op ${index}: ${what} must be a finite number, got ${JSON.stringify(value)}`, {
    field: 'value',
  });
}

/** Checks every ok read against the bounds the adds allow. O(n × concurrency). */
export function checkCounter(history: History, options: CounterOptions = {}): CounterResult {
  const ops = history.ops;
  let acknowledged = options.initial ?? 0;
  let pendingDown = 0;
  let pendingUp = 0;
  const openReads = new Map<Process, { lower: number; upper: number }>();
  const errors: CounterRead[] = [];
  let errorCount = 0;
  let readCount = 0;
  let worst: (CounterRead & { off: number }) | null = null;

  for (let pos = 0; pos < ops.length; pos++) {
    const op = ops[pos]!;
    if (op.process === 'nemesis') continue;
    if (op.f === 'add') {
      const partner = history.partnerOf(pos);
      const outcome = op.type === 'invoke' ? (partner < 0 ? 'info' : ops[partner]!.type) : op.type;
      if (outcome === 'fail') continue;
      const delta = numberAt(op.type === 'invoke' ? op.value : ops[partner]!.value, op.index, 'an add delta');
      if (op.type === 'invoke') {
        if (delta < 0) pendingDown += delta;
        else pendingUp += delta;
        // The range widened: every open read may now see the new extreme.
        for (const r of openReads.values()) {
          r.lower = Math.min(r.lower, acknowledged + pendingDown);
          r.upper = Math.max(r.upper, acknowledged + pendingUp);
        }
      } else if (op.type === 'ok') {
        // Acknowledged: no longer uncertain. The range only narrows, so open reads keep theirs.
        if (delta < 0) pendingDown -= delta;
        else pendingUp -= delta;
        acknowledged += delta;
      }
    } else if (op.f === 'read') {
      if (op.type === 'invoke') {
        openReads.set(op.process, { lower: acknowledged + pendingDown, upper: acknowledged + pendingUp });
      } else {
        const bounds = openReads.get(op.process);
        openReads.delete(op.process);
        if (op.type !== 'ok' || !bounds) continue;
        readCount++;
        const value = numberAt(op.value, op.index, 'a read value');
        if (value >= bounds.lower && value <= bounds.upper) continue;
        const bad = { read: op.index, value, ...bounds };
        errorCount++;
        if (errors.length < ERROR_LIMIT) errors.push(bad);
        const off = value < bounds.lower ? bounds.lower - value : value - bounds.upper;
        if (!worst || off > worst.off) worst = { ...bad, off };
      }
    }
  }
  const final = { lower: acknowledged + pendingDown, upper: acknowledged + pendingUp };
  const base = { readCount, errorCount, errors, worstError: worst, final };
  if (errorCount > 0) return { valid: false, ...base };
  if (readCount === 0) return { valid: 'unknown', reason: 'the counter was never read', ...base };
  return { valid: true, ...base };
}

/** `--checker counter`. */
export const counterChecker: Checker<CounterOptions> = {
  name: 'counter',
  description: 'counter: every read lies within the bounds of acknowledged and possible adds',
  check: (history, options) => checkCounter(history, options),
  explain(result) {
    const r = result as CounterResult;
    const lines = [
      `${verdictWord(r.valid)}${r.reason ? `: ${r.reason}` : ''}: ${plural(r.readCount, 'read')}, ${r.errorCount} out of bounds; final value within [${r.final.lower}, ${r.final.upper}].`,
    ];
    for (const e of r.errors.slice(0, 10)) {
      lines.push(
        `  read at op ${e.read} returned ${e.value}, but the counter was within [${e.lower}, ${e.upper}]`,
      );
    }
    return lines.join('\n');
  },
};
