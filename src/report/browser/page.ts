/**
 * The report's data, read once from the page: the embedded JSON, the history's typed columns
 * decoded, and what every section shares (fault colours, op summaries).
 */
import { decodeTimeline } from '../columns.js';
import type { FaultStyle, ReportData } from '../data.js';
import { byId, fmt } from './dom.js';

performance.mark('faultline:start');
export const D = JSON.parse(byId('faultline-data').textContent ?? 'null') as ReportData;
performance.mark('faultline:parsed');

export const TYPE_NAMES = ['ok', 'fail', 'info', 'open'] as const;
export const TYPE_COLORS = ['#3b82f6', '#ef4444', '#f59e0b', '#9ca3af'] as const;

// Each nemesis family's colours come with the data; an unknown kind is grey.
const FAULT_STYLES: Record<string, FaultStyle> = D.faultStyles ?? {};
export function faultFill(kind: string): string {
  return FAULT_STYLES[kind]?.fill ?? 'rgba(107,114,128,0.15)';
}
export function faultText(kind: string): string {
  return FAULT_STYLES[kind]?.text ?? '#374151';
}

export const TL = D.timeline;
/** Rows: one per operation (an invocation and its completion). */
export const N = TL.rows;
export const C = decodeTimeline(TL);
performance.mark('faultline:decoded');

function timeSpan(): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < N; i++) {
    const s = C.start[i]!;
    if (s < lo) lo = s;
    const e = C.end[i]!;
    if (!Number.isNaN(e) && e > hi) hi = e;
    if (s > hi) hi = s;
  }
  return hi > lo ? [lo, hi] : [0, 1];
}
export const [tMin, tMax] = timeSpan();

let rowOfIndexMap: Map<number, number> | null = null;
/** The row of the op whose invocation or completion has `op.index` = index; -1 when none. */
export function rowOfIndex(index: number): number {
  if (!rowOfIndexMap) {
    rowOfIndexMap = new Map();
    for (let i = 0; i < N; i++) {
      rowOfIndexMap.set(C.inv[i]!, i);
      if (C.cmp[i]! >= 0) rowOfIndexMap.set(C.cmp[i]!, i);
    }
  }
  return rowOfIndexMap.get(index) ?? -1;
}

export function procName(p: number): string {
  return p === -1 ? 'nemesis' : `p${p}`;
}

/** A row's op in a few lines: indices, process, f, outcome, times and values. */
export function opSummary(r: number): string {
  const end = C.end[r]!;
  const lat = Number.isNaN(end) ? Number.NaN : (end - C.start[r]!) * 1000;
  const lines = [
    `op ${C.inv[r]}${C.cmp[r]! >= 0 ? ` \u2192 ${C.cmp[r]}` : ''}   ${procName(C.process[r]!)}   ${TL.fs[C.f[r]!]}   ${TYPE_NAMES[C.type[r]!]}`,
    `invoked at ${C.start[r]!.toFixed(6)} s${Number.isNaN(lat) ? ', never completed' : `, latency ${fmt(lat)} ms`}`,
  ];
  const v = D.values[r];
  if (v) {
    lines.push(v[0]);
    if (v[1]) lines.push(v[1]);
  }
  return lines.join('\n');
}

export const perf = D.perf;
export const faults = perf ? perf.faults : [];
export const faultEvents = perf ? perf.faultEvents : [];
