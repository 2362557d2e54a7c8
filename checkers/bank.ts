/**
 * Bank: transfers between accounts preserve the total, and every read shows a consistent
 * snapshot (Jepsen's `bank` test checker).
 *
 * Op shapes (as Jepsen's):
 * - `transfer`: invoke with `value: {from, to, amount}`; completions are only counted.
 * - `read`: invoke with any value; `ok` with `value: {account: balance, ...}` — a JSON object
 *   (keys are then strings), a Map, or an EDN map; accounts are compared by their text, so
 *   account `1` and key `"1"` are the same account.
 *
 * Every `ok` read must name exactly the expected accounts, each with a numeric balance,
 * summing to the expected total; unless `negativeBalancesAllowed`, no balance may be
 * negative. When `accounts` or `total` are not given, the account set and total that most
 * reads show are taken as expected (and said so), rather than the first read's.
 */
import { InputError } from '../src/errors.js';
import type { History } from '../src/history/index.js';
import type { Checker, CheckResult, CommonCheckOptions } from './result.js';
import { asEntries, plural, verdictWord } from './values.js';

/** Options of `bank`. */
export interface BankOptions extends CommonCheckOptions {
  /** The accounts every read must show. Default: the set most reads show. */
  accounts?: readonly (string | number)[];
  /** The sum of all balances. Default: the total most reads show. */
  total?: number;
  /** Balances may go below zero (no check). */
  negativeBalancesAllowed?: boolean;
}

/** The kinds of bad read. */
export type BankErrorType =
  | 'unexpected-account'
  | 'missing-account'
  | 'nil-balance'
  | 'wrong-total'
  | 'negative-balance';

/** One bad read, cited by the `op.index` of its completion. */
export interface BankError {
  type: BankErrorType;
  read: number;
  /** Accounts involved (unexpected, missing, nil or negative ones). */
  accounts?: string[];
  /** The read's total (wrong-total) or the sum of negative balances (negative-balance). */
  total?: number;
  /** How bad: the larger, the worse. */
  badness: number;
}

/** Per kind of error: how many, and the first, worst and last. */
export interface BankErrorSummary {
  count: number;
  first: BankError;
  worst: BankError;
  last: BankError;
  /** Wrong totals only: the reads with the lowest and highest totals. */
  lowest?: BankError;
  highest?: BankError;
}

/** What `bank` found. */
export interface BankResult extends CheckResult {
  readCount: number;
  errorCount: number;
  total: number | null;
  totalInferred: boolean;
  accounts: string[];
  accountsInferred: boolean;
  /** Transfers by outcome. */
  transfers: { ok: number; fail: number; info: number };
  firstError: BankError | null;
  errors: Partial<Record<BankErrorType, BankErrorSummary>>;
}

interface Snapshot {
  read: number;
  balances: Map<string, number | null>;
}

function snapshotOf(value: unknown, index: number): Snapshot {
  const entries = asEntries(value);
  if (!entries) {
    throw new InputError(`op ${index}: an ok read must return a map of account to balance`, {
      field: 'value',
    });
  }
  const balances = new Map<string, number | null>();
  for (const [account, balance] of entries) {
    if (balance !== null && balance !== undefined && typeof balance !== 'number') {
      throw new InputError(`op ${index}: balance of account ${String(account)} is not a number`, {
        field: `value.${String(account)}`,
      });
    }
    balances.set(String(account), balance ?? null);
  }
  return { read: index, balances };
}

function sumOf(s: Snapshot): number | null {
  let sum = 0;
  for (const b of s.balances.values()) {
    if (b === null) return null;
    sum += b;
  }
  return sum;
}

/** The value most items map to (ties go to the earliest), or undefined when there are none. */
function mostCommon<T>(items: T[], key: (t: T) => string | undefined): T | undefined {
  const counts = new Map<string, { item: T; n: number }>();
  let best: { item: T; n: number } | undefined;
  for (const item of items) {
    const k = key(item);
    if (k === undefined) continue;
    const c = counts.get(k) ?? { item, n: 0 };
    c.n++;
    counts.set(k, c);
    if (!best || c.n > best.n) best = c;
  }
  return best?.item;
}

/** Checks every ok read for the expected accounts, total and sign. O(reads × accounts). */
export function checkBank(history: History, options: BankOptions = {}): BankResult {
  const snapshots: Snapshot[] = [];
  const transfers = { ok: 0, fail: 0, info: 0 };
  for (const op of history.ops) {
    if (op.process === 'nemesis') continue;
    if (op.f === 'read' && op.type === 'ok') snapshots.push(snapshotOf(op.value, op.index));
    else if (op.f === 'transfer' && op.type !== 'invoke') transfers[op.type]++;
  }
  for (const p of history.incomplete()) if (p.f === 'transfer') transfers.info++;

  const accountsKey = (s: Snapshot) => [...s.balances.keys()].sort().join('\u0000');
  const accounts = options.accounts
    ? options.accounts.map(String).sort()
    : [...(mostCommon(snapshots, accountsKey)?.balances.keys() ?? [])].sort();
  const expected = new Set(accounts);
  const totalOf = mostCommon(snapshots, (s) => {
    const sum = sumOf(s);
    return sum === null ? undefined : String(sum);
  });
  const total = options.total ?? (totalOf ? sumOf(totalOf) : null);

  const found: BankError[] = [];
  for (const s of snapshots) {
    const unexpected = [...s.balances.keys()].filter((a) => !expected.has(a));
    if (unexpected.length) {
      found.push({
        type: 'unexpected-account',
        read: s.read,
        accounts: unexpected,
        badness: unexpected.length,
      });
    }
    const missing = accounts.filter((a) => !s.balances.has(a));
    if (missing.length)
      found.push({ type: 'missing-account', read: s.read, accounts: missing, badness: missing.length });
    const nils = [...s.balances].filter(([, b]) => b === null).map(([a]) => a);
    if (nils.length) found.push({ type: 'nil-balance', read: s.read, accounts: nils, badness: nils.length });
    const sum = sumOf(s);
    if (sum !== null && total !== null && Math.abs(sum - total) > 1e-9 * Math.max(1, Math.abs(total))) {
      found.push({
        type: 'wrong-total',
        read: s.read,
        total: sum,
        badness: Math.abs(sum - total) / (Math.abs(total) || 1),
      });
    }
    if (!options.negativeBalancesAllowed) {
      const negative = [...s.balances].filter(([, b]) => b !== null && b < 0);
      if (negative.length) {
        const sumNegative = negative.reduce((acc, [, b]) => acc + (b as number), 0);
        found.push({
          type: 'negative-balance',
          read: s.read,
          accounts: negative.map(([a]) => a),
          total: sumNegative,
          badness: -sumNegative,
        });
      }
    }
  }

  const errors: Partial<Record<BankErrorType, BankErrorSummary>> = {};
  for (const e of found) {
    const s = errors[e.type];
    if (!s) {
      errors[e.type] = { count: 1, first: e, worst: e, last: e };
      continue;
    }
    s.count++;
    s.last = e;
    if (e.badness > s.worst.badness) s.worst = e;
  }
  const wrong = found.filter((e) => e.type === 'wrong-total');
  if (wrong.length && errors['wrong-total']) {
    errors['wrong-total'].lowest = wrong.reduce((a, b) => (b.total! < a.total! ? b : a));
    errors['wrong-total'].highest = wrong.reduce((a, b) => (b.total! > a.total! ? b : a));
  }
  const firstError = found.reduce<BankError | null>((a, b) => (a === null || b.read < a.read ? b : a), null);
  const base = {
    readCount: snapshots.length,
    errorCount: found.length,
    total,
    totalInferred: options.total === undefined,
    accounts,
    accountsInferred: options.accounts === undefined,
    transfers,
    firstError,
    errors,
  };
  if (found.length) return { valid: false, ...base };
  if (snapshots.length === 0) return { valid: 'unknown', reason: 'the accounts were never read', ...base };
  return { valid: true, ...base };
}

/** `--checker bank`. */
export const bankChecker: Checker<BankOptions> = {
  name: 'bank',
  description: 'bank transfers: every read shows the expected accounts, the same total, no negative balance',
  check: (history, options) => checkBank(history, options),
  explain(result) {
    const r = result as BankResult;
    const lines = [
      `${verdictWord(r.valid)}${r.reason ? `: ${r.reason}` : ''}: ${plural(r.readCount, 'read')} of ${plural(r.accounts.length, 'account')} (total ${r.total ?? '?'}${r.totalInferred ? ', as most reads show' : ''}); ${plural(r.errorCount, 'error')}.`,
      `transfers: ${r.transfers.ok} ok, ${r.transfers.fail} failed, ${r.transfers.info} unknown.`,
    ];
    for (const [type, s] of Object.entries(r.errors)) {
      const w = s.worst;
      const detail = w.type === 'wrong-total' ? `total ${w.total}` : `accounts ${w.accounts?.join(', ')}`;
      lines.push(
        `  ${type}: ${plural(s.count, 'read')}; first at op ${s.first.read}, worst at op ${w.read} (${detail})`,
      );
    }
    return lines.join('\n');
  },
};
