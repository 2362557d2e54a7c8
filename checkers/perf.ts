/**
 * Performance under failure: throughput over time per `f` and outcome, latency quantiles
 * (HDR histograms) overall and per fault state, availability per window and per fault, the
 * longest stretch without an `ok`, and the time to recover after each heal. Always valid:
 * it measures, it does not judge. Pure: history in, figures out.
 */
import * as hdr from 'hdr-histogram-js';
import { InputError } from '../src/errors.js';
import type { History, Op } from '../src/history/index.js';
import { type FaultEvent, type FaultWindow, faultWindows } from './perf/faults.js';
import type { Checker, CheckResult, CommonCheckOptions } from './result.js';

export { describeValue, type FaultEvent, type FaultWindow, faultWindows } from './perf/faults.js';

/** Options of `perf`. */
export interface PerfOptions extends CommonCheckOptions {
  /** Width of the time windows in seconds; default: a round width giving at most 100 windows. */
  windowS?: number;
}

/** Latency quantiles in milliseconds, and how many ops they cover. */
export interface LatencyQuantiles {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/** The quantiles reported, by name, as fractions. */
export const QUANTILES = { p50: 0.5, p90: 0.9, p99: 0.99, p999: 0.999 } as const;

/** Availability during one fault window. */
export interface FaultAvailability extends FaultWindow {
  /** Completions (ok, fail, info) inside the window, and the oks among them. */
  completed: number;
  ok: number;
  /** ok / completed; `null` when nothing completed. */
  availability: number | null;
  /** Latency of the ops invoked during the window. */
  latency: LatencyQuantiles;
}

/** How long the system took to answer `ok` again after a fault was healed. */
export interface Recovery {
  kind: string;
  label: string;
  /** When the heal completed, and the first `ok` at or after it (seconds). */
  healedAt: number;
  firstOkAt: number | null;
  /** firstOkAt − healedAt, in seconds; `null` when no op succeeded afterwards. */
  recoverS: number | null;
  /**
   * False when nothing after the heal says whether the system recovered: no `ok`, and no op
   * invoked at or after the heal completed (e.g. the history ends with the heal). A `null`
   * recoverS is then "not measured", not "never".
   */
  measured: boolean;
}

/** The perf checker's result. Times are seconds since the test began; latencies milliseconds. */
export interface PerfResult extends CheckResult {
  valid: true;
  /** From the first client invocation to the last client completion. */
  start: number;
  end: number;
  /** Client ops by outcome (an invocation never completed counts as `info`). */
  counts: { ok: number; fail: number; info: number };
  windowS: number;
  /** Start of each window. */
  windows: number[];
  /** Completions per second in each window, per `f` and outcome (`read ok`, `write fail`, ...). */
  throughput: { f: string; type: 'ok' | 'fail' | 'info'; rate: number[] }[];
  /** Quantiles of the latency of the ops completing in each window (`null`: none completed). */
  latencyOverTime: Record<keyof typeof QUANTILES | 'max', (number | null)[]>;
  latency: {
    overall: LatencyQuantiles;
    /** By outcome: ok, fail, info (info only for ops that did answer, e.g. timeouts). */
    byType: Record<string, LatencyQuantiles>;
    byF: Record<string, LatencyQuantiles>;
    /** By the fault state at invocation: `healthy`, or the kinds in effect joined by `+`. */
    byState: Record<string, LatencyQuantiles>;
  };
  availability: {
    overall: number | null;
    /** ok / completed in each window; `null` when nothing completed. */
    windows: (number | null)[];
    byState: Record<string, number | null>;
    faults: FaultAvailability[];
  };
  /** The longest stretch without an `ok` completion, within [start, end]. */
  longestOutage: { from: number; to: number; durationS: number } | null;
  recoveries: Recovery[];
  faults: FaultWindow[];
  faultEvents: FaultEvent[];
}

const NICE_WINDOWS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600];
const MAX_WINDOWS = 100;

/** The smallest round window width that gives at most 100 windows over `span` seconds. */
export function chooseWindow(spanS: number): number {
  for (const w of NICE_WINDOWS) if (spanS / w <= MAX_WINDOWS) return w;
  return Math.ceil(spanS / MAX_WINDOWS);
}

/** Latencies are recorded in microseconds, to 3 significant digits. */
class Latencies {
  private readonly h = hdr.build({ numberOfSignificantValueDigits: 3, useWebAssembly: false });
  private count = 0;
  private maxUs = 0;
  add(us: number): void {
    this.h.recordValue(us);
    this.count++;
    if (us > this.maxUs) this.maxUs = us;
  }
  quantiles(): LatencyQuantiles {
    // HDR answers a bucket's highest equivalent value, which can pass the true maximum.
    const q = (p: number): number =>
      this.count === 0 ? 0 : ms(Math.min(this.maxUs, this.h.getValueAtPercentile(p * 100)));
    return {
      count: this.count,
      p50: q(QUANTILES.p50),
      p90: q(QUANTILES.p90),
      p99: q(QUANTILES.p99),
      p999: q(QUANTILES.p999),
      max: ms(this.maxUs),
    };
  }
}

function ms(us: number): number {
  return Math.round(us) / 1000;
}

class Group<K> {
  private readonly map = new Map<K, Latencies>();
  get(key: K): Latencies {
    let l = this.map.get(key);
    if (!l) {
      l = new Latencies();
      this.map.set(key, l);
    }
    return l;
  }
  quantiles(): Record<string, LatencyQuantiles> {
    return Object.fromEntries([...this.map].map(([k, l]) => [String(k), l.quantiles()]));
  }
}

/** Fault states over time: the kinds in effect between consecutive change points. */
class FaultStates {
  private readonly times: number[] = [];
  private readonly states: string[] = [];
  constructor(windows: readonly FaultWindow[]) {
    const points = new Set<number>();
    for (const w of windows) {
      points.add(w.start);
      if (w.end !== null) points.add(w.end);
    }
    const sorted = [...points].sort((a, b) => a - b);
    for (const t of sorted) {
      const kinds = windows.filter((w) => w.start <= t && (w.end === null || t < w.end)).map((w) => w.kind);
      this.times.push(t);
      this.states.push(kinds.length === 0 ? 'healthy' : [...new Set(kinds)].sort().join('+'));
    }
  }
  /** The state at time t (seconds). */
  at(t: number): string {
    let lo = 0;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.times[mid]! <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? 'healthy' : this.states[lo - 1]!;
  }
}

/** Nearest-rank quantile of sorted values. */
function rank(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/**
 * Client ops as {@link analyzePerfRows} reads them: one row an invocation with its completion,
 * in invocation order. Times are nanoseconds; `outcome` is undefined for an invocation never
 * answered (its completion's time and index are then not read).
 */
export interface ClientOpRows {
  count: number;
  invokeTime(row: number): number;
  invokeIndex(row: number): number;
  completionTime(row: number): number;
  completionIndex(row: number): number;
  outcome(row: number): 'ok' | 'fail' | 'info' | undefined;
  f(row: number): string;
}

/**
 * Times the windows can be computed from: finite, and no completion before its invocation
 * (a history read from a file is checked when it is paired; one built in memory may not be).
 */
function checkTimes(rows: ClientOpRows, row: number): void {
  const invokeTime = rows.invokeTime(row);
  const completed = rows.outcome(row) !== undefined;
  const finite = (index: number, time: number): void => {
    if (!Number.isFinite(time)) {
      throw new InputError(`op ${index}: expected a finite time, got ${time}`, { field: 'time' });
    }
  };
  finite(rows.invokeIndex(row), invokeTime);
  if (!completed) return;
  const completionTime = rows.completionTime(row);
  finite(rows.completionIndex(row), completionTime);
  if (completionTime < invokeTime) {
    throw new InputError(
      `op ${rows.completionIndex(row)}: completion at time ${completionTime} is earlier than its invocation (op ${rows.invokeIndex(row)}) at time ${invokeTime}`,
      { field: 'time' },
    );
  }
}

/** Computes the perf figures of a history. Throws {@link InputError} for impossible times. */
export function analyzePerf(history: History, options: PerfOptions = {}): PerfResult {
  const pairs = [...history.pairs()];
  const rows: ClientOpRows = {
    count: pairs.length,
    invokeTime: (r) => pairs[r]!.invoke.time,
    invokeIndex: (r) => pairs[r]!.invoke.index,
    completionTime: (r) => pairs[r]!.completion!.time,
    completionIndex: (r) => pairs[r]!.completion!.index,
    outcome: (r) => (pairs[r]!.completion ? pairs[r]!.type : undefined),
    f: (r) => pairs[r]!.invoke.f,
  };
  return analyzePerfRows(rows, history.ops, options);
}

/**
 * The perf figures of client ops given as columns and of the nemesis ops (`faultOps` may hold
 * other ops too: only the nemesis's are read), so a caller that streams a history need not
 * hold an object per op. Throws {@link InputError} for impossible times.
 */
export function analyzePerfRows(
  rows: ClientOpRows,
  faultOps: readonly Op[],
  options: PerfOptions = {},
): PerfResult {
  const { windows: faults, events } = faultWindows(faultOps);
  const states = new FaultStates(faults);
  // One row per client invocation: times in seconds, outcome, f.
  const n = rows.count;
  const inv = new Float64Array(n);
  const done = new Float64Array(n).fill(Number.NaN);
  const latencyUs = new Float64Array(n);
  const outcomes: ('ok' | 'fail' | 'info' | undefined)[] = new Array(n);
  for (let i = 0; i < n; i++) {
    checkTimes(rows, i);
    const invokeTime = rows.invokeTime(i);
    inv[i] = invokeTime / 1e9;
    outcomes[i] = rows.outcome(i);
    if (outcomes[i] !== undefined) {
      const completionTime = rows.completionTime(i);
      done[i] = completionTime / 1e9;
      latencyUs[i] = Math.max(1, Math.round((completionTime - invokeTime) / 1e3));
    }
  }
  if (options.windowS !== undefined && !(Number.isFinite(options.windowS) && options.windowS > 0)) {
    throw new InputError(`expected a positive number of seconds, got ${options.windowS}`, {
      field: 'windowS',
    });
  }
  const { figures, okTimes } = perfFigures((visit) => {
    for (let i = 0; i < n; i++) visit(inv[i]!, done[i]!, outcomes[i], rows.f(i), latencyUs[i]!);
  }, options.windowS);
  const { end } = figures;

  // Latency and availability by the fault state at invocation.
  const byState = new Group<string>();
  const stateCompleted = new Map<string, { ok: number; all: number }>();
  for (let i = 0; i < n; i++) {
    if (outcomes[i] === undefined) continue;
    const state = states.at(inv[i]!);
    const sc = stateCompleted.get(state) ?? { ok: 0, all: 0 };
    stateCompleted.set(state, sc);
    sc.all++;
    if (outcomes[i] === 'ok') sc.ok++;
    byState.get(state).add(latencyUs[i]!);
  }

  return {
    ...figures,
    latency: { ...figures.latency, byState: byState.quantiles() },
    availability: {
      ...figures.availability,
      byState: Object.fromEntries([...stateCompleted].map(([s, c]) => [s, c.all > 0 ? c.ok / c.all : null])),
      faults: faults.map((f) => faultAvailability(f, outcomes, inv, done, end)),
    },
    recoveries: faults
      .filter((f) => f.end !== null)
      .map((f): Recovery => {
        const healedAt = f.end!;
        const firstOkAt = firstAtOrAfter(okTimes, healedAt);
        return {
          kind: f.kind,
          label: f.label,
          healedAt,
          firstOkAt,
          recoverS: firstOkAt === null ? null : round6(firstOkAt - healedAt),
          measured: firstOkAt !== null || triedSince(healedAt, inv, done),
        };
      }),
    faults,
    faultEvents: events,
  };
}

/** The figures both perf checkers give: throughput, latency and availability, overall and per window. */
export type PerfFigures = Pick<
  PerfResult,
  | 'valid'
  | 'start'
  | 'end'
  | 'counts'
  | 'windowS'
  | 'windows'
  | 'throughput'
  | 'latencyOverTime'
  | 'longestOutage'
> & {
  latency: Pick<PerfResult['latency'], 'overall' | 'byType' | 'byF'>;
  availability: Pick<PerfResult['availability'], 'overall' | 'windows'>;
};

/**
 * Client ops, one row an op, as {@link perfFigures} reads them: visits every row, in the same
 * order each time, with its invocation and completion times (seconds; completion NaN when never
 * answered), its outcome (undefined when never answered), its `f`, and its latency (µs).
 */
export type PerfRows = (
  visit: (inv: number, done: number, type: 'ok' | 'fail' | 'info' | undefined, f: string, us: number) => void,
) => void;

/**
 * The figures of the batch perf checker and the online one (checkers/online/perf.ts), computed
 * the same way from either's rows in a few passes, with typed arrays rather than an object per
 * op. Also gives the times of the `ok` completions, sorted.
 */
export function perfFigures(
  rows: PerfRows,
  fixedWindowS?: number,
): { figures: PerfFigures; okTimes: Float64Array } {
  let n = 0;
  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  rows((inv, done) => {
    n++;
    if (inv < start) start = inv;
    const t = Number.isNaN(done) ? inv : done;
    if (t > end) end = t;
  });
  if (n === 0) start = end = 0;
  const windowS = fixedWindowS ?? chooseWindow(end - start);
  const origin = Math.floor(start / windowS) * windowS;
  const nWindows = Math.max(1, Math.ceil((end - origin) / windowS + 1e-9));
  const windowOf = (t: number): number => Math.min(nWindows - 1, Math.floor((t - origin) / windowS));

  const counts = { ok: 0, fail: 0, info: 0 };
  const overall = new Latencies();
  const byType = new Group<string>();
  const byF = new Group<string>();
  const throughput = new Map<string, { f: string; type: 'ok' | 'fail' | 'info'; rate: number[] }>();
  const windowOk = new Float64Array(nWindows);
  const windowAll = new Float64Array(nWindows);
  // Latencies per window, for exact nearest-rank quantiles.
  const perWindowCount = new Uint32Array(nWindows);
  rows((_inv, done, type) => {
    if (type !== undefined) perWindowCount[windowOf(done)]!++;
  });
  const perWindow = Array.from(perWindowCount, (c) => new Float64Array(c));
  perWindowCount.fill(0);
  let completed = 0;
  let okCount = 0;
  const okTimes = new Float64Array(n);
  rows((_inv, t, type, f, us) => {
    if (type === undefined) {
      counts.info++;
      return;
    }
    counts[type]++;
    completed++;
    const w = windowOf(t);
    const key = `${f}\u0000${type}`;
    let series = throughput.get(key);
    if (!series) {
      series = { f, type, rate: new Array<number>(nWindows).fill(0) };
      throughput.set(key, series);
    }
    series.rate[w]!++;
    windowAll[w]!++;
    if (type === 'ok') {
      windowOk[w]!++;
      okTimes[okCount++] = t;
    }
    overall.add(us);
    byType.get(type).add(us);
    byF.get(f).add(us);
    perWindow[w]![perWindowCount[w]!++] = us;
  });
  for (const s of throughput.values()) for (let w = 0; w < nWindows; w++) s.rate[w] = s.rate[w]! / windowS;
  const latencyOverTime: PerfResult['latencyOverTime'] = { p50: [], p90: [], p99: [], p999: [], max: [] };
  for (const values of perWindow) {
    const sorted = values.sort();
    for (const [name, q] of Object.entries(QUANTILES) as [keyof typeof QUANTILES, number][]) {
      latencyOverTime[name].push(sorted.length ? ms(rank(sorted, q)) : null);
    }
    latencyOverTime.max.push(sorted.length ? ms(sorted[sorted.length - 1]!) : null);
  }
  const oks = okTimes.subarray(0, okCount).sort();
  return {
    figures: {
      valid: true,
      start,
      end,
      counts,
      windowS,
      windows: Array.from({ length: nWindows }, (_, w) => round6(origin + w * windowS)),
      throughput: [...throughput.values()].sort((a, b) => (a.f + a.type).localeCompare(b.f + b.type)),
      latencyOverTime,
      latency: { overall: overall.quantiles(), byType: byType.quantiles(), byF: byF.quantiles() },
      availability: {
        overall: completed > 0 ? counts.ok / completed : null,
        windows: Array.from(windowAll, (all, w) => (all > 0 ? windowOk[w]! / all : null)),
      },
      longestOutage: longestOutage(oks, start, end),
    },
    okTimes: oks,
  };
}

/** Whether an op invoked at or after `t` completed (whatever its outcome). */
function triedSince(t: number, inv: Float64Array, done: Float64Array): boolean {
  for (let i = 0; i < inv.length; i++) if (inv[i]! >= t && !Number.isNaN(done[i]!)) return true;
  return false;
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

function faultAvailability(
  f: FaultWindow,
  outcomes: readonly ('ok' | 'fail' | 'info' | undefined)[],
  inv: Float64Array,
  done: Float64Array,
  end: number,
): FaultAvailability {
  const until = f.end ?? end;
  let ok = 0;
  let completed = 0;
  const latency = new Latencies();
  for (let i = 0; i < outcomes.length; i++) {
    const t = done[i]!;
    if (!Number.isNaN(t) && t >= f.start && t <= until) {
      completed++;
      if (outcomes[i] === 'ok') ok++;
    }
    if (inv[i]! >= f.start && inv[i]! <= until && !Number.isNaN(t)) {
      latency.add(Math.max(1, Math.round((t - inv[i]!) * 1e6)));
    }
  }
  return {
    ...f,
    completed,
    ok,
    availability: completed > 0 ? ok / completed : null,
    latency: latency.quantiles(),
  };
}

/** Longest gap between consecutive oks (sorted), counting the edges of [start, end]. */
function longestOutage(okTimes: Float64Array, start: number, end: number): PerfResult['longestOutage'] {
  if (end <= start) return null;
  let best = { from: start, to: okTimes.length > 0 ? okTimes[0]! : end };
  let prev = start;
  const visit = (t: number): void => {
    if (t - prev > best.to - best.from) best = { from: prev, to: t };
    prev = t;
  };
  for (const t of okTimes) visit(t);
  visit(end);
  return { from: best.from, to: best.to, durationS: round6(best.to - best.from) };
}

function firstAtOrAfter(sorted: Float64Array, t: number): number | null {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo < sorted.length ? sorted[lo]! : null;
}

function q(l: LatencyQuantiles): string {
  return `p50 ${l.p50} ms, p99 ${l.p99} ms, max ${l.max} ms`;
}

/** The `perf` checker: measures, never fails a test. */
export const perfChecker: Checker<PerfOptions> = {
  name: 'perf',
  description: 'throughput, latency quantiles, availability and recovery, overall and per fault',
  check: (history, options) => analyzePerf(history, options),
  explain(result) {
    const r = result as PerfResult;
    const lines = [
      `${r.counts.ok} ok, ${r.counts.fail} fail, ${r.counts.info} info; latency ${q(r.latency.overall)}; ` +
        `availability ${r.availability.overall === null ? 'n/a' : `${(r.availability.overall * 100).toFixed(2)}%`}`,
    ];
    for (const [state, l] of Object.entries(r.latency.byState)) lines.push(`  ${state}: ${q(l)}`);
    if (r.longestOutage)
      lines.push(`  longest stretch without ok: ${r.longestOutage.durationS.toFixed(3)} s`);
    return lines.join('\n');
  },
};
