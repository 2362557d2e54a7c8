/**
 * Stats (Jepsen's `stats` checker): how many of each client op succeeded, failed or ended in
 * doubt, and which errors the clients met. A run whose workload never once succeeded at one
 * of its ops proves nothing about that op, so the verdict is then `unknown`, naming the op;
 * errors are counted by kind, with the ones clients threw (not mapped to an outcome) apart.
 */
import type { History, Op } from '../src/history/index.js';
import type { Checker, CheckResult, CommonCheckOptions } from './result.js';

/** Counts of one `f`. */
export interface FCounts {
  invoke: number;
  ok: number;
  fail: number;
  info: number;
}

/** How often one kind of error was seen. */
export interface ErrorCount {
  /** The error with numbers, addresses and quoted parts blanked, so that alike errors group. */
  kind: string;
  /** `fail` or `info`. */
  type: 'fail' | 'info';
  f: string;
  count: number;
  /** True when the client threw it instead of returning an outcome (see the runner). */
  unhandled: boolean;
  /** The first op that met it, as evidence. */
  firstOp: number;
}

export interface StatsResult extends CheckResult {
  byF: Record<string, FCounts>;
  /** Client ops that completed `ok` / all completions. */
  okFraction: number | null;
  /** The `f`s that were tried but never succeeded. */
  neverOk: string[];
  errors: ErrorCount[];
  unhandledErrors: number;
}

/** Options: which `f`s must have succeeded at least once (default: every `f` tried). */
export interface StatsOptions extends CommonCheckOptions {
  fs?: string[];
}

/** Error kinds listed, at most (the most frequent first). */
const MAX_KINDS = 40;

/** The runner marks an error a client threw with this extra field. */
export const UNHANDLED_FIELD = 'exception';

/** Groups alike messages: digits, hex, addresses and quoted parts become placeholders. */
export function errorKind(error: unknown): string {
  const text = typeof error === 'string' ? error : JSON.stringify(error);
  return text
    .replace(/"[^"]*"|'[^']*'/g, '"…"')
    .replace(/\b0x[0-9a-f]+\b/gi, 'N')
    .replace(/\d+(\.\d+)*/g, 'N')
    .slice(0, 120);
}

export function checkStats(history: History, options: StatsOptions = {}): StatsResult {
  const tally = new StatsTally();
  for (const op of history.ops) tally.add(op);
  return tally.result(options);
}

/**
 * The counts `stats` keeps, op by op: the batch checker feeds it the history, the online one
 * (checkers/online/stats.ts) each op as it is recorded, so both build the same result.
 */
export class StatsTally {
  private readonly byF = new Map<string, FCounts>();
  private readonly errors = new Map<string, ErrorCount>();
  private completions = 0;
  private oks = 0;
  private unhandled = 0;

  add(op: Op): void {
    if (op.process === 'nemesis') return;
    let counts = this.byF.get(op.f);
    if (!counts) {
      counts = { invoke: 0, ok: 0, fail: 0, info: 0 };
      this.byF.set(op.f, counts);
    }
    counts[op.type]++;
    if (op.type === 'invoke') return;
    this.completions++;
    if (op.type === 'ok') {
      this.oks++;
      return;
    }
    if (op.error === undefined) return;
    const thrown = isUnhandled(op);
    if (thrown) this.unhandled++;
    const kind = errorKind(op.error);
    const id = `${op.f}\u0000${op.type}\u0000${thrown}\u0000${kind}`;
    const seen = this.errors.get(id);
    if (seen) seen.count++;
    else
      this.errors.set(id, { kind, type: op.type, f: op.f, count: 1, unhandled: thrown, firstOp: op.index });
  }

  /** The checker's result on every op added so far. */
  result(options: StatsOptions = {}): StatsResult {
    const { byF, errors, completions, oks } = this;
    const required = options.fs ?? [...byF.keys()];
    const neverOk = required.filter((f) => (byF.get(f)?.invoke ?? 0) > 0 && byF.get(f)?.ok === 0).sort();
    const listed = [...errors.values()]
      .sort((a, b) => b.count - a.count)
      .slice(0, MAX_KINDS)
      .map((e) => ({ ...e }));
    const base = {
      byF: Object.fromEntries(
        [...byF.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([f, c]) => [f, { ...c }]),
      ),
      okFraction: completions === 0 ? null : oks / completions,
      neverOk,
      errors: listed,
      unhandledErrors: this.unhandled,
    };
    if (byF.size === 0) return { valid: 'unknown', reason: 'no client ops: nothing to count', ...base };
    if (neverOk.length > 0) {
      return {
        valid: 'unknown',
        reason: `${neverOk.join(', ')} never succeeded: the run proves nothing about ${neverOk.length === 1 ? 'it' : 'them'}`,
        ...base,
      };
    }
    return { valid: true, ...base };
  }
}

function isUnhandled(op: Op): boolean {
  return op.extra?.[UNHANDLED_FIELD] !== undefined;
}

export const statsChecker: Checker<StatsOptions> = {
  name: 'stats',
  description: 'counts ok/fail/info per op and errors by kind; unknown when an op never succeeded',
  check: (history, options) => checkStats(history, options),
  explain(result) {
    const r = result as StatsResult;
    const lines = Object.entries(r.byF).map(
      ([f, c]) => `${f}: ${c.ok} ok, ${c.fail} fail, ${c.info} info of ${c.invoke}`,
    );
    if (r.neverOk.length > 0) lines.push(`never succeeded: ${r.neverOk.join(', ')}`);
    if (r.unhandledErrors > 0) lines.push(`${r.unhandledErrors} errors thrown by clients`);
    return lines.join('\n');
  },
};
