/**
 * The report's data as buildReportData built it before it could stream a history (one pass
 * over an array of ops), kept only so tests can check that today's builder, from an array or
 * a file, gives the very same data.
 */
import { analyzePerf, describeValue, type PerfResult } from '../../checkers/perf.js';
import type { CheckResult } from '../../checkers/result.js';
import { familyStyles } from '../../nemeses/families.js';
import { History } from '../../src/history/history.js';
import type { Op } from '../../src/history/op.js';
import { VarintWriter } from '../../src/report/columns.js';
import { type ReportData, type ReportLimits, type Scatter, TYPE_CODES } from '../../src/report/data.js';
import { describeRecovery } from '../../src/report/recovery.js';

/** Keys in checker results whose integer values are `op.index`es worth keeping values for. */
const OP_KEYS = new Set([
  'index',
  'completionIndex',
  'ops',
  'op',
  'acquire',
  'acquired',
  'release',
  'released',
  'add',
  'known',
  'lastSeen',
  'missedBy',
  'read',
  'finalRead',
  'linearizations',
  'startOp',
  'endOp',
]);

/** Builds the report's data from the ops of a run, its results and its facts. */
export function legacyBuildReportData(
  ops: readonly Op[],
  results: CheckResult | null,
  facts: Record<string, unknown>,
  limits: ReportLimits = {},
): ReportData {
  const warnings: string[] = [];
  const pairs = pairOps(ops);
  const cited = referencedOps(results);
  const rows = sampleRows(ops, pairs, cited, limits.timelineRows ?? 200_000);
  const n = rows.length;
  const invokeOf = (row: number): Op => ops[pairs.invokeAt[rows[row]!]!]!;
  const completionOf = (row: number): Op | undefined => {
    const at = pairs.completionAt[rows[row]!]!;
    return at < 0 ? undefined : ops[at];
  };
  const start = new VarintWriter(n * 2);
  const latency = new VarintWriter(n * 2);
  const process = new VarintWriter(n);
  const type = new Uint8Array(n);
  const f = new VarintWriter(n);
  const invokeIndex = new VarintWriter(n);
  const completionGap = new VarintWriter(n);
  const fs: string[] = [];
  const fIds = new Map<string, number>();
  let lastStartUs = 0;
  let lastIndex = 0;
  for (let i = 0; i < n; i++) {
    const invoke = invokeOf(i);
    const completion = completionOf(i);
    const startUs = Math.round(invoke.time / 1e3);
    start.signed(startUs - lastStartUs);
    lastStartUs = startUs;
    latency.signed(completion ? Math.round(completion.time / 1e3) - startUs : 0);
    process.signed(invoke.process === 'nemesis' ? -1 : invoke.process);
    type[i] = completion ? TYPE_CODES[completion.type as 'ok' | 'fail' | 'info'] : TYPE_CODES.open;
    let id = fIds.get(invoke.f);
    if (id === undefined) {
      id = fs.length;
      fIds.set(invoke.f, id);
      fs.push(invoke.f);
    }
    f.unsigned(id);
    invokeIndex.signed(invoke.index - lastIndex);
    lastIndex = invoke.index;
    completionGap.signed(completion ? completion.index - invoke.index : 0);
  }

  const perf = perfOf(ops, results, warnings);
  const valueChars = limits.valueChars ?? 200;
  const allValues = n <= (limits.allValuesUpTo ?? 20_000);
  const values: Record<number, [string, string]> = {};
  for (let i = 0; i < n; i++) {
    const invoke = invokeOf(i);
    const completion = completionOf(i);
    const keep =
      allValues ||
      invoke.process === 'nemesis' ||
      cited.has(invoke.index) ||
      (completion !== undefined && cited.has(completion.index));
    if (keep)
      values[i] = [
        clip(describeOp(invoke), valueChars),
        completion ? clip(describeOp(completion), valueChars) : '',
      ];
  }

  return {
    generatedAt: new Date().toISOString(),
    facts,
    results,
    perf,
    recoveryText: (perf?.recoveries ?? []).map(describeRecovery),
    timeline: {
      rows: n,
      start: b64(start.view()),
      latency: b64(latency.view()),
      process: b64(process.view()),
      type: b64(type),
      f: b64(f.view()),
      invokeIndex: b64(invokeIndex.view()),
      completionGap: b64(completionGap.view()),
      fs,
      ...(n === pairs.count ? {} : { totalRows: pairs.count }),
    },
    scatter: scatter(ops, pairs, limits.scatterPoints ?? 60_000),
    values,
    allValues,
    warnings,
    faultStyles: familyStyles(),
  };
}

/**
 * Rows as positions in `ops`: each invocation with its completion (-1: none), in invocation
 * order; typed arrays rather than an object per op, so a ten-million-op history costs tens
 * of MB here, not hundreds.
 */
interface Pairs {
  count: number;
  invokeAt: Int32Array;
  completionAt: Int32Array;
}

/**
 * Pairs invocations with their completions. Tolerant of torn or malformed histories (a report
 * must still show them): an unmatched completion is dropped, except a nemesis one, which is
 * its own row.
 */
function pairOps(ops: readonly Op[]): Pairs {
  const invokeAt = new Int32Array(ops.length);
  const completionAt = new Int32Array(ops.length);
  let count = 0;
  // The open row of each process (-1: none): by process number in an array, as processes are
  // small integers (a Map with a delete per op costs seconds at 10M ops); others in a Map.
  let dense = new Int32Array(64).fill(-1);
  const sparse = new Map<unknown, number>();
  const isDense = (p: Op['process']): p is number =>
    typeof p === 'number' && p >= 0 && p < 1 << 24 && p % 1 === 0;
  const openRow = (p: Op['process']): number => (isDense(p) ? (dense[p] ?? -1) : (sparse.get(p) ?? -1));
  const setOpen = (p: Op['process'], row: number): void => {
    if (!isDense(p)) sparse.set(p, row);
    else {
      if (p >= dense.length) {
        const grown = new Int32Array(Math.max(p + 1, dense.length * 2)).fill(-1);
        grown.set(dense);
        dense = grown;
      }
      dense[p] = row;
    }
  };
  for (let at = 0; at < ops.length; at++) {
    const op = ops[at]!;
    if (op.type === 'invoke') {
      invokeAt[count] = at;
      completionAt[count] = -1;
      setOpen(op.process, count++);
    } else {
      const row = openRow(op.process);
      if (row >= 0) {
        completionAt[row] = at;
        setOpen(op.process, -1);
      } else if (op.process === 'nemesis') {
        invokeAt[count] = at;
        completionAt[count++] = at;
      }
    }
  }
  return { count, invokeAt, completionAt };
}

/**
 * The rows a long run's timeline draws (all of them when they fit in `max`): every row that
 * is not a client `ok`, and those the results cite, whatever their number, then oks evenly
 * spaced up to `max` rows in all — so a report of ten million ops stays a few MB and loads in
 * a second or two.
 */
function sampleRows(ops: readonly Op[], pairs: Pairs, cited: ReadonlySet<number>, max: number): Int32Array {
  const { count, invokeAt, completionAt } = pairs;
  if (count <= max) return Int32Array.from({ length: count }, (_, i) => i);
  const must = new Uint8Array(count);
  let kept = 0;
  for (let r = 0; r < count; r++) {
    const invoke = ops[invokeAt[r]!]!;
    const completion = completionAt[r]! < 0 ? undefined : ops[completionAt[r]!]!;
    if (
      invoke.process === 'nemesis' ||
      completion?.type !== 'ok' ||
      cited.has(invoke.index) ||
      cited.has(completion.index)
    ) {
      must[r] = 1;
      kept++;
    }
  }
  const oks = count - kept;
  const every = oks / Math.max(1, max - kept);
  const out: number[] = [];
  let seen = 0;
  let next = 0;
  for (let r = 0; r < count; r++) {
    if (must[r]) out.push(r);
    else if (seen++ >= next) {
      next += every;
      out.push(r);
    }
  }
  return Int32Array.from(out);
}

/** Every `op.index` the results point at, walking the JSON (perf excepted: it points at faults). */
function referencedOps(results: CheckResult | null): Set<number> {
  const found = new Set<number>();
  const walk = (v: unknown, key: string, depth: number): void => {
    if (depth > 12 || found.size > 50_000) return;
    if (typeof v === 'number') {
      if (OP_KEYS.has(key) && Number.isInteger(v) && v >= 0) found.add(v);
    } else if (Array.isArray(v)) {
      for (const x of v) walk(x, key, depth + 1);
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) if (k !== 'perf') walk(x, k, depth + 1);
    }
  };
  walk(results, '', 0);
  return found;
}

function perfOf(ops: readonly Op[], results: CheckResult | null, warnings: string[]): PerfResult | null {
  const stored = (results?.results as Record<string, unknown> | undefined)?.perf as PerfResult | undefined;
  if (stored && Array.isArray(stored.windows)) return stored;
  try {
    return analyzePerf(
      History.from(
        // Not reindexed, so not changed: a copy of the array, not of every op.
        ops.slice(),
        { reindex: false },
      ),
    );
  } catch (err) {
    warnings.push(`performance figures unavailable: ${(err as Error).message}`);
    return null;
  }
}

function describeOp(op: Op): string {
  const value = describeValue(op.value) || (op.value === null ? 'nil' : '');
  const error = op.error === undefined ? '' : ` error: ${describeValue(op.error)}`;
  return `${op.type} ${op.f} ${value}${error}${op.node ? ` @${op.node}` : ''}`;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function scatter(ops: readonly Op[], pairs: Pairs, maxPoints: number): Scatter {
  const { count, invokeAt, completionAt } = pairs;
  // Client rows that completed, with their invocation and completion.
  const each = (visit: (invoke: Op, completion: Op) => void): void => {
    for (let r = 0; r < count; r++) {
      if (completionAt[r]! < 0) continue;
      const invoke = ops[invokeAt[r]!]!;
      if (invoke.process !== 'nemesis') visit(invoke, ops[completionAt[r]!]!);
    }
  };
  let okTotal = 0;
  let others = 0;
  each((_, c) => {
    if (c.type === 'ok') okTotal++;
    else others++;
  });
  // Fails and infos are all kept unless they alone would pass half the budget.
  const otherBudget = Math.min(others, Math.max(maxPoints >> 1, maxPoints - okTotal));
  const okBudget = Math.max(0, maxPoints - otherBudget);
  const okEvery = okTotal <= okBudget ? 1 : okTotal / Math.max(1, okBudget);
  const otherEvery = others <= otherBudget ? 1 : others / Math.max(1, otherBudget);
  const time = new VarintWriter(maxPoints * 2);
  const latency = new VarintWriter(maxPoints * 2);
  const type: number[] = [];
  let okKept = 0;
  let lastUs = 0;
  // Evenly spaced in each sequence, so dense periods stay dense.
  let okSeen = 0;
  let nextOk = 0;
  let otherSeen = 0;
  let nextOther = 0;
  each((invoke, c) => {
    if (c.type === 'ok') {
      if (okSeen++ < nextOk) return;
      nextOk += okEvery;
      okKept++;
    } else {
      if (otherSeen++ < nextOther) return;
      nextOther += otherEvery;
    }
    const us = Math.round(invoke.time / 1e3);
    time.signed(us - lastUs);
    lastUs = us;
    latency.unsigned(Math.max(1, Math.round((c.time - invoke.time) / 1e3)));
    type.push(TYPE_CODES[c.type as 'ok' | 'fail' | 'info']);
  });
  return {
    points: type.length,
    time: b64(time.view()),
    latency: b64(latency.view()),
    type: b64(Uint8Array.from(type)),
    okKept,
    okTotal,
  };
}
