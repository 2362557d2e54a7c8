/**
 * The perf analysis, online: each client op becomes one row of compact columns (invocation
 * time, latency, outcome, `f`) in fixed-size typed-array chunks — 23 bytes an op, no
 * object per op — and `finish` computes the batch perf checker's throughput, latency and
 * availability figures from them, with the same windows and quantile rules. Not computed
 * online: the per-fault-state figures (`latency.byState`, `availability.byState`/`faults`,
 * `recoveries`, `faults`): they need the fault windows, which only the batch checker builds.
 */
import * as hdr from 'hdr-histogram-js';
import type { Op } from '../../src/history/op.js';
import { chooseWindow, type LatencyQuantiles, type PerfResult, QUANTILES } from '../perf.js';
import type { OnlineChecker } from './types.js';

const CHUNK_BITS = 20;
const CHUNK = 1 << CHUNK_BITS;
const TYPES = ['ok', 'fail', 'info'] as const;
type Outcome = (typeof TYPES)[number];
/** An invocation never answered (counted as info, no latency). */
const OPEN = 255;

export type OnlinePerfResult = Pick<
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
  /** Client ops analysed, and the bytes their columns took. */
  rows: number;
  columnBytes: number;
};

interface Chunk {
  /** Invocation time, seconds. */
  inv: Float64Array;
  /** Completion time, seconds (NaN: never answered). */
  done: Float64Array;
  /** Latency in microseconds, as the batch checker rounds it. */
  latency: Uint32Array;
  outcome: Uint8Array;
  f: Uint16Array;
}

export class OnlinePerf implements OnlineChecker<OnlinePerfResult> {
  readonly name = 'perf';
  private readonly chunks: Chunk[] = [];
  private rows = 0;
  private readonly fIds = new Map<string, number>();
  private readonly fNames: string[] = [];
  /** Row of each process' open invocation. */
  private readonly openRow = new Map<number, number>();
  /** Invocation time (ns) of each process' open invocation. */
  private readonly invNs = new Map<number, number>();

  add(op: Op): void {
    if (op.process === 'nemesis') return;
    if (op.type === 'invoke') {
      const row = this.rows++;
      if (row >>> CHUNK_BITS >= this.chunks.length) this.chunks.push(newChunk());
      const c = this.chunks[row >>> CHUNK_BITS]!;
      const i = row & (CHUNK - 1);
      c.inv[i] = op.time / 1e9;
      c.done[i] = Number.NaN;
      c.outcome[i] = OPEN;
      this.invNs.set(op.process, op.time);
      c.f[i] = this.fId(op.f);
      this.openRow.set(op.process, row);
      return;
    }
    const row = this.openRow.get(op.process);
    if (row === undefined) return;
    this.openRow.delete(op.process);
    const c = this.chunks[row >>> CHUNK_BITS]!;
    const i = row & (CHUNK - 1);
    c.outcome[i] = TYPES.indexOf(op.type as Outcome);
    c.done[i] = op.time / 1e9;
    c.latency[i] = Math.max(1, Math.round((op.time - this.invNs.get(op.process)!) / 1e3));
  }

  async finish(): Promise<OnlinePerfResult> {
    const n = this.rows;
    let start = Number.POSITIVE_INFINITY;
    let end = Number.NEGATIVE_INFINITY;
    this.each((inv, done) => {
      if (inv < start) start = inv;
      const t = Number.isNaN(done) ? inv : done;
      if (t > end) end = t;
    });
    if (n === 0) start = end = 0;
    const windowS = chooseWindow(end - start);
    const origin = Math.floor(start / windowS) * windowS;
    const nWindows = Math.max(1, Math.ceil((end - origin) / windowS + 1e-9));
    const windowOf = (t: number): number => Math.min(nWindows - 1, Math.floor((t - origin) / windowS));

    const counts = { ok: 0, fail: 0, info: 0 };
    const overall = new Latencies();
    const byType = new Map<string, Latencies>();
    const byF = new Map<string, Latencies>();
    const throughput = new Map<string, { f: string; type: Outcome; rate: number[] }>();
    const windowOk = new Float64Array(nWindows);
    const windowAll = new Float64Array(nWindows);
    // Latencies per window, for exact nearest-rank quantiles as the batch checker gives.
    const perWindowCount = new Uint32Array(nWindows);
    this.each((_inv, done, outcome) => {
      if (outcome !== OPEN) perWindowCount[windowOf(done)]!++;
    });
    const perWindow = Array.from(perWindowCount, (c) => new Float64Array(c));
    perWindowCount.fill(0);
    let okCount = 0;
    const okTimes = new Float64Array(n);
    this.each((_inv, t, outcome, f, us) => {
      if (outcome === OPEN) {
        counts.info++;
        return;
      }
      const type = TYPES[outcome]!;
      counts[type]++;
      const w = windowOf(t);
      const name = this.fNames[f]!;
      const key = `${name}\u0000${type}`;
      let series = throughput.get(key);
      if (!series) {
        series = { f: name, type, rate: new Array<number>(nWindows).fill(0) };
        throughput.set(key, series);
      }
      series.rate[w]!++;
      windowAll[w]!++;
      if (type === 'ok') {
        windowOk[w]!++;
        okTimes[okCount++] = t;
      }
      overall.add(us);
      group(byType, type).add(us);
      group(byF, name).add(us);
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
    const completed = counts.ok + counts.fail + (counts.info - this.openCount());
    const oks = okTimes.subarray(0, okCount).sort();
    return {
      valid: true,
      start,
      end,
      counts,
      windowS,
      windows: Array.from({ length: nWindows }, (_, w) => round6(origin + w * windowS)),
      throughput: [...throughput.values()].sort((a, b) => (a.f + a.type).localeCompare(b.f + b.type)),
      latencyOverTime,
      latency: {
        overall: overall.quantiles(),
        byType: quantilesOf(byType),
        byF: quantilesOf(byF),
      },
      availability: {
        overall: completed > 0 ? counts.ok / completed : null,
        windows: Array.from(windowAll, (all, w) => (all > 0 ? windowOk[w]! / all : null)),
      },
      longestOutage: longestOutage(oks, start, end),
      rows: n,
      columnBytes: this.chunks.length * CHUNK * 23,
    };
  }

  private openCount(): number {
    let open = 0;
    this.each((_inv, _done, outcome) => {
      if (outcome === OPEN) open++;
    });
    return open;
  }

  private each(visit: (inv: number, done: number, outcome: number, f: number, us: number) => void): void {
    for (let row = 0; row < this.rows; row++) {
      const c = this.chunks[row >>> CHUNK_BITS]!;
      const i = row & (CHUNK - 1);
      visit(c.inv[i]!, c.done[i]!, c.outcome[i]!, c.f[i]!, c.latency[i]!);
    }
  }

  private fId(f: string): number {
    let id = this.fIds.get(f);
    if (id === undefined) {
      id = this.fNames.push(f) - 1;
      this.fIds.set(f, id);
    }
    return id;
  }
}

function newChunk(): Chunk {
  return {
    inv: new Float64Array(CHUNK),
    done: new Float64Array(CHUNK),
    latency: new Uint32Array(CHUNK),
    outcome: new Uint8Array(CHUNK),
    f: new Uint16Array(CHUNK),
  };
}

/** Latencies in microseconds, to 3 significant digits (as the batch checker records them). */
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

function group(map: Map<string, Latencies>, key: string): Latencies {
  let l = map.get(key);
  if (!l) {
    l = new Latencies();
    map.set(key, l);
  }
  return l;
}

function quantilesOf(map: Map<string, Latencies>): Record<string, LatencyQuantiles> {
  return Object.fromEntries([...map].map(([k, l]) => [k, l.quantiles()]));
}

function rank(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

function ms(us: number): number {
  return Math.round(us) / 1000;
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

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
