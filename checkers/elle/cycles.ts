/**
 * The cycle search: strongly connected components first (cheap, and empty for a valid
 * history), then, inside each component, the shortest cycle of each wanted kind.
 */
import { type Anomaly, cycleAnomaly, type EdgeExplainer } from './anomalies.js';
import {
  CycleSearch,
  type CycleShape,
  DATA,
  type Graph,
  OutOfTime,
  OverBudget,
  PROCESS,
  REALTIME,
  RW,
  stronglyConnected,
  WR,
  WW,
} from './graph.js';

interface CycleKind {
  base: string;
  /** The relations whose components contain every cycle of this kind. */
  within: number;
  anchor: number;
  allowed: number;
  nonadjacentRw: boolean;
}

// Most severe first, as Elle searches.
const KINDS: CycleKind[] = [
  { base: 'G0', within: WW, anchor: WW, allowed: WW, nonadjacentRw: false },
  { base: 'G1c', within: WW | WR, anchor: WR, allowed: WW | WR, nonadjacentRw: false },
  { base: 'G-single', within: WW | WR, anchor: RW, allowed: WW | WR, nonadjacentRw: false },
  { base: 'G-nonadjacent', within: DATA, anchor: RW, allowed: DATA, nonadjacentRw: true },
  { base: 'G2-item', within: DATA, anchor: RW, allowed: DATA, nonadjacentRw: false },
];

const TIERS = [
  { suffix: '', extra: 0, needs: 0 },
  { suffix: '-process', extra: PROCESS, needs: PROCESS },
  { suffix: '-realtime', extra: PROCESS | REALTIME, needs: REALTIME },
];

/** The cycle anomaly names this search can report. */
export const CYCLE_TYPES: readonly string[] = TIERS.flatMap((t) => KINDS.map((k) => k.base + t.suffix));

export interface CycleOptions {
  /** Cycle anomaly types worth looking for; others are skipped. */
  wanted: ReadonlySet<string>;
  /** Date.now() after which the search stops, leaving the rest unknown. */
  deadline: number;
  /** Keep at most this many cycles per type. */
  maxPerType: number;
  name: (t: number) => string;
  opIndex: (t: number) => number;
  explain: EdgeExplainer;
}

export interface CycleFindings {
  anomalies: Anomaly[];
  /** How many cycles of each type were found (more than are kept). */
  counts: Record<string, number>;
  /** False when the time limit or a search budget cut the search short. */
  complete: boolean;
  /** What was cut short, in words. */
  incomplete: string[];
  /** Non-trivial strongly connected components of the whole graph searched. */
  components: number;
}

/** Finds cycle anomalies in the graph, most severe kinds first. */
export function findCycles(graph: Graph, options: CycleOptions): CycleFindings {
  const findings: CycleFindings = {
    anomalies: [],
    counts: {},
    complete: true,
    incomplete: [],
    components: 0,
  };
  const tiers = TIERS.filter((t) => KINDS.some((k) => options.wanted.has(k.base + t.suffix)));
  if (tiers.length === 0) return findings;
  const widest = DATA | tiers.reduce((m, t) => m | t.extra, 0);
  const whole = stronglyConnected(graph, widest);
  findings.components = whole.members.length;
  if (whole.members.length === 0) return findings;
  // One search may take a few passes over the graph; beyond that it is abandoned (unknown).
  const search = new CycleSearch(graph, options.deadline, 1_000_000 + 4 * graph.edgeCount);
  const seen = new Set<string>();
  try {
    for (const tier of tiers) {
      const byMask = new Map<number, ReturnType<typeof stronglyConnected>>();
      for (const kind of KINDS) {
        const type = kind.base + tier.suffix;
        if (!options.wanted.has(type)) continue;
        const within = kind.within | tier.extra;
        let components = byMask.get(within);
        if (!components) {
          components = stronglyConnected(graph, within);
          byMask.set(within, components);
        }
        const shape: CycleShape = {
          anchor: kind.anchor,
          allowed: kind.allowed | tier.extra,
          needs: tier.needs,
          nonadjacentRw: kind.nonadjacentRw,
        };
        components.members.forEach((members, c) => {
          let steps: ReturnType<typeof search.find>;
          try {
            steps = search.find(shape, components.componentOf, c, members);
          } catch (e) {
            if (!(e instanceof OverBudget)) throw e;
            findings.complete = false;
            findings.incomplete.push(
              `${type} in a component of ${members.length} transactions (search budget)`,
            );
            return;
          }
          if (!steps) return;
          // The same cycle found from another anchor is the same anomaly: compare rotations.
          const first = steps.reduce((best, s, i) => (s.from < steps[best]!.from ? i : best), 0);
          const signature = [...steps.slice(first), ...steps.slice(0, first)]
            // Process and real-time edges count as one kind of order, so a cycle already
            // reported as -process is not reported again as -realtime.
            .map((s) => `${s.from}:${s.relation & (PROCESS | REALTIME) ? 'order' : s.relation}`)
            .join(',');
          if (seen.has(signature)) return;
          seen.add(signature);
          const anomaly = cycleAnomaly(steps, options.name, options.opIndex, options.explain);
          const n = (findings.counts[anomaly.type] ?? 0) + 1;
          findings.counts[anomaly.type] = n;
          if (n <= options.maxPerType) findings.anomalies.push(anomaly);
        });
      }
    }
  } catch (e) {
    if (!(e instanceof OutOfTime)) throw e;
    findings.complete = false;
    findings.incomplete.push('the rest of the cycle search (time limit)');
  }
  return findings;
}
