/**
 * The figures of one bench case, measured over its window (warm-up excluded): throughput,
 * latency quantiles, availability, longest outage and recovery time. They come from the `perf`
 * checker run on the window's ops when it is registered; otherwise from the history directly.
 */
import { CHECKERS } from '../../checkers/registry.js';
import { History } from '../history/history.js';
import type { Op } from '../history/op.js';
import type { Better } from './regression.js';

/** One measured figure of a case. */
export interface Metric {
  name: string;
  value: number;
  unit: string;
  better: Better;
}

/** The client ops invoked in [first invocation + warm-up, + duration), their completions, and every nemesis op. */
export function measuredWindow(
  ops: readonly Op[],
  warmupS: number,
  durationS: number,
): { ops: Op[]; from: number; to: number } {
  const first = ops.find((o) => o.process !== 'nemesis' && o.type === 'invoke');
  if (!first) return { ops: [], from: 0, to: 0 };
  const from = first.time + warmupS * 1e9;
  const to = from + durationS * 1e9;
  const open = new Map<number, boolean>(); // process -> its invocation is in the window
  const kept: Op[] = [];
  for (const op of ops) {
    if (op.process === 'nemesis') {
      kept.push({ ...op });
      continue;
    }
    if (op.type === 'invoke') {
      const inside = op.time >= from && op.time < to;
      open.set(op.process, inside);
      if (inside) kept.push({ ...op });
    } else if (open.get(op.process)) {
      kept.push({ ...op });
      open.delete(op.process);
    }
  }
  return { ops: kept, from, to };
}

/**
 * The figures of a window of `durationS` seconds: by the registered `perf` checker, or computed
 * here when there is none.
 */
export async function caseMetrics(windowOps: Op[], durationS: number): Promise<Metric[]> {
  const perf = CHECKERS.find('perf');
  if (perf) {
    const r = (await perf.check(History.from(windowOps), {})) as unknown as PerfFigures;
    if (r.counts) return fromPerf(r, durationS);
  }
  return fromHistory(windowOps, durationS);
}

/** The parts of the perf checker's result used here. */
interface PerfFigures {
  counts?: { ok: number; fail: number; info: number };
  latency?: { byType?: Record<string, Quantiles | undefined> };
  availability?: { overall: number | null };
  longestOutage?: { durationS: number } | null;
  recoveries?: { recoverS: number | null }[];
}

interface Quantiles {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

function fromPerf(r: PerfFigures, durationS: number): Metric[] {
  const ok = r.latency?.byType?.ok;
  const metrics: Metric[] = [
    { name: 'throughput', value: round((r.counts?.ok ?? 0) / durationS), unit: 'ops/s', better: 'higher' },
    ...latencyMetrics(ok),
  ];
  if (r.availability?.overall != null) {
    metrics.push({ name: 'availability', value: r.availability.overall, unit: 'ratio', better: 'higher' });
  }
  metrics.push({
    name: 'longest-outage',
    value: r.longestOutage?.durationS ?? 0,
    unit: 's',
    better: 'lower',
  });
  const recoveries = (r.recoveries ?? []).map((x) => x.recoverS).filter((x): x is number => x !== null);
  if (recoveries.length > 0) {
    metrics.push({ name: 'recovery-max', value: Math.max(...recoveries), unit: 's', better: 'lower' });
  }
  return metrics;
}

function latencyMetrics(q: Quantiles | undefined): Metric[] {
  if (!q || q.count === 0) return [];
  return (['p50', 'p90', 'p99', 'max'] as const).map((k) => ({
    name: `latency-${k}`,
    value: q[k],
    unit: 'ms',
    better: 'lower' as const,
  }));
}

/** The fallback: throughput, ok-latency quantiles and availability straight from the ops. */
function fromHistory(ops: readonly Op[], durationS: number): Metric[] {
  const invokedAt = new Map<number, number>();
  const latencies: number[] = [];
  const counts = { ok: 0, fail: 0, info: 0 };
  for (const op of ops) {
    if (op.process === 'nemesis') continue;
    if (op.type === 'invoke') invokedAt.set(op.process, op.time);
    else {
      counts[op.type]++;
      const t = invokedAt.get(op.process);
      if (op.type === 'ok' && t !== undefined) latencies.push((op.time - t) / 1e6);
    }
  }
  latencies.sort((a, b) => a - b);
  const at = (p: number): number =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  const done = counts.ok + counts.fail + counts.info;
  return [
    { name: 'throughput', value: round(counts.ok / durationS), unit: 'ops/s', better: 'higher' },
    ...latencyMetrics({
      count: latencies.length,
      p50: at(0.5),
      p90: at(0.9),
      p99: at(0.99),
      max: latencies.at(-1) ?? 0,
    }),
    ...(done > 0
      ? [{ name: 'availability', value: counts.ok / done, unit: 'ratio', better: 'higher' as const }]
      : []),
  ];
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
