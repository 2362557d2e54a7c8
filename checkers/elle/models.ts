import { InputError } from '../../src/errors.js';

/**
 * Elle's consistency-model lattice, as data: which anomalies imply which, which models imply
 * which, and which anomalies each model forbids directly (after Adya, Bailis et al., Cerone
 * et al., Daudjee & Salem, as organised by Elle's `elle.consistency-model`). The functions
 * below answer the same questions Elle answers: what a set of models forbids, and which
 * models a set of anomalies rules out (`not`: the weakest, `also-not`: the rest).
 */

type Dag = Record<string, readonly string[]>;

/** A → B: a history showing anomaly A also shows B. */
const IMPLIED_ANOMALIES: Dag = {
  G0: ['G1c', 'G0-process'],
  'G0-process': ['G1c-process', 'G0-realtime'],
  'G0-realtime': ['G1c-realtime'],
  G1a: ['G1'],
  G1b: ['G1'],
  G1c: ['G1', 'G1c-process'],
  'G1c-process': ['G1c-realtime', 'G1-process'],
  'G1c-realtime': ['G1-realtime'],
  G1: ['G1-process'],
  'G1-process': ['G1-realtime'],
  'G-single-item': ['G-single', 'G-single-item-process', 'G-nonadjacent-item'],
  'G-single-item-process': ['G-single-process', 'G-single-item-realtime', 'G-nonadjacent-item-process'],
  'G-single-item-realtime': ['G-single-realtime', 'G-nonadjacent-item-realtime'],
  'G-single': ['G-nonadjacent', 'GSIb', 'G-single-process'],
  'G-single-process': ['G-nonadjacent-process', 'G-single-realtime'],
  'G-single-realtime': ['G-nonadjacent-realtime'],
  'G-nonadjacent-item': ['G-nonadjacent', 'G2-item', 'G-nonadjacent-item-process'],
  'G-nonadjacent-item-process': ['G-nonadjacent-process', 'G2-item-process', 'G-nonadjacent-item-realtime'],
  'G-nonadjacent-item-realtime': ['G2-item-realtime', 'G-nonadjacent-realtime'],
  'G-nonadjacent': ['G2', 'G-nonadjacent-process'],
  'G-nonadjacent-process': ['G2-process', 'G-nonadjacent-realtime'],
  'G-nonadjacent-realtime': ['G2-realtime'],
  G2: ['G2-process'],
  'G2-item': ['G2', 'G2-item-process'],
  'G2-item-process': ['G2-process', 'G2-item-realtime'],
  'G2-item-realtime': ['G2-realtime'],
  'G2-process': ['G2-realtime'],
  GSIa: ['GSI'],
  GSIb: ['GSI'],
  'incompatible-order': ['G1a'],
  'future-read': ['G1c'],
  'dirty-update': ['G1a'],
  'lost-update': ['write-skew', 'G2-item'],
  'write-skew': ['G2'],
  // faultline's own: a value nobody wrote is at least as bad as one an aborted transaction wrote.
  'garbage-read': ['G1a'],
};

/** Not implication, only "worse than": Elle searches the worse kinds first. */
const SEVERITY: Dag = {
  G0: ['G1c'],
  'G0-process': ['G1c-process'],
  'G0-realtime': ['G1c-realtime'],
  G1c: ['G-single', 'G2-item'],
  'G1c-process': ['G-single-process', 'G2-item-process'],
  'G1c-realtime': ['G-single-realtime', 'G2-item-realtime'],
  G2: ['G0-process'],
  'G2-process': ['G0-realtime'],
};

/** Friendly names → Elle's canonical names (Adya's PL-* where there is one). */
const CANONICAL: Record<string, string> = {
  'consistent-view': 'PL-2+',
  'conflict-serializable': 'PL-3',
  'cursor-stability': 'PL-CS',
  'forward-consistent-view': 'PL-FCV',
  'monotonic-snapshot-read': 'PL-MSR',
  'monotonic-view': 'PL-2L',
  'read-committed': 'PL-2',
  'read-uncommitted': 'PL-1',
  'repeatable-read': 'PL-2.99',
  serializable: 'PL-3',
  'snapshot-isolation': 'PL-SI',
  'strict-serializable': 'PL-SS',
  'strong-serializable': 'PL-SS',
  'update-serializable': 'PL-3U',
  'strong-session-read-uncommitted': 'strong-session-PL-1',
  'strong-session-read-committed': 'strong-session-PL-2',
  'strong-read-uncommitted': 'strong-PL-1',
  'strong-read-committed': 'strong-PL-2',
};

/** Canonical → friendly (PL-3 is "serializable", PL-SS "strict-serializable"). */
const FRIENDLY: Record<string, string> = {
  ...Object.fromEntries(Object.entries(CANONICAL).map(([f, c]) => [c, f])),
  'PL-3': 'serializable',
  'PL-SS': 'strict-serializable',
};

/** A → B: every history satisfying model A also satisfies B (names as Elle writes them). */
const MODEL_IMPLIES: Dag = {
  'causal-cerone': ['read-atomic'],
  'consistent-view': ['cursor-stability', 'monotonic-view'],
  'conflict-serializable': ['view-serializable'],
  'cursor-stability': ['read-committed', 'PL-2'],
  'forward-consistent-view': ['consistent-view'],
  'PL-2': ['PL-1'],
  'PL-3': ['repeatable-read', 'update-serializable'],
  'update-serializable': ['forward-consistent-view'],
  'monotonic-atomic-view': ['read-committed'],
  'monotonic-view': ['PL-2'],
  'monotonic-snapshot-read': ['PL-2'],
  'parallel-snapshot-isolation': ['causal-cerone', 'update-atomic'],
  prefix: ['causal-cerone'],
  'read-atomic': ['monotonic-atomic-view'],
  'read-committed': ['read-uncommitted'],
  'repeatable-read': ['cursor-stability', 'monotonic-atomic-view'],
  'update-atomic': ['read-atomic'],
  serializable: ['repeatable-read', 'snapshot-isolation', 'view-serializable'],
  'session-serializable': ['1SR'],
  'snapshot-isolation': [
    'forward-consistent-view',
    'monotonic-atomic-view',
    'monotonic-snapshot-read',
    'parallel-snapshot-isolation',
    'prefix',
  ],
  'strict-serializable': [
    'PL-3',
    'serializable',
    'linearizable',
    'snapshot-isolation',
    'strong-snapshot-isolation',
    'strong-session-serializable',
  ],
  'strong-session-PL-1': ['PL-1'],
  'strong-session-PL-2': ['PL-2', 'strong-session-PL-1'],
  'strong-PL-1': ['strong-session-PL-1'],
  'strong-PL-2': ['strong-session-PL-2', 'strong-PL-1'],
  'strong-session-serializable': ['serializable', 'strong-session-snapshot-isolation'],
  'strong-session-snapshot-isolation': ['snapshot-isolation', 'strong-session-PL-2'],
  'strong-serializable': ['session-serializable'],
  'strong-snapshot-isolation': ['strong-session-snapshot-isolation', 'strong-PL-2'],
  linearizable: ['sequential'],
  sequential: ['causal'],
  causal: ['writes-follow-reads', 'PRAM'],
  PRAM: ['monotonic-reads', 'monotonic-writes', 'read-your-writes'],
};

/** The anomalies each model forbids beyond what the models it implies forbid. */
const DIRECT_PROSCRIBED: Dag = {
  'causal-cerone': ['internal', 'G1a'],
  'cursor-stability': ['G1', 'G-cursor', 'lost-update'],
  'monotonic-view': ['G1', 'G-monotonic'],
  'monotonic-snapshot-read': ['G1', 'G-MSR'],
  'consistent-view': ['G1', 'G-single'],
  'forward-consistent-view': ['G1', 'G-SIb'],
  'parallel-snapshot-isolation': ['internal', 'G1a'],
  'PL-3': ['G1', 'G2', 'predicate-read-miss', 'PL-3-cycle-exists'],
  'PL-2': ['G1', 'PL-2-cycle-exists'],
  'PL-1': ['G0', 'duplicate-elements', 'cyclic-versions', 'PL-1-cycle-exists'],
  prefix: ['internal', 'G1a'],
  serializable: ['internal'],
  'snapshot-isolation': ['internal', 'G1', 'G-SI', 'G-nonadjacent', 'PL-SI-cycle-exists'],
  'read-atomic': ['internal', 'G1a', 'future-read'],
  'repeatable-read': ['G1', 'G2-item', 'PL-2.99-cycle-exists', 'lost-update'],
  'update-atomic': ['lost-update'],
  'strict-serializable': ['G1', 'G1c-realtime', 'G2-realtime', 'PL-SS-cycle-exists'],
  'strong-session-PL-1': ['strong-session-PL-1-cycle-exists', 'G0-process'],
  'strong-session-PL-2': ['strong-session-PL-2-cycle-exists', 'G1c-process'],
  'strong-PL-1': ['strong-PL-1-cycle-exists', 'G0-realtime'],
  'strong-PL-2': ['strong-PL-2-cycle-exists', 'G1c-realtime'],
  'strong-session-snapshot-isolation': [
    'internal',
    'G1-process',
    'G-nonadjacent-process',
    'strong-session-snapshot-isolation-cycle-exists',
  ],
  'strong-snapshot-isolation': [
    'internal',
    'G1-realtime',
    'G-nonadjacent-realtime',
    'strong-snapshot-isolation-cycle-exists',
  ],
  'strong-session-serializable': ['G1-process', 'G2-process', 'strong-session-serializable-cycle-exists'],
  'update-serializable': ['G1', 'G-update'],
};

/** Anomalies that make a verdict `unknown` rather than `false` (nothing to stand on, search cut short). */
export const UNKNOWN_ANOMALIES: ReadonlySet<string> = new Set([
  'empty-transaction-graph',
  'cycle-search-timeout',
]);

const canonical = (m: string): string => CANONICAL[m] ?? m;

/** Re-keys a graph by canonical names, merging the successor lists of synonyms. */
function canonicalDag(g: Dag): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [a, bs] of Object.entries(g)) {
    const list = out[canonical(a)] ?? [];
    out[canonical(a)] = list;
    for (const b of bs) if (!list.includes(canonical(b))) list.push(canonical(b));
  }
  return out;
}

function invert(g: Record<string, readonly string[]>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [a, bs] of Object.entries(g)) for (const b of bs) out[b] = [...(out[b] ?? []), a];
  return out;
}

function closure(start: Iterable<string>, next: Record<string, readonly string[]>): Set<string> {
  const seen = new Set<string>();
  const todo = [...start];
  while (todo.length > 0) {
    const x = todo.pop()!;
    if (seen.has(x)) continue;
    seen.add(x);
    todo.push(...(next[x] ?? []));
  }
  return seen;
}

const MODELS_DAG = canonicalDag(MODEL_IMPLIES);
const MODELS_UP = invert(MODELS_DAG);
const PROSCRIBED = canonicalDag(DIRECT_PROSCRIBED);
const PROSCRIBED_BY = invert(PROSCRIBED);
const ANOMALIES_UP = invert(IMPLIED_ANOMALIES);

const vertices = (g: Record<string, readonly string[]>) =>
  new Set([...Object.keys(g), ...Object.values(g).flat()]);

const CANONICAL_MODELS = vertices(MODELS_DAG);

/** Every model name accepted (friendly and canonical), sorted. */
export const ALL_MODEL_NAMES: readonly string[] = [
  ...new Set([...CANONICAL_MODELS, ...Object.keys(CANONICAL), ...Object.values(CANONICAL)]),
].sort();

/** The models of the lattice by their friendly names, sorted (what error messages list). */
export const MODELS: readonly string[] = [
  ...new Set([...CANONICAL_MODELS].map((m) => FRIENDLY[m] ?? m)),
].sort();

/**
 * Depth of each anomaly in the implication-plus-severity graph (longest path from an
 * anomaly nothing implies): Elle searches cycle kinds in this order, shallowest first.
 */
const DEPTHS: Map<string, number> = (() => {
  const merged: Record<string, string[]> = {};
  for (const g of [IMPLIED_ANOMALIES, SEVERITY]) {
    for (const [a, bs] of Object.entries(g)) merged[a] = [...(merged[a] ?? []), ...bs];
  }
  const depth = new Map<string, number>();
  const all = vertices(merged);
  const indegree = new Map<string, number>([...all].map((v) => [v, 0]));
  for (const bs of Object.values(merged)) for (const b of bs) indegree.set(b, indegree.get(b)! + 1);
  let layer = [...all].filter((v) => indegree.get(v) === 0);
  for (let d = 0; layer.length > 0; d++) {
    const next: string[] = [];
    for (const v of layer) {
      depth.set(v, d);
      for (const b of merged[v] ?? []) {
        indegree.set(b, indegree.get(b)! - 1);
        if (indegree.get(b) === 0) next.push(b);
      }
    }
    layer = next;
  }
  for (const a of Object.values(PROSCRIBED).flat()) if (!depth.has(a)) depth.set(a, 0);
  return depth;
})();

/** Every anomaly name the lattice knows, plus the two that make a verdict unknown, sorted. */
export const ANOMALIES: readonly string[] = [...new Set([...DEPTHS.keys(), ...UNKNOWN_ANOMALIES])].sort();

/** Orders anomaly types as Elle does: shallower first, then by name. */
export function compareAnomalies(a: string, b: string): number {
  const d = (DEPTHS.get(a) ?? 0) - (DEPTHS.get(b) ?? 0);
  return d !== 0 ? d : a < b ? -1 : a > b ? 1 : 0;
}

/** The canonical name of a model; throws {@link InputError} listing the known ones when unknown. */
export function canonicalModel(name: string, field = '--consistency-models'): string {
  const c = canonical(name);
  if (!CANONICAL_MODELS.has(c) && !(name in CANONICAL)) {
    throw new InputError(`unknown consistency model ${name}; known: ${MODELS.join(', ')}`, { field });
  }
  return c;
}

/** Every model at least as strong as one of `models` (canonical names, themselves included). */
export function strongerModels(models: Iterable<string>): Set<string> {
  return closure([...models].map(canonical), MODELS_UP);
}

/** The friendly name of a (canonical) model, as results print it. */
export function friendlyModel(name: string): string {
  return FRIENDLY[name] ?? name;
}

/** Checks an anomaly name; throws {@link InputError} listing the known ones when unknown. */
export function knownAnomaly(name: string, field = '--anomalies'): string {
  if (!DEPTHS.has(name) && !UNKNOWN_ANOMALIES.has(name)) {
    throw new InputError(`unknown anomaly ${name}; known: ${ANOMALIES.join(', ')}`, { field });
  }
  return name;
}

/** The anomalies `found` imply, including themselves. */
export function impliedAnomalies(found: Iterable<string>): Set<string> {
  return closure(found, IMPLIED_ANOMALIES);
}

/** Every anomaly that would imply one of `anomalies` (including themselves). */
export function anomaliesImplying(anomalies: Iterable<string>): Set<string> {
  return closure(anomalies, ANOMALIES_UP);
}

/** Every anomaly that can't occur if all of `models` hold. */
export function forbiddenAnomalies(models: Iterable<string>): Set<string> {
  const implied = closure(
    [...models].map((m) => canonicalModel(m)),
    MODELS_DAG,
  );
  return anomaliesImplying([...implied].flatMap((m) => PROSCRIBED[m] ?? []));
}

/** What a check must not see: the anomalies the models forbid, plus those asked for directly. */
export function prohibitedAnomalies(models: Iterable<string>, anomalies: Iterable<string>): Set<string> {
  const out = forbiddenAnomalies(models);
  for (const a of anomaliesImplying([...anomalies].map((x) => knownAnomaly(x)))) out.add(a);
  return out;
}

/** Every model the anomalies rule out (canonical names). */
export function impossibleModels(found: Iterable<string>): Set<string> {
  const direct = [...impliedAnomalies(found)].flatMap((a) => PROSCRIBED_BY[a] ?? []);
  return closure(direct, MODELS_UP);
}

/**
 * Models the anomalies rule out, as Elle reports them (friendly names, sorted): `not` is the
 * weakest ruled-out models (none implies another ruled-out one), `alsoNot` the stronger rest.
 */
export function boundary(found: Iterable<string>): { not: string[]; alsoNot: string[] } {
  const impossible = impossibleModels(found);
  const weakest = [...impossible].filter((m) => {
    const weaker = closure(MODELS_DAG[m] ?? [], MODELS_DAG);
    return ![...weaker].some((w) => impossible.has(w));
  });
  const names = (ms: string[]) => [...new Set(ms.map(friendlyModel))].sort();
  return { not: names(weakest), alsoNot: names([...impossible].filter((m) => !weakest.includes(m))) };
}

/**
 * The other half of the lattice answer: the strongest models the anomalies do not rule out
 * (friendly names, sorted), i.e. the possible models no stronger possible model implies.
 */
export function strongestSatisfied(found: Iterable<string>): string[] {
  const impossible = impossibleModels(found);
  const possible = [...CANONICAL_MODELS].filter((m) => !impossible.has(m));
  // Ruled-out models are closed upwards, so a model is strongest iff no direct parent is possible.
  const strongest = possible.filter((m) => !(MODELS_UP[m] ?? []).some((s) => !impossible.has(s)));
  return [...new Set(strongest.map(friendlyModel))].sort();
}

/** What an Elle result says about the anomalies found: the same fields in every Elle result. */
export interface Findings {
  'anomaly-types': string[];
  'other-anomaly-types': string[];
  not: string[];
  'also-not': string[];
  'strongest-satisfied': string[];
  'consistency-models': string[];
  'requested-anomalies': string[];
}

/** What is checked for: the models asked for (Elle's default when none, nor anomalies, are). */
export function checkedFor(anomalies: string[] | undefined, consistencyModels: string[] | undefined) {
  const requested = anomalies ?? [];
  const models = consistencyModels ?? (requested.length > 0 ? [] : ['strict-serializable']);
  const prohibited = prohibitedAnomalies(models, requested);
  /** An anomaly worth reporting: prohibited, or one that leaves the verdict unknown. */
  const reportable = (t: string) => prohibited.has(t) || UNKNOWN_ANOMALIES.has(t);
  return { requested, models, prohibited, reportable };
}

/**
 * The findings of a check that counted `counts` anomalies by type, and whether one of them is
 * prohibited (the history is then invalid).
 */
export function findings(
  counts: Readonly<Record<string, number>>,
  { requested, models, prohibited, reportable }: ReturnType<typeof checkedFor>,
): { fields: Findings; prohibitedFound: boolean } {
  const found = Object.keys(counts).sort();
  const types = found.filter(reportable);
  const { not, alsoNot } = boundary(found);
  return {
    fields: {
      'anomaly-types': types,
      'other-anomaly-types': found.filter((t) => !reportable(t)),
      not,
      'also-not': alsoNot,
      'strongest-satisfied': strongestSatisfied(found),
      'consistency-models': models.map((m) => friendlyModel(canonicalModel(m))),
      'requested-anomalies': requested,
    },
    prohibitedFound: types.some((t) => prohibited.has(t)),
  };
}
