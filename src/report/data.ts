/**
 * The data a report embeds: the run's facts and results, and the history in a compact
 * form — typed columns (one row per operation: start, end, process, outcome, f) encoded in
 * base64, a downsampled latency scatter, and the values of the ops a person is likely to
 * look at. Pure: ops and JSON in, JSON out.
 */
import { analyzePerf, describeValue, type PerfResult } from '../../checkers/perf.js';
import type { CheckResult } from '../../checkers/result.js';
import { familyStyles } from '../../nemeses/families.js';
import { History } from '../history/history.js';
import type { Op } from '../history/op.js';
import { describeRecovery } from './recovery.js';

/** Outcome codes of the timeline's `type` column. */
export const TYPE_CODES = { ok: 0, fail: 1, info: 2, open: 3 } as const;

/** The history as columns, one row per operation (an invocation and its completion). */
export interface TimelineColumns {
  rows: number;
  /** Float64 seconds since the test began: invocation, completion (NaN: never completed). */
  start: string;
  end: string;
  /** Int32: the process; -1 for the nemesis. */
  process: string;
  /** Uint8: {@link TYPE_CODES}. */
  type: string;
  /** Uint16: index into `fs`. */
  f: string;
  /** Int32 `op.index` of the invocation and of the completion (-1: none). */
  invokeIndex: string;
  completionIndex: string;
  fs: string[];
  /**
   * Set when the timeline is a sample (a long run): the rows the history had. Every fail,
   * info, never-completed, nemesis and result-cited op is kept; oks are sampled evenly.
   */
  totalRows?: number;
}

/** A downsampled latency scatter: every fail and info, oks sampled evenly. */
export interface Scatter {
  /** Invocation time (s), latency (ms) and outcome code, sorted by time. */
  time: number[];
  latency: number[];
  type: number[];
  /** oks kept / oks in the history. */
  okKept: number;
  okTotal: number;
}

/** Everything report.html shows, as JSON. */
export interface ReportData {
  generatedAt: string;
  facts: Record<string, unknown>;
  results: CheckResult | null;
  perf: PerfResult | null;
  /** The words for each of `perf.recoveries`, in order. */
  recoveryText: string[];
  timeline: TimelineColumns;
  scatter: Scatter;
  /** Row → [invocation text, completion text] for the ops whose values are kept. */
  values: Record<number, [string, string]>;
  /** True when every op's value is kept (small histories). */
  allValues: boolean;
  /** Problems met building the report (a history that would not pair, ...). */
  warnings: string[];
  /** How fault windows of each kind are drawn: the nemesis families' own styles. */
  faultStyles: Record<string, FaultStyle>;
}

/** A fault kind's legend label and colours (CSS). */
export interface FaultStyle {
  label: string;
  fill: string;
  text: string;
}

/** Limits that keep a report of a million ops small. */
export interface ReportLimits {
  /** Most points in the latency scatter (fails and infos are always kept). Default 60,000. */
  scatterPoints?: number;
  /** Histories with at most this many operations keep every value. Default 20,000. */
  allValuesUpTo?: number;
  /** Characters kept of a value. Default 200. */
  valueChars?: number;
  /** Most rows in the timeline (see {@link TimelineColumns.totalRows}). Default 500,000. */
  timelineRows?: number;
}

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
export function buildReportData(
  ops: readonly Op[],
  results: CheckResult | null,
  facts: Record<string, unknown>,
  limits: ReportLimits = {},
): ReportData {
  const warnings: string[] = [];
  const allRows = pairOps(ops);
  const rows = sampleRows(allRows, results, limits.timelineRows ?? 500_000);
  const n = rows.length;
  const start = new Float64Array(n);
  const end = new Float64Array(n);
  const process = new Int32Array(n);
  const type = new Uint8Array(n);
  const f = new Uint16Array(n);
  const invokeIndex = new Int32Array(n);
  const completionIndex = new Int32Array(n);
  const fs: string[] = [];
  const fIds = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const { invoke, completion } = rows[i]!;
    start[i] = invoke.time / 1e9;
    end[i] = completion ? completion.time / 1e9 : Number.NaN;
    process[i] = invoke.process === 'nemesis' ? -1 : invoke.process;
    type[i] = completion ? TYPE_CODES[completion.type as 'ok' | 'fail' | 'info'] : TYPE_CODES.open;
    let id = fIds.get(invoke.f);
    if (id === undefined) {
      id = Math.min(fs.length, 0xffff);
      if (fs.length < 0xffff) {
        fIds.set(invoke.f, id);
        fs.push(invoke.f);
      }
    }
    f[i] = id;
    invokeIndex[i] = invoke.index;
    completionIndex[i] = completion ? completion.index : -1;
  }

  const perf = perfOf(ops, results, warnings);
  const valueChars = limits.valueChars ?? 200;
  const allValues = n <= (limits.allValuesUpTo ?? 20_000);
  const values: Record<number, [string, string]> = {};
  const keep = (row: number): void => {
    const { invoke, completion } = rows[row]!;
    values[row] = [
      clip(describeOp(invoke), valueChars),
      completion ? clip(describeOp(completion), valueChars) : '',
    ];
  };
  if (allValues) for (let i = 0; i < n; i++) keep(i);
  else {
    const rowOf = rowByIndex(rows);
    for (const index of referencedOps(results)) {
      const row = rowOf.get(index);
      if (row !== undefined) keep(row);
    }
    for (let i = 0; i < n; i++) if (process[i] === -1) keep(i);
  }

  return {
    generatedAt: new Date().toISOString(),
    facts,
    results,
    perf,
    recoveryText: (perf?.recoveries ?? []).map(describeRecovery),
    timeline: {
      rows: n,
      start: b64(start),
      end: b64(end),
      process: b64(process),
      type: b64(type),
      f: b64(f),
      invokeIndex: b64(invokeIndex),
      completionIndex: b64(completionIndex),
      fs,
      ...(rows === allRows ? {} : { totalRows: allRows.length }),
    },
    scatter: scatter(allRows, limits.scatterPoints ?? 60_000),
    values,
    allValues,
    warnings,
    faultStyles: familyStyles(),
  };
}

interface Row {
  invoke: Op;
  completion: Op | undefined;
}

/**
 * Invocations with their completions, in invocation order. Tolerant of torn or malformed
 * histories (a report must still show them): an unmatched completion is dropped.
 */
function pairOps(ops: readonly Op[]): Row[] {
  const rows: Row[] = [];
  const open = new Map<unknown, Row>();
  for (const op of ops) {
    if (op.type === 'invoke') {
      const row: Row = { invoke: op, completion: undefined };
      rows.push(row);
      open.set(op.process, row);
    } else {
      const row = open.get(op.process);
      if (row) {
        row.completion = op;
        open.delete(op.process);
      } else if (op.process === 'nemesis') rows.push({ invoke: op, completion: op });
    }
  }
  return rows;
}

/**
 * The rows a long run's timeline draws, at most about `max` (all of them when they fit):
 * every row that is not a client `ok`, and those the results cite, then oks evenly spaced,
 * so that a report of ten million ops stays a few tens of MB.
 */
function sampleRows(rows: Row[], results: CheckResult | null, max: number): Row[] {
  if (rows.length <= max) return rows;
  const cited = referencedOps(results);
  const must = (r: Row): boolean =>
    r.invoke.process === 'nemesis' ||
    r.completion?.type !== 'ok' ||
    cited.has(r.invoke.index) ||
    cited.has(r.completion.index);
  let kept = 0;
  for (const r of rows) if (must(r)) kept++;
  const oks = rows.length - kept;
  const every = oks / Math.max(1, max - kept);
  const out: Row[] = [];
  let seen = 0;
  let next = 0;
  for (const r of rows) {
    if (must(r)) out.push(r);
    else if (seen++ >= next) {
      next += every;
      out.push(r);
    }
  }
  return out;
}

function rowByIndex(rows: readonly Row[]): Map<number, number> {
  const m = new Map<number, number>();
  rows.forEach((r, i) => {
    m.set(r.invoke.index, i);
    if (r.completion) m.set(r.completion.index, i);
  });
  return m;
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
        ops.map((op) => ({ ...op })),
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

function b64(a: ArrayBufferView): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

function scatter(rows: readonly Row[], maxPoints: number): Scatter {
  let okTotal = 0;
  let others = 0;
  for (const r of rows) {
    if (!r.completion || r.invoke.process === 'nemesis') continue;
    if (r.completion.type === 'ok') okTotal++;
    else others++;
  }
  // Fails and infos are all kept unless they alone would pass half the budget.
  const otherBudget = Math.min(others, Math.max(maxPoints >> 1, maxPoints - okTotal));
  const okBudget = Math.max(0, maxPoints - otherBudget);
  const okEvery = okTotal <= okBudget ? 1 : okTotal / Math.max(1, okBudget);
  const otherEvery = others <= otherBudget ? 1 : others / Math.max(1, otherBudget);
  const out: Scatter = { time: [], latency: [], type: [], okKept: 0, okTotal };
  // Evenly spaced in each sequence, so dense periods stay dense.
  let okSeen = 0;
  let nextOk = 0;
  let otherSeen = 0;
  let nextOther = 0;
  for (const r of rows) {
    const c = r.completion;
    if (!c || r.invoke.process === 'nemesis') continue;
    if (c.type === 'ok') {
      if (okSeen++ < nextOk) continue;
      nextOk += okEvery;
      out.okKept++;
    } else {
      if (otherSeen++ < nextOther) continue;
      nextOther += otherEvery;
    }
    out.time.push(Math.round(r.invoke.time / 1e3) / 1e6);
    out.latency.push(Math.max(0.001, Math.round((c.time - r.invoke.time) / 1e3) / 1e3));
    out.type.push(TYPE_CODES[c.type as 'ok' | 'fail' | 'info']);
  }
  return out;
}
