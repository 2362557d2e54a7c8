/**
 * Elle-class transactional checkers: `list-append` and `rw-register`. Both infer a
 * dependency graph from the history, look for cycles and non-cycle anomalies, and judge
 * them against the requested consistency models.
 */
import type { History } from '../../src/history/index.js';
import type { Checker, CheckResult, CommonCheckOptions, Validity } from '../result.js';
import { type Anomaly, describeCycleType } from './anomalies.js';
import { withArena } from './arena.js';
import { CYCLE_TYPES, findCycles } from './cycles.js';
import { analyzeListAppend, type WorkloadAnalysis } from './list-append.js';
import { boundary, canonicalModel, forbiddenAnomalies } from './models.js';
import { analyzeRwRegister } from './rw-register.js';
import { addProcessEdges, addRealtimeEdges, explainOrderEdge, parseTxns, txnName } from './txn.js';

export type { Anomaly, CycleEdge } from './anomalies.js';
export { boundary, forbiddenAnomalies, MODELS } from './models.js';

/** Options of the Elle checkers. */
export interface ElleOptions extends CommonCheckOptions {
  /** Keep at most this many examples of each anomaly type (all are counted). Default 8. */
  maxAnomaliesPerType?: number;
  /**
   * rw-register only: assume that when a transaction reads a key and then writes it, the
   * version it wrote follows the version it read (Elle's `wfr-keys?`). Default true.
   */
  writesFollowReads?: boolean;
}

/** The result: Elle's fields, with JSON-friendly names. */
export interface ElleResult extends CheckResult {
  valid: Validity;
  /** Every anomaly type found, sorted. */
  'anomaly-types': string[];
  /** Examples of each anomaly type, with evidence and explanations. */
  anomalies: Record<string, Anomaly[]>;
  /** How many of each type were found. */
  'anomaly-counts': Record<string, number>;
  /** The weakest models the anomalies rule out. */
  not: string[];
  /** The stronger models also ruled out. */
  'also-not': string[];
  /** The models checked against. */
  'consistency-models': string[];
  txns: number;
  edges: number;
}

const DEFAULT_MODELS = ['strict-serializable'];

type Workload = 'list-append' | 'rw-register';

/** Checks a list-append history (`append` and `r` micro-ops). */
export function checkListAppend(history: History, options: ElleOptions = {}): ElleResult {
  return check('list-append', history, options);
}

/** Checks a read-write register history (`w` and `r` micro-ops, unique writes per key). */
export function checkRwRegister(history: History, options: ElleOptions = {}): ElleResult {
  return check('rw-register', history, options);
}

function check(workload: Workload, history: History, options: ElleOptions): ElleResult {
  // About what a history of mostly small transactions needs; more is allocated piecemeal.
  return withArena(history.length * 160, () => checkIn(workload, history, options));
}

function checkIn(workload: Workload, history: History, options: ElleOptions): ElleResult {
  const started = Date.now();
  const models = (options.consistencyModels?.length ? options.consistencyModels : DEFAULT_MODELS).map(
    canonicalModel,
  );
  const forbidden = forbiddenAnomalies(models);
  const maxPerType = options.maxAnomaliesPerType ?? 8;
  const txns = parseTxns(history, new Set(workload === 'list-append' ? ['append', 'r'] : ['w', 'r']));
  const analysis: WorkloadAnalysis =
    workload === 'list-append'
      ? analyzeListAppend(txns, maxPerType)
      : analyzeRwRegister(txns, maxPerType, options.writesFollowReads ?? true);
  const C = txns.committed;
  const wanted = new Set(CYCLE_TYPES.filter((t) => forbidden.has(t)));
  const wants = (suffix: string) => [...wanted].some((t) => t.endsWith(suffix));
  if (wants('-process') || wants('-realtime')) addProcessEdges(C, analysis.edges);
  if (wants('-realtime')) addRealtimeEdges(C, history.length, analysis.edges);
  const graph = analysis.edges.build(C.count);
  const cycles = findCycles(graph, {
    wanted,
    deadline: options.timeLimitMs === undefined ? Number.POSITIVE_INFINITY : started + options.timeLimitMs,
    maxPerType,
    name: (t) => txnName(C, t),
    opIndex: (t) => (C.completeIndex[t]! >= 0 ? C.completeIndex[t]! : C.invokeIndex[t]!),
    explain: (a, b, r) => (r >= 8 ? explainOrderEdge(C, a, b, r) : analysis.explain(a, b, r)),
  });

  const anomalies: Record<string, Anomaly[]> = {};
  for (const a of [...analysis.anomalies.kept, ...cycles.anomalies]) {
    anomalies[a.type] ??= [];
    anomalies[a.type]!.push(a);
  }
  const counts = { ...analysis.anomalies.counts, ...cycles.counts };
  const types = Object.keys(counts).sort();
  const { not, alsoNot } = boundary(types);
  const bad = types.some((t) => forbidden.has(t));
  const valid: Validity = bad ? false : cycles.complete ? true : 'unknown';
  const result: ElleResult = {
    valid,
    'anomaly-types': types,
    anomalies,
    'anomaly-counts': counts,
    not,
    'also-not': alsoNot,
    'consistency-models': models,
    txns: C.count,
    edges: graph.edgeCount,
  };
  if (!cycles.complete) {
    result.reason = `cycle search cut short; unknown: ${cycles.incomplete.join('; ')}`;
  }
  return result;
}

/** Prints an Elle result for a person: verdict, models ruled out, each anomaly in words. */
export function explainElle(result: CheckResult): string {
  const r = result as ElleResult;
  const lines: string[] = [];
  const verdict = r.valid === true ? 'valid' : r.valid === false ? 'INVALID' : 'unknown';
  lines.push(`${verdict} under ${(r['consistency-models'] ?? []).join(', ')} (${r.txns} transactions)`);
  if (r.reason) lines.push(`  ${r.reason}`);
  if (r.not?.length)
    lines.push(`ruled out: ${r.not.join(', ')}; also not: ${r['also-not'].join(', ') || '-'}`);
  for (const type of r['anomaly-types'] ?? []) {
    const examples = r.anomalies[type] ?? [];
    const count = r['anomaly-counts'][type] ?? examples.length;
    const what = CYCLE_TYPES.includes(type) ? ` (${describeCycleType(type)})` : '';
    lines.push(
      `${type}${what}: ${count} found${count > examples.length ? `, ${examples.length} shown` : ''}`,
    );
    for (const a of examples) {
      if (a.cycle) {
        lines.push(`  cycle ${[...a.cycle.map((e) => e.from), a.cycle[0]!.from].join(' → ')}:`);
        for (const e of a.cycle) lines.push(`    ${e.explanation}`);
      } else lines.push(`  ${a.explanation}`);
    }
  }
  return lines.join('\n');
}

function checker(name: Workload, description: string): Checker<ElleOptions> {
  return {
    name,
    description,
    check: (history, options) => check(name, history, options ?? {}),
    explain: explainElle,
  };
}

/** `faultline check --checker list-append`. */
export const listAppendChecker = checker(
  'list-append',
  'Elle-style isolation check of list-append transactions (G0 … G2, aborted/intermediate reads, …)',
);

/** `faultline check --checker rw-register`. */
export const rwRegisterChecker = checker(
  'rw-register',
  'Elle-style isolation check of read-write register transactions (G0 … G2, cyclic versions, …)',
);
