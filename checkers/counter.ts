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
import type { History, Op, Process } from '../src/history/index.js';
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
  const bounds = new CounterBounds(options.initial);
  for (let pos = 0; pos < ops.length; pos++) {
    const op = ops[pos]!;
    if (op.process === 'nemesis') continue;
    if (op.f === 'add') {
      const partner = history.partnerOf(pos);
      const outcome = op.type === 'invoke' ? (partner < 0 ? 'info' : ops[partner]!.type) : op.type;
      bounds.add(op, outcome, op.type === 'invoke' ? op.value : ops[partner]?.value);
    } else if (op.f === 'read') bounds.read(op);
  }
  return bounds.result();
}

/**
 * The bounds `counter` follows, op by op in history order: the batch checker feeds it the
 * history, the online one (checkers/online/counter.ts) each op once the outcome of every
 * add before it is known, so both build the same result.
 */
export class CounterBounds {
  private acknowledged: number;
  private pendingDown = 0;
  private pendingUp = 0;
  private readonly openReads = new Map<Process, { lower: number; upper: number }>();
  private readonly errors: CounterRead[] = [];
  private errorCount = 0;
  private readCount = 0;
  private worst: (CounterRead & { off: number }) | null = null;

  constructor(initial = 0) {
    this.acknowledged = initial;
  }

  /**
   * An add's invocation or completion: `outcome` is how the add ended (`info` when it never
   * did), `invoked` the value it was invoked with (its delta).
   */
  add(op: Op, outcome: Op['type'], invoked: unknown): void {
    if (outcome === 'fail') return;
    const delta = numberAt(invoked, op.index, 'an add delta');
    if (op.type === 'invoke') {
      if (delta < 0) this.pendingDown += delta;
      else this.pendingUp += delta;
      // The range widened: every open read may now see the new extreme.
      for (const r of this.openReads.values()) {
        r.lower = Math.min(r.lower, this.acknowledged + this.pendingDown);
        r.upper = Math.max(r.upper, this.acknowledged + this.pendingUp);
      }
    } else if (op.type === 'ok') {
      // Acknowledged: no longer uncertain. The range only narrows, so open reads keep theirs.
      if (delta < 0) this.pendingDown -= delta;
      else this.pendingUp -= delta;
      this.acknowledged += delta;
    }
  }

  /** A read's invocation or completion. */
  read(op: Op): void {
    if (op.type === 'invoke') {
      this.openReads.set(op.process, {
        lower: this.acknowledged + this.pendingDown,
        upper: this.acknowledged + this.pendingUp,
      });
      return;
    }
    const bounds = this.openReads.get(op.process);
    this.openReads.delete(op.process);
    if (op.type !== 'ok' || !bounds) return;
    this.readCount++;
    const value = numberAt(op.value, op.index, 'a read value');
    if (value >= bounds.lower && value <= bounds.upper) return;
    const bad = { read: op.index, value, ...bounds };
    this.errorCount++;
    if (this.errors.length < ERROR_LIMIT) this.errors.push(bad);
    const off = value < bounds.lower ? bounds.lower - value : value - bounds.upper;
    if (!this.worst || off > this.worst.off) this.worst = { ...bad, off };
  }

  /** The checker's result on every op so far. */
  result(): CounterResult {
    const { readCount, errorCount } = this;
    const final = { lower: this.acknowledged + this.pendingDown, upper: this.acknowledged + this.pendingUp };
    const base = { readCount, errorCount, errors: [...this.errors], worstError: this.worst, final };
    if (errorCount > 0) return { valid: false, ...base };
    if (readCount === 0) return { valid: 'unknown', reason: 'the counter was never read', ...base };
    return { valid: true, ...base };
  }
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
