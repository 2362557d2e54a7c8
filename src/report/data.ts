/**
 * The data a report embeds: the run's facts and results, and the history in a compact
 * form — columns of varints (one row per operation: start, latency, process, outcome, f;
 * columns.ts), sampled for a long run, a downsampled latency scatter, and the values of the
 * ops a person is likely to look at. Pure: ops and JSON in, JSON out.
 */
import { analyzePerfRows, describeValue, type PerfResult } from '../../checkers/perf.js';
import type { CheckResult } from '../../checkers/result.js';
import { familyStyles } from '../../nemeses/families.js';
import { PairingRules } from '../history/history.js';
import type { Op } from '../history/op.js';
import { VarintWriter } from './columns.js';
import { describeRecovery } from './recovery.js';

/** Outcome codes of the timeline's `type` column. */
export const TYPE_CODES = { ok: 0, fail: 1, info: 2, open: 3 } as const;

/**
 * The history as columns, one row per operation (an invocation and its completion), in
 * invocation order; each column is base64 of varints (see columns.ts, which decodes them).
 */
export interface TimelineColumns {
  rows: number;
  /** Signed: invocation time in microseconds since the test began, as the difference from the row before. */
  start: string;
  /** Signed: completion time minus invocation time, in microseconds (0 when never completed). */
  latency: string;
  /** Signed: the process; -1 for the nemesis. */
  process: string;
  /** One byte a row: {@link TYPE_CODES}. */
  type: string;
  /** Unsigned: index into `fs`. */
  f: string;
  /** Signed: `op.index` of the invocation, as the difference from the row before. */
  invokeIndex: string;
  /** Signed: `op.index` of the completion minus that of the invocation (0 when none). */
  completionGap: string;
  fs: string[];
  /**
   * Set when the timeline is a sample (a long run): the rows the history had. Every fail,
   * info, never-completed, nemesis and result-cited op is kept; oks are sampled evenly.
   */
  totalRows?: number;
}

/** A downsampled latency scatter: every fail and info, oks sampled evenly; columns as in {@link TimelineColumns}. */
export interface Scatter {
  points: number;
  /** Signed: invocation time in microseconds, as the difference from the point before (sorted by time). */
  time: string;
  /** Unsigned: latency in microseconds (at least 1). */
  latency: string;
  /** One byte a point: the outcome code. */
  type: string;
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
  /**
   * Rows the timeline aims at (see {@link TimelineColumns.totalRows}); every op that is not a
   * client ok is kept even past it. Default 200,000.
   */
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

/**
 * Builds the report's data from the ops of a run, its results and its facts. The same data as
 * {@link ReportBuilder} gives from the same ops streamed past (renderRunReport does that).
 */
export function buildReportData(
  ops: readonly Op[],
  results: CheckResult | null,
  facts: Record<string, unknown>,
  limits: ReportLimits = {},
): ReportData {
  const builder = new ReportBuilder(results, limits);
  for (let at = 0; at < ops.length; at++) builder.scan(ops[at]!, at);
  for (const at of builder.plan()) builder.keepValue(ops[at]!, at);
  return builder.data(facts);
}

/** The open row of a process while pairing: an index into the rows, or -1. */
const NO_ROW = -1;

/**
 * The report's data built from a history in bounded memory: {@link scan} every op in order
 * (it keeps typed-array columns, one row per invocation and its completion, the nemesis's
 * ops, and the text of the ops whose values the report is likely to show: nemesis, cited
 * and, while the history is short, all), then {@link plan} answers the positions of the ops
 * whose text is still missing (rare: a short sample of a long history), {@link keepValue}
 * those (a file is read again), and {@link data} gives the report's data. No object is kept
 * per client op, so a ten-million-op history costs a few hundred MB here, not GBs.
 */
export class ReportBuilder {
  private count = 0;
  private capacity = 0;
  // Rows in invocation order. Positions are the ops' places in the history; times ns.
  private invokeAt = new Int32Array(0);
  private completionAt = new Int32Array(0);
  private invokeTime = new Float64Array(0);
  private completionTime = new Float64Array(0);
  private invokeIndex = new Float64Array(0);
  private completionIndex = new Float64Array(0);
  /** -1 for the nemesis, as the timeline's column has it. */
  private process = new Float64Array(0);
  private isNemesis = new Uint8Array(0);
  /** {@link TYPE_CODES} of the completion; `open` when none. */
  private type = new Uint8Array(0);
  private fId = new Uint32Array(0);
  private readonly fNames: string[] = [];
  private readonly fIds = new Map<string, number>();

  // The open row of each process: by process number in an array, as processes are small
  // integers (a Map with a delete per op costs seconds at 10M ops); others in a Map.
  private dense = new Int32Array(64).fill(NO_ROW);
  private readonly sparse = new Map<unknown, number>();
  /** The open invocation of each process (as the rows above), until its completion. */
  private readonly denseInvoke: (Op | undefined)[] = [];
  private readonly sparseInvoke = new Map<unknown, Op | undefined>();

  /** The perf checker's pairing rules, applied as ops pass (perf is computed from the rows). */
  private readonly rules = new PairingRules();
  private pairingError: Error | undefined;
  private readonly nemesisOps: Op[] = [];

  private readonly cited: Set<number>;
  private readonly valueChars: number;
  private readonly allValuesUpTo: number;
  /** The text of ops by position: those whose values the report is likely to show. */
  private readonly described = new Map<number, string>();

  // Set by plan(): the rows drawn, and those of them whose values are shown.
  private rows: Int32Array = new Int32Array(0);
  private allValues = false;
  private valueRows: Int32Array = new Int32Array(0);

  constructor(
    private readonly results: CheckResult | null,
    private readonly limits: ReportLimits = {},
  ) {
    this.cited = referencedOps(results);
    this.valueChars = limits.valueChars ?? 200;
    this.allValuesUpTo = limits.allValuesUpTo ?? 20_000;
  }

  /** Takes the op at `position` of the history (0, 1, 2 … in order). */
  scan(op: Op, position: number): void {
    if (!this.pairingError) {
      try {
        this.rules.next(op, position);
      } catch (err) {
        this.pairingError = err as Error;
      }
    }
    if (op.process === 'nemesis') this.nemesisOps.push(op);
    let row = NO_ROW;
    if (op.type === 'invoke') {
      row = this.newRow(op, position);
      this.setOpen(op.process, row, op);
    } else {
      row = this.openRow(op.process);
      if (row >= 0) {
        this.complete(row, op, position);
        const invoke = this.openInvoke(op.process);
        this.setOpen(op.process, NO_ROW, undefined);
        // A row is shown whole when either of its ops is cited.
        if (this.cited.has(op.index) && invoke) this.keepValue(invoke, this.invokeAt[row]!);
        if (this.cited.has(this.invokeIndex[row]!)) this.keepValue(op, position);
      } else if (op.process === 'nemesis') {
        // An unmatched nemesis completion is its own row.
        row = this.newRow(op, position);
        this.complete(row, op, position);
      }
      // Other unmatched completions are dropped: a report must still show a torn history.
    }
    // Rows past allValuesUpTo are shown only if the history stays that short (or its sample
    // is): their text is then read again (see plan()).
    if (row >= 0 && (row < this.allValuesUpTo || op.process === 'nemesis' || this.cited.has(op.index)))
      this.keepValue(op, position);
  }

  /**
   * After the last {@link scan}: chooses the rows the timeline draws and answers the
   * positions (ascending) of the ops whose values the report shows but whose text was not
   * kept while scanning; pass each to {@link keepValue}.
   */
  plan(): Int32Array {
    this.rows = this.sampleRows(this.limits.timelineRows ?? 200_000);
    const n = this.rows.length;
    this.allValues = n <= this.allValuesUpTo;
    const shown: number[] = [];
    const missing: number[] = [];
    const want = (position: number): void => {
      if (!this.described.has(position)) missing.push(position);
    };
    for (let i = 0; i < n; i++) {
      const r = this.rows[i]!;
      const completed = this.type[r] !== TYPE_CODES.open;
      if (
        this.allValues ||
        this.isNemesis[r] ||
        this.cited.has(this.invokeIndex[r]!) ||
        (completed && this.cited.has(this.completionIndex[r]!))
      ) {
        shown.push(i);
        want(this.invokeAt[r]!);
        if (completed) want(this.completionAt[r]!);
      }
    }
    this.valueRows = Int32Array.from(shown);
    return Int32Array.from(new Set(missing)).sort();
  }

  /** Keeps the text of the op at `position` (one {@link plan} answered). */
  keepValue(op: Op, position: number): void {
    this.described.set(position, clip(describeOp(op), this.valueChars));
  }

  /** The report's data, after {@link plan} and {@link keepValue}. */
  data(facts: Record<string, unknown>): ReportData {
    const warnings: string[] = [];
    const { rows } = this;
    const n = rows.length;
    const start = new VarintWriter(n * 2);
    const latency = new VarintWriter(n * 2);
    const process = new VarintWriter(n);
    const type = new Uint8Array(n);
    const f = new VarintWriter(n);
    const invokeIndex = new VarintWriter(n);
    const completionGap = new VarintWriter(n);
    // The timeline numbers fs in order of first appearance among the rows it draws.
    const fs: string[] = [];
    const timelineF = new Int32Array(this.fNames.length).fill(-1);
    let lastStartUs = 0;
    let lastIndex = 0;
    for (let i = 0; i < n; i++) {
      const r = rows[i]!;
      const completed = this.type[r] !== TYPE_CODES.open;
      const startUs = Math.round(this.invokeTime[r]! / 1e3);
      start.signed(startUs - lastStartUs);
      lastStartUs = startUs;
      latency.signed(completed ? Math.round(this.completionTime[r]! / 1e3) - startUs : 0);
      process.signed(this.process[r]!);
      type[i] = this.type[r]!;
      const ownF = this.fId[r]!;
      if (timelineF[ownF] === -1) {
        timelineF[ownF] = fs.length;
        fs.push(this.fNames[ownF]!);
      }
      f.unsigned(timelineF[ownF]!);
      invokeIndex.signed(this.invokeIndex[r]! - lastIndex);
      lastIndex = this.invokeIndex[r]!;
      completionGap.signed(completed ? this.completionIndex[r]! - this.invokeIndex[r]! : 0);
    }

    const perf = this.perf(warnings);
    const values: Record<number, [string, string]> = {};
    for (const i of this.valueRows) {
      const r = rows[i]!;
      const text = (position: number): string => this.described.get(position) ?? '';
      values[i] = [
        text(this.invokeAt[r]!),
        this.type[r] === TYPE_CODES.open ? '' : text(this.completionAt[r]!),
      ];
    }

    return {
      generatedAt: new Date().toISOString(),
      facts,
      results: this.results,
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
        ...(n === this.count ? {} : { totalRows: this.count }),
      },
      scatter: this.scatter(this.limits.scatterPoints ?? 60_000),
      values,
      allValues: this.allValues,
      warnings,
      faultStyles: familyStyles(),
    };
  }

  private newRow(op: Op, position: number): number {
    if (this.count === this.capacity) this.grow();
    const r = this.count++;
    this.invokeAt[r] = position;
    this.invokeTime[r] = op.time;
    this.invokeIndex[r] = op.index;
    const nemesis = op.process === 'nemesis';
    this.isNemesis[r] = nemesis ? 1 : 0;
    this.process[r] = op.process === 'nemesis' ? -1 : op.process;
    this.type[r] = TYPE_CODES.open;
    let id = this.fIds.get(op.f);
    if (id === undefined) {
      id = this.fNames.length;
      this.fIds.set(op.f, id);
      this.fNames.push(op.f);
    }
    this.fId[r] = id;
    return r;
  }

  private complete(row: number, op: Op, position: number): void {
    this.completionAt[row] = position;
    this.completionTime[row] = op.time;
    this.completionIndex[row] = op.index;
    this.type[row] = TYPE_CODES[op.type as 'ok' | 'fail' | 'info'];
  }

  private grow(): void {
    const capacity = Math.max(1024, this.capacity * 2);
    const grown = <T extends Int32Array | Float64Array | Uint8Array | Uint32Array>(
      old: T,
      make: (length: number) => T,
    ): T => {
      const next = make(capacity);
      next.set(old);
      return next;
    };
    this.invokeAt = grown(this.invokeAt, (l) => new Int32Array(l));
    this.completionAt = grown(this.completionAt, (l) => new Int32Array(l));
    this.invokeTime = grown(this.invokeTime, (l) => new Float64Array(l));
    this.completionTime = grown(this.completionTime, (l) => new Float64Array(l));
    this.invokeIndex = grown(this.invokeIndex, (l) => new Float64Array(l));
    this.completionIndex = grown(this.completionIndex, (l) => new Float64Array(l));
    this.process = grown(this.process, (l) => new Float64Array(l));
    this.isNemesis = grown(this.isNemesis, (l) => new Uint8Array(l));
    this.type = grown(this.type, (l) => new Uint8Array(l));
    this.fId = grown(this.fId, (l) => new Uint32Array(l));
    this.capacity = capacity;
  }

  private static isDense(p: Op['process']): p is number {
    return typeof p === 'number' && p >= 0 && p < 1 << 24 && p % 1 === 0;
  }

  private openRow(p: Op['process']): number {
    return ReportBuilder.isDense(p) ? (this.dense[p] ?? NO_ROW) : (this.sparse.get(p) ?? NO_ROW);
  }

  private openInvoke(p: Op['process']): Op | undefined {
    return ReportBuilder.isDense(p) ? this.denseInvoke[p] : this.sparseInvoke.get(p);
  }

  private setOpen(p: Op['process'], row: number, invoke: Op | undefined): void {
    if (!ReportBuilder.isDense(p)) {
      this.sparse.set(p, row);
      this.sparseInvoke.set(p, invoke);
    } else {
      this.denseInvoke[p] = invoke;
      if (p >= this.dense.length) {
        const grown = new Int32Array(Math.max(p + 1, this.dense.length * 2)).fill(NO_ROW);
        grown.set(this.dense);
        this.dense = grown;
      }
      this.dense[p] = row;
    }
  }

  /**
   * The rows a long run's timeline draws (all of them when they fit in `max`): every row that
   * is not a client `ok`, and those the results cite, whatever their number, then oks evenly
   * spaced up to `max` rows in all — so a report of ten million ops stays a few MB and loads
   * in a second or two.
   */
  private sampleRows(max: number): Int32Array {
    const { count, cited } = this;
    if (count <= max) return Int32Array.from({ length: count }, (_, i) => i);
    const must = new Uint8Array(count);
    let kept = 0;
    for (let r = 0; r < count; r++) {
      const completed = this.type[r] !== TYPE_CODES.open;
      if (
        this.isNemesis[r] ||
        this.type[r] !== TYPE_CODES.ok ||
        cited.has(this.invokeIndex[r]!) ||
        (completed && cited.has(this.completionIndex[r]!))
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

  /** The stored perf figures, else those of the rows (as the perf checker would give them). */
  private perf(warnings: string[]): PerfResult | null {
    const stored = (this.results?.results as Record<string, unknown> | undefined)?.perf as
      | PerfResult
      | undefined;
    if (stored && Array.isArray(stored.windows)) return stored;
    try {
      if (this.pairingError) throw this.pairingError;
      const clientRows: number[] = [];
      for (let r = 0; r < this.count; r++) if (!this.isNemesis[r]) clientRows.push(r);
      const outcomes = ['ok', 'fail', 'info', undefined] as const;
      return analyzePerfRows(
        {
          count: clientRows.length,
          invokeTime: (i) => this.invokeTime[clientRows[i]!]!,
          invokeIndex: (i) => this.invokeIndex[clientRows[i]!]!,
          completionTime: (i) => this.completionTime[clientRows[i]!]!,
          completionIndex: (i) => this.completionIndex[clientRows[i]!]!,
          outcome: (i) => outcomes[this.type[clientRows[i]!]!],
          f: (i) => this.fNames[this.fId[clientRows[i]!]!]!,
        },
        this.nemesisOps,
      );
    } catch (err) {
      warnings.push(`performance figures unavailable: ${(err as Error).message}`);
      return null;
    }
  }

  /** Every fail and info kept, oks sampled evenly: see {@link Scatter}. */
  private scatter(maxPoints: number): Scatter {
    const { count } = this;
    // Client rows that completed, with their invocation time, completion time and outcome.
    const each = (visit: (invokeTime: number, completionTime: number, type: number) => void): void => {
      for (let r = 0; r < count; r++) {
        if (this.type[r] === TYPE_CODES.open || this.isNemesis[r]) continue;
        visit(this.invokeTime[r]!, this.completionTime[r]!, this.type[r]!);
      }
    };
    let okTotal = 0;
    let others = 0;
    each((_i, _c, type) => {
      if (type === TYPE_CODES.ok) okTotal++;
      else others++;
    });
    // Fails and infos are all kept unless they alone would pass half the budget.
    const otherBudget = Math.min(others, Math.max(maxPoints >> 1, maxPoints - okTotal));
    const okBudget = Math.max(0, maxPoints - otherBudget);
    const okEvery = okTotal <= okBudget ? 1 : okTotal / Math.max(1, okBudget);
    const otherEvery = others <= otherBudget ? 1 : others / Math.max(1, otherBudget);
    const time = new VarintWriter(maxPoints * 2);
    const latency = new VarintWriter(maxPoints * 2);
    const types: number[] = [];
    let okKept = 0;
    let lastUs = 0;
    // Evenly spaced in each sequence, so dense periods stay dense.
    let okSeen = 0;
    let nextOk = 0;
    let otherSeen = 0;
    let nextOther = 0;
    each((invokeTime, completionTime, type) => {
      if (type === TYPE_CODES.ok) {
        if (okSeen++ < nextOk) return;
        nextOk += okEvery;
        okKept++;
      } else {
        if (otherSeen++ < nextOther) return;
        nextOther += otherEvery;
      }
      const us = Math.round(invokeTime / 1e3);
      time.signed(us - lastUs);
      lastUs = us;
      latency.unsigned(Math.max(1, Math.round((completionTime - invokeTime) / 1e3)));
      types.push(type);
    });
    return {
      points: types.length,
      time: b64(time.view()),
      latency: b64(latency.view()),
      type: b64(Uint8Array.from(types)),
      okKept,
      okTotal,
    };
  }
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
