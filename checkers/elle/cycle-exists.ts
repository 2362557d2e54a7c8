/**
 * Elle's fallback when the cycle search is cut short: proving that a cycle a model forbids
 * exists somewhere, from strongly connected components alone (cheap), without finding it.
 * Snapshot isolation's subgraph is the sequential extension of ww ∪ wr by one rw hop, whose
 * cycles are exactly those whose rw edges never follow each other.
 */
import type { Anomaly } from './anomalies.js';
import { EdgeList, type Graph, PROCESS, REALTIME, RW, stronglyConnected, WR, WW } from './graph.js';
import { friendlyModel, strongerModels } from './models.js';

interface Spec {
  /** Canonical model name; the anomaly is `<model>-cycle-exists`. */
  model: string;
  /** Relations of the subgraph. */
  rels: number;
  /** When set, the subgraph is rels extended by one hop of these. */
  extendBy?: number;
  subgraph: string;
}

const DATA = WW | WR | RW;
const SPECS: Spec[] = [
  { model: 'PL-1', rels: WW, subgraph: 'ww' },
  { model: 'PL-2', rels: WW | WR, subgraph: 'ww wr' },
  { model: 'PL-SI', rels: WW | WR, extendBy: RW, subgraph: '(ww wr) extended by rw' },
  { model: 'PL-2.99', rels: DATA, subgraph: 'ww wr rw' },
  { model: 'PL-3', rels: DATA, subgraph: 'ww wr rw' },
  { model: 'strong-session-PL-1', rels: WW | PROCESS, subgraph: 'ww process' },
  { model: 'strong-session-PL-2', rels: WW | WR | PROCESS, subgraph: 'ww wr process' },
  {
    model: 'strong-session-snapshot-isolation',
    rels: WW | WR | PROCESS,
    extendBy: RW,
    subgraph: '(ww wr process) extended by rw',
  },
  { model: 'strong-session-serializable', rels: DATA | PROCESS, subgraph: 'ww wr rw process' },
  { model: 'strong-PL-1', rels: WW | REALTIME, subgraph: 'ww realtime' },
  { model: 'strong-PL-2', rels: WW | WR | REALTIME, subgraph: 'ww wr realtime' },
  {
    model: 'strong-snapshot-isolation',
    rels: WW | WR | REALTIME,
    extendBy: RW,
    subgraph: '(ww wr realtime) extended by rw',
  },
  { model: 'PL-SS', rels: DATA | REALTIME, subgraph: 'ww wr rw realtime' },
];

/**
 * The `*-cycle-exists` anomalies of a graph, skipping models `ruledOut` (canonical) already
 * excludes and those a weaker one found here excludes. `opIndex` names transactions.
 */
export function cycleExists(graph: Graph, ruledOut: Set<string>, opIndex: (t: number) => number): Anomaly[] {
  const out: Anomaly[] = [];
  const redundant = new Set(ruledOut);
  for (const spec of SPECS) {
    if (redundant.has(spec.model)) continue;
    const sub = spec.extendBy ? extended(graph, spec.rels, spec.extendBy) : graph;
    if (!sub) continue;
    const members = sub === true ? undefined : smallest(sub, spec.extendBy ? 0xff : spec.rels);
    if (sub !== true && !members) continue;
    const not = friendlyModel(spec.model);
    out.push({
      type: `${spec.model}-cycle-exists`,
      ops: members ? [...members].map(opIndex).sort((a, b) => a - b) : [],
      explanation: `a cycle ${not} forbids exists among ${members ? members.length : 'these'} transactions (a strongly connected component of ${spec.subgraph}), though the search for it was cut short`,
      not,
      subgraph: spec.subgraph,
      'scc-size': members?.length ?? 1,
    });
    for (const m of strongerModels([spec.model])) redundant.add(m);
  }
  return out;
}

function smallest(graph: Graph, rels: number): Int32Array | undefined {
  const { members } = stronglyConnected(graph, rels);
  return members.reduce<Int32Array | undefined>((a, b) => (!a || b.length < a.length ? b : a), undefined);
}

/**
 * rels ∪ (rels ; extendBy): a -rels-> b -extendBy-> c adds a -> c. True when that closes a
 * cycle at once (a -> b -> a); undefined when it would be too big to build.
 */
function extended(graph: Graph, rels: number, extendBy: number): Graph | true | undefined {
  const { n, offsets, targets, masks } = graph;
  const edges = new EdgeList(graph.edgeCount * 2 + 1024);
  const limit = 4 * graph.edgeCount + 1_000_000;
  for (let a = 0; a < n; a++) {
    for (let e = offsets[a]!; e < offsets[a + 1]!; e++) {
      if ((masks[e]! & rels) === 0) continue;
      const b = targets[e]!;
      edges.add(a, b, WW);
      for (let f = offsets[b]!; f < offsets[b + 1]!; f++) {
        if ((masks[f]! & extendBy) === 0) continue;
        const c = targets[f]!;
        if (c === a) return true;
        edges.add(a, c, WW);
      }
      if (edges.length > limit) return undefined;
    }
  }
  return edges.build(n);
}
