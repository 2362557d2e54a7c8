/**
 * Elle-class transactional checkers: `list-append` and `rw-register`. Both infer a
 * dependency graph from the history, look for cycles and non-cycle anomalies, and judge
 * them against the requested consistency models and anomalies, as Elle does.
 */
import type { History } from '../../src/history/index.js';
import type { Checker, CheckResult, Validity } from '../result.js';
import { type Anomaly, describeCycleType } from './anomalies.js';
import { withArena } from './arena.js';
import { cycleExists } from './cycle-exists.js';
import { CYCLE_TYPES, findCycles } from './cycles.js';
import { PROCESS, REALTIME, RW, WR, WW } from './graph.js';
import { analyzeListAppend, type WorkloadAnalysis } from './list-append.js';
import { checkedFor, findings, impossibleModels } from './models.js';
import { type ElleOptions, parseElleOptions, validateElleOptions } from './options.js';
import { analyzeRwRegister } from './rw-register.js';
import {
  addProcessEdges,
  addRealtimeEdges,
  describeTxn,
  explainOrderEdge,
  parseTxns,
  txnName,
} from './txn.js';

export type { Anomaly, CycleEdge, EdgeWhy, TxnRecord } from './anomalies.js';
export {
  ANOMALIES,
  boundary,
  forbiddenAnomalies,
  MODELS,
  prohibitedAnomalies,
  strongestSatisfied,
} from './models.js';
export { type ElleOptions, parseElleOptions } from './options.js';

/** The result: Elle's fields, with JSON-friendly names. */
export interface ElleResult extends CheckResult {
  valid: Validity;
  /** The anomaly types found that the requested models or anomalies forbid (or that make it unknown), sorted. */
  'anomaly-types': string[];
  /** The other anomaly types found: allowed by what was asked, still worth knowing. */
  'other-anomaly-types': string[];
  /** Examples of each anomaly type found, with evidence and explanations. */
  anomalies: Record<string, Anomaly[]>;
  /** How many of each type were found. */
  'anomaly-counts': Record<string, number>;
  /** The weakest models everything found rules out. */
  not: string[];
  /** The stronger models also ruled out. */
  'also-not': string[];
  /** The strongest models nothing found rules out. */
  'strongest-satisfied': string[];
  /** The models checked against (friendly names). */
  'consistency-models': string[];
  /** The anomalies asked for directly. */
  'requested-anomalies': string[];
  txns: number;
  edges: number;
}

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
  validateElleOptions(options);
  // About what a history of mostly small transactions needs; more is allocated piecemeal.
  return withArena(history.length * 160, () => checkIn(workload, history, options));
}

function checkIn(workload: Workload, history: History, options: ElleOptions): ElleResult {
  const started = Date.now();
  // Elle's default model applies when no model is given; asking for anomalies alone is a choice.
  const asked = checkedFor(options.anomalies, options.consistencyModels);
  const { reportable } = asked;
  const maxPerType = options.maxAnomaliesPerType ?? 8;
  const txns = parseTxns(history, new Set(workload === 'list-append' ? ['append', 'r'] : ['w', 'r']));
  const order = options.transactionOrder;
  const analysis: WorkloadAnalysis =
    workload === 'list-append'
      ? analyzeListAppend(txns, maxPerType)
      : analyzeRwRegister(txns, maxPerType, {
          wfrKeys: options.wfrKeys ?? options.writesFollowReads ?? true,
          sequentialKeys: options.sequentialKeys ?? false,
          linearizableKeys: options.linearizableKeys ?? false,
          transactionOrder: order
            ? new Map(Object.entries(order).map(([k, v]) => [Number(k), v]))
            : undefined,
        });
  const C = txns.committed;
  // As Elle: real-time edges when a real-time anomaly matters (they cover process order), else
  // process edges when a process anomaly does.
  const wants = (suffix: string) => CYCLE_TYPES.some((t) => t.endsWith(suffix) && reportable(t));
  const orders = wants('-realtime') ? REALTIME : wants('-process') ? PROCESS : 0;
  if (orders === REALTIME) addRealtimeEdges(C, history.length, analysis.edges);
  else if (orders === PROCESS) addProcessEdges(C, analysis.edges);
  const graph = analysis.edges.build(C.count);
  const cycles = findCycles(graph, {
    orders,
    deadline: options.timeLimitMs === undefined ? Number.POSITIVE_INFINITY : started + options.timeLimitMs,
    preference:
      workload === 'list-append' ? [WW, WR, RW, PROCESS, REALTIME] : [WR, WW, RW, PROCESS, REALTIME],
    name: (t) => txnName(C, t),
    opIndex: (t) => (C.completeIndex[t]! >= 0 ? C.completeIndex[t]! : C.invokeIndex[t]!),
    explain: (a, b, r) => (r >= PROCESS ? explainOrderEdge(C, a, b, r) : analysis.explain(a, b, r)),
    describe: (t) => describeTxn(C, txns.keys, t),
  });

  const anomalies: Record<string, Anomaly[]> = {};
  const counts: Record<string, number> = { ...analysis.anomalies.counts };
  const keep = (a: Anomaly) => {
    if (!a.explanation) return;
    anomalies[a.type] ??= [];
    if (anomalies[a.type]!.length < maxPerType) anomalies[a.type]!.push(a);
  };
  for (const a of analysis.anomalies.kept) keep(a);
  for (const a of [...cycles.anomalies, ...cycles.timeouts]) {
    keep(a);
    counts[a.type] = (counts[a.type] ?? 0) + 1;
  }
  if (!cycles.complete) {
    // As Elle: what the search could not finish, components may still prove.
    const opIndex = (t: number) => (C.completeIndex[t]! >= 0 ? C.completeIndex[t]! : C.invokeIndex[t]!);
    for (const a of cycleExists(graph, impossibleModels(Object.keys(counts)), opIndex)) {
      keep(a);
      counts[a.type] = (counts[a.type] ?? 0) + 1;
    }
  }
  if (graph.edgeCount === 0) {
    counts['empty-transaction-graph'] = 1;
    keep({
      type: 'empty-transaction-graph',
      ops: [],
      explanation: `no dependency between the ${C.count} committed transactions could be inferred, so the checker has nothing to stand on`,
    });
  }
  const { fields, prohibitedFound } = findings(counts, asked);
  const valid: Validity = prohibitedFound ? false : fields['anomaly-types'].length > 0 ? 'unknown' : true;
  const result: ElleResult = {
    valid,
    ...fields,
    anomalies,
    'anomaly-counts': counts,
    txns: C.count,
    edges: graph.edgeCount,
  };
  if (valid === 'unknown') {
    result.reason = fields['anomaly-types'].includes('empty-transaction-graph')
      ? 'empty-transaction-graph: no dependencies between transactions could be inferred'
      : 'cycle-search-timeout: the cycle search was cut short';
  }
  return result;
}

/** Prints an Elle result for a person: verdict, the lattice answer, each anomaly in words. */
export function explainElle(result: CheckResult): string {
  const r = result as ElleResult;
  const lines: string[] = [];
  const verdict = r.valid === true ? 'valid' : r.valid === false ? 'INVALID' : 'unknown';
  const asked = [...(r['consistency-models'] ?? []), ...(r['requested-anomalies'] ?? [])];
  lines.push(`${verdict} under ${asked.join(', ') || '-'} (${r.txns} transactions)`);
  if (r.reason) lines.push(`  ${r.reason}`);
  if (r.not?.length) lines.push(`not: ${r.not.join(', ')}; also not: ${r['also-not'].join(', ') || '-'}`);
  if (r['strongest-satisfied']?.length)
    lines.push(`strongest models not ruled out: ${r['strongest-satisfied'].join(', ')}`);
  if (r['other-anomaly-types']?.length) {
    lines.push(`also found (allowed by what was asked): ${r['other-anomaly-types'].join(', ')}`);
  }
  for (const type of [...(r['anomaly-types'] ?? []), ...(r['other-anomaly-types'] ?? [])]) {
    const examples = r.anomalies[type] ?? [];
    const count = r['anomaly-counts'][type] ?? examples.length;
    const what = CYCLE_TYPES.includes(type) ? ` (${describeCycleType(type)})` : '';
    lines.push(
      `${type}${what}: ${count} found${count > examples.length ? `, ${examples.length} shown` : ''}`,
    );
    for (const a of examples) {
      if (a.cycle) {
        lines.push(`  cycle ${[...a.cycle.map((e) => e.from), a.cycle[0]!.from].join(' → ')}:`);
        lines.push('    Let:');
        for (const t of a.txns ?? [])
          lines.push(
            `      ${t.name} = ${JSON.stringify(t.value)} (process ${String(t.process)}, op ${t.index})`,
          );
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
    // Plans hand over untyped options, in either naming: read them as Elle options.
    check: (history, options) =>
      check(name, history, parseElleOptions((options ?? {}) as Record<string, unknown>, `checkers.${name}`)),
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

export {
  checkListAppendWindowed,
  checkRwRegisterWindowed,
  DEFAULT_WINDOW_OPS,
  type OpStream,
  type WindowedCoverage,
  type WindowedElleOptions,
  type WindowedElleResult,
} from './windowed.js';
