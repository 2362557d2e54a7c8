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
  const byF = new Map<string, FCounts>();
  const errors = new Map<string, ErrorCount>();
  let completions = 0;
  let oks = 0;
  let unhandled = 0;
  for (const op of history.ops) {
    if (op.process === 'nemesis') continue;
    let counts = byF.get(op.f);
    if (!counts) {
      counts = { invoke: 0, ok: 0, fail: 0, info: 0 };
      byF.set(op.f, counts);
    }
    counts[op.type]++;
    if (op.type === 'invoke') continue;
    completions++;
    if (op.type === 'ok') {
      oks++;
      continue;
    }
    if (op.error === undefined) continue;
    const thrown = isUnhandled(op);
    if (thrown) unhandled++;
    const kind = errorKind(op.error);
    const id = `${op.f}\u0000${op.type}\u0000${thrown}\u0000${kind}`;
    const seen = errors.get(id);
    if (seen) seen.count++;
    else errors.set(id, { kind, type: op.type, f: op.f, count: 1, unhandled: thrown, firstOp: op.index });
  }
  const required = options.fs ?? [...byF.keys()];
  const neverOk = required.filter((f) => (byF.get(f)?.invoke ?? 0) > 0 && byF.get(f)?.ok === 0).sort();
  const listed = [...errors.values()].sort((a, b) => b.count - a.count).slice(0, MAX_KINDS);
  const base = {
    byF: Object.fromEntries([...byF.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    okFraction: completions === 0 ? null : oks / completions,
    neverOk,
    errors: listed,
    unhandledErrors: unhandled,
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
