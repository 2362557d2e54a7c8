/**
 * Anomaly records, the naming of dependency cycles (Adya's G0 … G2 and Elle's process and
 * real-time variants), and the words that explain a cycle edge by edge.
 */
import { type CycleStep, type EdgeType, PROCESS, REALTIME, RW, relationName, WR } from './graph.js';

/** Why one edge holds: words, plus Elle's structured fields where the edge is about data. */
export interface EdgeWhy {
  explanation: string;
  /** The key the two transactions met on. */
  key?: unknown;
  /** The version the first transaction wrote or read. */
  value?: unknown;
  /** The later version the second transaction wrote (ww, rw). */
  "value'"?: unknown;
  /** Positions of the micro-ops involved in each transaction's value. */
  'a-mop-index'?: number;
  'b-mop-index'?: number;
  /** Process edges: the process both ran on. */
  process?: unknown;
}

/** One step of a cycle, for people and for JSON. */
export interface CycleEdge extends EdgeWhy {
  /** Transaction names, `T<op index>`. */
  from: string;
  to: string;
  type: EdgeType;
}

/** A transaction as a cycle's "Let:" lists it: the completion op (or the invocation). */
export interface TxnRecord {
  name: string;
  index: number;
  process: unknown;
  type: string;
  value: unknown[];
}

/** One anomaly with its evidence. */
export interface Anomaly {
  type: string;
  /** op.index of every op involved (completions where there is one). */
  ops: number[];
  /** The anomaly in words. */
  explanation: string;
  /** The key concerned, for anomalies about one key. */
  key?: unknown;
  /** For cycle anomalies: the edges, in order, the last leading back to the first's start. */
  cycle?: CycleEdge[];
  /** For cycle anomalies: the transactions of the cycle, in order. */
  txns?: TxnRecord[];
  /** Further Elle fields (e.g. `values`, `scc`, `sources`, `scc-size`). */
  [field: string]: unknown;
}

/** Why one edge holds, as the workload analysis knows it. */
export type EdgeExplainer = (from: number, to: number, relation: number) => EdgeWhy;

/** Transaction t as a record. */
export type TxnDescriber = (t: number) => TxnRecord;

/** The cycle anomaly a cycle shows: its data pattern (item anti-dependencies only), suffixed by the orders it needs. */
export function classifyCycle(steps: readonly CycleStep[]): string {
  let rw = 0;
  let wr = 0;
  let adjacentRw = false;
  let process = false;
  let realtime = false;
  for (let i = 0; i < steps.length; i++) {
    const r = steps[i]!.relation;
    if (r === RW) {
      rw++;
      if (steps[(i + 1) % steps.length]!.relation === RW) adjacentRw = true;
    } else if (r === WR) wr++;
    else if (r === PROCESS) process = true;
    else if (r === REALTIME) realtime = true;
  }
  const base =
    rw === 0
      ? wr === 0
        ? 'G0'
        : 'G1c'
      : rw === 1
        ? 'G-single-item'
        : adjacentRw
          ? 'G2-item'
          : 'G-nonadjacent-item';
  return base + (realtime ? '-realtime' : process ? '-process' : '');
}

const DESCRIPTIONS: Record<string, string> = {
  G0: 'write cycle: transactions overwrote each other in a cycle',
  G1c: 'circular information flow: each transaction (transitively) saw the other’s writes',
  'G-single-item': 'read skew: a cycle with exactly one anti-dependency (rw)',
  'G-nonadjacent-item': 'a cycle whose anti-dependencies (rw) never follow each other',
  'G2-item': 'anti-dependency cycle (e.g. write skew)',
};

/** Describes a cycle anomaly type in a few words. */
export function describeCycleType(type: string): string {
  const base = type.replace(/-(process|realtime)$/, '');
  const suffix = type.endsWith('-realtime')
    ? ', given real-time order'
    : type.endsWith('-process')
      ? ', given each process’s order'
      : '';
  return (DESCRIPTIONS[base] ?? type) + suffix;
}

/** Turns a cycle into an anomaly, explaining every edge and listing its transactions. */
export function cycleAnomaly(
  steps: readonly CycleStep[],
  how: {
    name: (t: number) => string;
    opIndex: (t: number) => number;
    explain: EdgeExplainer;
    describe: TxnDescriber;
  },
): Anomaly {
  const type = classifyCycle(steps);
  const cycle: CycleEdge[] = steps.map((s) => ({
    from: how.name(s.from),
    to: how.name(s.to),
    type: relationName(s.relation),
    ...how.explain(s.from, s.to, s.relation),
  }));
  const path = [...steps.map((s) => how.name(s.from)), how.name(steps[0]!.from)].join(' → ');
  return {
    type,
    ops: steps.map((s) => how.opIndex(s.from)),
    explanation: `${type} (${describeCycleType(type)}): ${path}. ${cycle.map((c) => c.explanation).join('; ')}.`,
    cycle,
    txns: steps.map((s) => how.describe(s.from)),
  };
}

/** A compact rendering of a value for explanations: lists as `[1 2 3]`, like Elle's EDN. */
export function show(value: unknown): string {
  if (Array.isArray(value)) {
    if (value.length > 12) {
      return `[${value.slice(0, 4).map(show).join(' ')} … ${value.slice(-4).map(show).join(' ')}] (${value.length} elements)`;
    }
    return `[${value.map(show).join(' ')}]`;
  }
  if (value === null || value === undefined) return 'nil';
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** Collects anomalies, keeping at most `maxPerType` examples of each type but counting all. */
export class AnomalyLog {
  readonly kept: Anomaly[] = [];
  readonly counts: Record<string, number> = {};

  constructor(private readonly maxPerType: number) {}

  add(anomaly: Anomaly): void {
    const n = (this.counts[anomaly.type] ?? 0) + 1;
    this.counts[anomaly.type] = n;
    if (n <= this.maxPerType) this.kept.push(anomaly);
  }

  /** Whether another anomaly of this type would still be kept (to skip building its text). */
  wants(type: string): boolean {
    return (this.counts[type] ?? 0) < this.maxPerType;
  }
}
