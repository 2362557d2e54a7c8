import { InputError } from '../../src/errors.js';

/**
 * Consistency models, the anomalies each one forbids, and how anomalies imply one another
 * (after Adya, Bailis et al., Cerone et al., Daudjee & Salem, as organised by Elle).
 */

/** A → B: a history showing A also shows B (so whatever forbids B forbids A). */
const ANOMALY_IMPLIES: Record<string, string[]> = {
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
  // Every anti-dependency these checkers infer is on an item (a key), never a predicate, so
  // their G-single and G-nonadjacent cycles are also G2-item (Adya: a cycle with an item rw).
  'G-single': ['G-nonadjacent', 'G-single-process'],
  'G-single-process': ['G-nonadjacent-process', 'G-single-realtime'],
  'G-single-realtime': ['G-nonadjacent-realtime'],
  'G-nonadjacent': ['G2', 'G-nonadjacent-process', 'G2-item'],
  'G-nonadjacent-process': ['G2-process', 'G-nonadjacent-realtime', 'G2-item-process'],
  'G-nonadjacent-realtime': ['G2-realtime', 'G2-item-realtime'],
  G2: ['G2-process'],
  'G2-item': ['G2', 'G2-item-process'],
  'G2-item-process': ['G2-process', 'G2-item-realtime'],
  'G2-item-realtime': ['G2-realtime'],
  'G2-process': ['G2-realtime'],
  'incompatible-order': ['G1a'],
  'dirty-update': ['G1a'],
  // A value nobody wrote is at least as bad as one an aborted transaction wrote.
  'garbage-read': ['G1a'],
  'lost-update': ['G2-item'],
};

/** A → B: every history satisfying model A also satisfies model B. */
const MODEL_IMPLIES: Record<string, string[]> = {
  'strict-serializable': [
    'serializable',
    'linearizable',
    'snapshot-isolation',
    'strong-snapshot-isolation',
    'strong-session-serializable',
  ],
  'strong-session-serializable': ['serializable', 'strong-session-snapshot-isolation'],
  'strong-snapshot-isolation': ['strong-session-snapshot-isolation', 'strong-read-committed'],
  'strong-session-snapshot-isolation': ['snapshot-isolation', 'strong-session-read-committed'],
  'strong-read-committed': ['strong-session-read-committed', 'strong-read-uncommitted'],
  'strong-session-read-committed': ['read-committed', 'strong-session-read-uncommitted'],
  'strong-read-uncommitted': ['strong-session-read-uncommitted'],
  'strong-session-read-uncommitted': ['read-uncommitted'],
  serializable: ['repeatable-read', 'snapshot-isolation'],
  'snapshot-isolation': ['monotonic-atomic-view'],
  'repeatable-read': ['cursor-stability', 'monotonic-atomic-view'],
  'monotonic-atomic-view': ['read-committed'],
  'read-atomic': ['monotonic-atomic-view'],
  'cursor-stability': ['read-committed'],
  'read-committed': ['read-uncommitted'],
  'read-uncommitted': [],
  linearizable: ['sequential'],
  sequential: [],
};

/** The anomalies each model forbids directly (weaker implied models forbid the rest). */
const MODEL_FORBIDS: Record<string, string[]> = {
  'read-uncommitted': ['G0', 'duplicate-elements', 'cyclic-versions'],
  'read-committed': ['G1'],
  'cursor-stability': ['G1', 'lost-update'],
  'monotonic-atomic-view': ['G1'],
  'read-atomic': ['internal', 'G1a'],
  'repeatable-read': ['G1', 'G2-item', 'lost-update'],
  'snapshot-isolation': ['internal', 'G1', 'G-nonadjacent'],
  serializable: ['internal', 'G1', 'G2'],
  'strong-session-read-uncommitted': ['G0-process'],
  'strong-session-read-committed': ['G1c-process'],
  'strong-read-uncommitted': ['G0-realtime'],
  'strong-read-committed': ['G1c-realtime'],
  'strong-session-snapshot-isolation': ['internal', 'G1-process', 'G-nonadjacent-process'],
  'strong-snapshot-isolation': ['internal', 'G1-realtime', 'G-nonadjacent-realtime'],
  'strong-session-serializable': ['G1-process', 'G2-process'],
  'strict-serializable': ['G1', 'G1c-realtime', 'G2-realtime'],
  // Single-object models: one key's own history must be a legal sequence of versions.
  sequential: ['duplicate-elements', 'incompatible-order', 'cyclic-versions'],
  linearizable: [],
};

/** Other names people use for the same models. */
const ALIASES: Record<string, string> = {
  'PL-1': 'read-uncommitted',
  'PL-2': 'read-committed',
  'PL-2.99': 'repeatable-read',
  'PL-SI': 'snapshot-isolation',
  'PL-3': 'serializable',
  'conflict-serializable': 'serializable',
  'PL-SS': 'strict-serializable',
  'strong-serializable': 'strict-serializable',
  'consistent-view': 'cursor-stability',
};

/** Every model name this module knows (canonical names, sorted). */
export const MODELS: readonly string[] = Object.keys(MODEL_IMPLIES).sort();

/** The canonical name of a model; throws {@link InputError} listing the known ones when unknown. */
export function canonicalModel(name: string): string {
  const canonical = ALIASES[name] ?? name;
  if (!(canonical in MODEL_IMPLIES)) {
    throw new InputError(`unknown consistency model ${name}; known: ${MODELS.join(', ')}`, {
      field: '--consistency-models',
    });
  }
  return canonical;
}

function closure(start: Iterable<string>, next: (x: string) => readonly string[]): Set<string> {
  const seen = new Set<string>();
  const todo = [...start];
  while (todo.length > 0) {
    const x = todo.pop()!;
    if (seen.has(x)) continue;
    seen.add(x);
    todo.push(...next(x));
  }
  return seen;
}

const invert = (g: Record<string, string[]>): Record<string, string[]> => {
  const out: Record<string, string[]> = {};
  for (const [a, bs] of Object.entries(g)) {
    for (const b of bs) {
      out[b] ??= [];
      out[b].push(a);
    }
  }
  return out;
};
const ANOMALY_IMPLIED_BY = invert(ANOMALY_IMPLIES);
const MODEL_IMPLIED_BY = invert(MODEL_IMPLIES);
const FORBIDDEN_BY = invert(MODEL_FORBIDS);

/** The anomalies `found` imply, including themselves. */
export function impliedAnomalies(found: Iterable<string>): Set<string> {
  return closure(found, (a) => ANOMALY_IMPLIES[a] ?? []);
}

/** Every anomaly that can't occur if all of `models` hold (including anomalies implying those). */
export function forbiddenAnomalies(models: Iterable<string>): Set<string> {
  const implied = closure([...models].map(canonicalModel), (m) => MODEL_IMPLIES[m] ?? []);
  const direct = [...implied].flatMap((m) => MODEL_FORBIDS[m] ?? []);
  return closure(direct, (a) => ANOMALY_IMPLIED_BY[a] ?? []);
}

/**
 * Models the anomalies rule out, as Elle reports them: `not` is the weakest ruled-out models
 * (none of them implied by another ruled-out one), `alsoNot` every stronger one.
 */
export function boundary(found: Iterable<string>): { not: string[]; alsoNot: string[] } {
  const direct = [...impliedAnomalies(found)].flatMap((a) => FORBIDDEN_BY[a] ?? []);
  const impossible = closure(direct, (m) => MODEL_IMPLIED_BY[m] ?? []);
  const weakest = [...impossible].filter((m) => {
    const weaker = closure(MODEL_IMPLIES[m] ?? [], (x) => MODEL_IMPLIES[x] ?? []);
    return ![...weaker].some((w) => impossible.has(w));
  });
  return {
    not: weakest.sort(),
    alsoNot: [...impossible].filter((m) => !weakest.includes(m)).sort(),
  };
}
