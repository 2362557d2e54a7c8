/**
 * The cycle search, as Elle runs it: strongly connected components of the whole graph
 * first (cheap, and none in a valid history); then, inside each component, one shortest
 * cycle of each kind, shallowest kinds first (see {@link compareAnomalies}), skipping kinds
 * a cycle already found in that component implies.
 */
import {
  type Anomaly,
  classifyCycle,
  cycleAnomaly,
  type EdgeExplainer,
  type TxnDescriber,
} from './anomalies.js';
import {
  ALL_RELATIONS,
  type Components,
  CycleSearch,
  type CycleStep,
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
import { compareAnomalies, impliedAnomalies } from './models.js';

interface CycleKind {
  type: string;
  /** The relations whose components contain every cycle of this kind. */
  within: number;
  /** The first edge's relation. */
  anchor: number;
  /** Relations the rest of the cycle may use. */
  allowed: number;
  /** The cycle must also use one of these relations (0: no demand). */
  needs: number;
  nonadjacentRw: boolean;
}

// Every anti-dependency these checkers infer is on an item (a key), never a predicate, so
// Elle's predicate kinds (G-single, G-nonadjacent, G2) never occur: only their -item forms.
const BASE = [
  { type: 'G0', within: WW, anchor: WW, allowed: WW, nonadjacentRw: false },
  { type: 'G1c', within: WW | WR, anchor: WR, allowed: WW | WR, nonadjacentRw: false },
  { type: 'G-single-item', within: DATA, anchor: RW, allowed: WW | WR, nonadjacentRw: false },
  { type: 'G-nonadjacent-item', within: DATA, anchor: RW, allowed: DATA, nonadjacentRw: true },
  { type: 'G2-item', within: DATA, anchor: RW, allowed: DATA, nonadjacentRw: false },
];

const KINDS: CycleKind[] = BASE.flatMap((k) => [
  { ...k, needs: 0 },
  {
    ...k,
    type: `${k.type}-process`,
    within: k.within | PROCESS,
    allowed: k.allowed | PROCESS,
    needs: PROCESS,
  },
  {
    ...k,
    type: `${k.type}-realtime`,
    within: k.within | REALTIME,
    allowed: k.allowed | REALTIME,
    needs: REALTIME,
  },
]).sort((a, b) => compareAnomalies(a.type, b.type));

/** The cycle anomaly names this search can report. */
export const CYCLE_TYPES: readonly string[] = KINDS.map((k) => k.type);

export interface CycleOptions {
  /** The order relations present in the graph (PROCESS, REALTIME or neither). */
  orders: number;
  /** Date.now() after which the search stops, leaving the rest unknown. */
  deadline: number;
  /**
   * The order in which the workload explains an edge carrying several relations (Elle's
   * combined explainer: list-append tries ww, wr, rw; rw-register wr, ww, rw; then the
   * process or real-time order). A cycle is named after its edges as explained.
   */
  preference: readonly number[];
  name: (t: number) => string;
  opIndex: (t: number) => number;
  explain: EdgeExplainer;
  describe: TxnDescriber;
}

export interface CycleFindings {
  anomalies: Anomaly[];
  /** How many cycles of each type were found. */
  counts: Record<string, number>;
  /** False when the time limit or a search budget cut the search short. */
  complete: boolean;
  /** What was cut short (Elle's `cycle-search-timeout` cases). */
  timeouts: Anomaly[];
  /** Non-trivial strongly connected components of the whole graph. */
  components: number;
}

/** Finds cycle anomalies in the graph: per component, one of each kind not already implied. */
export function findCycles(graph: Graph, options: CycleOptions): CycleFindings {
  const findings: CycleFindings = { anomalies: [], counts: {}, complete: true, timeouts: [], components: 0 };
  const whole = stronglyConnected(graph, ALL_RELATIONS);
  findings.components = whole.members.length;
  if (whole.members.length === 0) return findings;
  const kinds = KINDS.filter((k) => (k.needs & options.orders) === k.needs);
  // One search may take a few passes over the graph; beyond that it is abandoned (unknown).
  const search = new CycleSearch(graph, options.deadline, 1_000_000 + 4 * graph.edgeCount);
  const redundant = whole.members.map(() => new Set<string>());
  const byMask = new Map<number, Components>();
  try {
    for (const kind of kinds) {
      let components = byMask.get(kind.within);
      if (!components) {
        components = stronglyConnected(graph, kind.within);
        byMask.set(kind.within, components);
      }
      const sub = components;
      sub.members.forEach((members, c) => {
        const parent = whole.componentOf[members[0]!]!;
        if (redundant[parent]!.has(kind.type)) return;
        let steps: CycleStep[] | undefined;
        try {
          steps = search.find(kind, sub.componentOf, c, members);
        } catch (e) {
          if (!(e instanceof OverBudget)) throw e;
          findings.complete = false;
          findings.timeouts.push(timeout(kind.type, whole.members[parent]!.length));
          return;
        }
        if (!steps) return;
        for (const step of steps) {
          const mask = graph.mask(step.from, step.to);
          step.relation = options.preference.find((r) => mask & r) ?? step.relation;
        }
        // Like Elle, a kind with a shape (all but G0 and G1c) must be explained as that shape.
        const type = classifyCycle(steps);
        if (type !== kind.type && !/^G(0|1c)($|-)/.test(kind.type)) return;
        const anomaly = cycleAnomaly(steps, options);
        findings.counts[anomaly.type] = (findings.counts[anomaly.type] ?? 0) + 1;
        findings.anomalies.push(anomaly);
        for (const a of impliedAnomalies([kind.type])) redundant[parent]!.add(a);
      });
    }
  } catch (e) {
    if (!(e instanceof OutOfTime)) throw e;
    findings.complete = false;
    findings.timeouts.push(timeout('the rest of the cycle search (time limit)', graph.n));
  }
  return findings;
}

function timeout(kind: string, size: number): Anomaly {
  return {
    type: 'cycle-search-timeout',
    ops: [],
    explanation: `the search for ${kind} in a strongly connected component of ${size} transactions was cut short; that kind of cycle may be there`,
    'anomaly-spec-type': kind,
    'scc-size': size,
  };
}
