/**
 * Leader election: never two leaders at once, never two leaders of one term.
 *
 * Op shapes (each client is a candidate and records its own leadership):
 * - `become-leader` (alias `campaign`): invoked when the client starts campaigning; `ok`
 *   once it is leader, `fail` when it surely did not become leader, `info` when it may have.
 *   The `ok` value carries the term (or epoch) when the system has one: a number, or
 *   `{term}` / `{epoch}`; it may also name the candidate, `{candidate}`, when several
 *   processes act for one candidate (a crashed client's successor, say).
 *   A leader that becomes leader again without stopping (re-elected in a new term) starts a
 *   new leadership there.
 * - `stop-leader` (alias `resign`): invoked when the client gives leadership up or learns
 *   it lost it; `ok` when done, `fail` when it surely still leads, `info` when unknown.
 * - Which election: `op.key`, or a string value, or `value.election`; default one election.
 * - `node` names the server the client talked to.
 *
 * Checks:
 * - *overlaps*: two candidates leading at once in real time, with the same meaning of sure
 *   and uncertain (`info`-based) overlaps as `lock` (see `intervals.ts`). With `termsFence`,
 *   sure overlaps of leaders of different known terms are reported as `fenced`, not as
 *   violations: a system whose followers reject stale terms tolerates them.
 * - *shared terms*: two candidates that became leader with the same term, at any time.
 * - *term regressions*: a leader elected with a lower term than a leader whose election
 *   had completed before this one's campaign began.
 */
import type { History, Op } from '../src/history/index.js';
import {
  findOverlaps,
  type Hold,
  type HoldEvidence,
  type HoldOverlap,
  holdEvidence,
  holdsOf,
} from './intervals.js';
import { describeOverlap, type LockOverlap, overlapLine } from './lock.js';
import type { Checker, CheckResult, CommonCheckOptions } from './result.js';
import { elementKey, field, plural, verdictWord } from './values.js';

/** Options of `election`. */
export interface ElectionOptions extends CommonCheckOptions {
  /** Overlapping leaders of different terms are tolerated (the system fences stale terms). */
  termsFence?: boolean;
}

/** A leadership as evidence, with its term when known. */
export interface Leadership extends HoldEvidence {
  term: unknown;
}

/** Two leaderships overlapping in real time. */
export interface LeaderOverlap extends Omit<LockOverlap, 'lock' | 'first' | 'second'> {
  election: string;
  first: Leadership;
  second: Leadership;
}

/** What `election` found. */
export interface ElectionResult extends CheckResult {
  electionCount: number;
  leadershipCount: number;
  /** Campaigns that ended `info`: they may have led. */
  possibleLeadershipCount: number;
  violationCount: number;
  /** Sure overlaps of leaders (the first 100). */
  violations: LeaderOverlap[];
  /** Sure overlaps tolerated because the terms differ (`termsFence` only). */
  fencedCount: number;
  fenced: LeaderOverlap[];
  uncertainCount: number;
  uncertainCounted: boolean;
  /** Overlaps resting on `info` ops (the first 100). */
  uncertain: LeaderOverlap[];
  /** Terms with more than one leader. */
  sharedTerms: { election: string; term: unknown; leaders: Leadership[] }[];
  /** Leaders elected with a lower term than an earlier, completed election. */
  termRegressions: { election: string; earlier: Leadership; later: Leadership }[];
  /** Most leaders that surely led one election at once. */
  maxLeaders: number;
  /** `op.index` of ok stop-leader ops by clients that were not leading. */
  strayStops: number[];
}

const BECOME = new Set(['become-leader', 'campaign']);
const STOP = new Set(['stop-leader', 'resign']);

/** The election an op is about. */
export function electionNameOf(op: Op): string {
  if (op.key !== undefined && op.key !== null) return String(op.key);
  if (typeof op.value === 'string') return op.value;
  const named = field(op.value, 'election');
  return named === undefined || named === null ? 'election' : String(named);
}

/** The term an acknowledged campaign reports, if any. */
export function termOf(hold: Hold): unknown {
  const v = hold.acquireCompletion?.value;
  if (typeof v === 'number' || typeof v === 'bigint') return Number(v);
  const t = field(v, 'term') ?? field(v, 'epoch');
  return t === null ? undefined : t;
}

function candidateOf(hold: Hold): unknown {
  return field(hold.acquireCompletion?.value, 'candidate') ?? field(hold.acquireInvoke.value, 'candidate');
}

function leadership(h: Hold): Leadership {
  return { ...holdEvidence(h), term: termOf(h) ?? null };
}

/** Checks a leader-election history. O(n log n + overlaps reported). */
export function checkElection(history: History, options: ElectionOptions = {}): ElectionResult {
  const { holds, strayReleases } = holdsOf(history, {
    acquire: BECOME,
    release: STOP,
    resourceOf: electionNameOf,
    renew: true,
  });
  const sameHolder = (a: Hold, b: Hold) => {
    if (a.process === b.process) return true;
    const ca = candidateOf(a);
    const cb = candidateOf(b);
    return (
      ca !== undefined && ca !== null && cb !== undefined && cb !== null && elementKey(ca) === elementKey(cb)
    );
  };
  const differentTerms = (a: Hold, b: Hold) => {
    const ta = termOf(a);
    const tb = termOf(b);
    return ta !== undefined && tb !== undefined && elementKey(ta) !== elementKey(tb);
  };
  const found = findOverlaps(holds, history.ops, {
    sameHolder,
    ...(options.termsFence ? { tolerated: differentTerms } : {}),
  });
  const asLeaders = (o: HoldOverlap): LeaderOverlap => {
    const { lock, first, second, ...rest } = describeOverlap(o);
    return {
      election: lock,
      first: { ...first, term: termOf(o.a) ?? null },
      second: { ...second, term: termOf(o.b) ?? null },
      ...rest,
    };
  };

  const acquired = holds.filter((h) => h.acquired);
  const sharedTerms: ElectionResult['sharedTerms'] = [];
  const byTerm = new Map<string, Hold[]>();
  for (const h of acquired) {
    const term = termOf(h);
    if (term === undefined) continue;
    const key = `${h.resource}\u0000${elementKey(term)}`;
    const group = byTerm.get(key);
    if (group) group.push(h);
    else byTerm.set(key, [h]);
  }
  for (const group of byTerm.values()) {
    const distinct = group.filter((h, i) => group.findIndex((g) => sameHolder(g, h)) === i);
    if (distinct.length > 1) {
      sharedTerms.push({
        election: group[0]!.resource,
        term: termOf(group[0]!),
        leaders: distinct.map(leadership),
      });
    }
  }

  const termRegressions = findTermRegressions(acquired);
  const base = {
    electionCount: new Set(holds.map((h) => h.resource)).size,
    leadershipCount: acquired.length,
    possibleLeadershipCount: holds.length - acquired.length,
    violationCount: found.sureCount,
    violations: found.sure.map(asLeaders),
    fencedCount: found.toleratedCount,
    fenced: found.tolerated.map(asLeaders),
    uncertainCount: found.uncertainCount,
    uncertainCounted: found.uncertainCounted,
    uncertain: found.uncertain.map(asLeaders),
    sharedTerms,
    termRegressions,
    maxLeaders: found.maxSureHolders,
    strayStops: strayReleases,
  };
  if (found.sureCount > 0 || sharedTerms.length > 0 || termRegressions.length > 0)
    return { valid: false, ...base };
  if (holds.length === 0) return { valid: 'unknown', reason: 'no client ever became leader', ...base };
  return { valid: true, ...base };
}

/**
 * Leaders whose numeric term is below that of a leader elected (campaign completed) before
 * their campaign began. Sorting by completion and by invocation, then one merge: O(n log n).
 */
function findTermRegressions(acquired: Hold[]): ElectionResult['termRegressions'] {
  const out: ElectionResult['termRegressions'] = [];
  const byElection = new Map<string, Hold[]>();
  for (const h of acquired) {
    if (typeof termOf(h) !== 'number') continue;
    const group = byElection.get(h.resource);
    if (group) group.push(h);
    else byElection.set(h.resource, [h]);
  }
  for (const [election, group] of byElection) {
    const byCompletion = [...group].sort((a, b) => a.from - b.from);
    const byInvocation = [...group].sort((a, b) => a.acquirePos - b.acquirePos);
    let k = 0;
    let highest: Hold | undefined;
    for (const h of byInvocation) {
      while (k < byCompletion.length && byCompletion[k]!.from < h.acquirePos) {
        const c = byCompletion[k++]!;
        if (!highest || (termOf(c) as number) > (termOf(highest) as number)) highest = c;
      }
      if (highest && (termOf(h) as number) < (termOf(highest) as number)) {
        out.push({ election, earlier: leadership(highest), later: leadership(h) });
      }
    }
  }
  return out;
}

/** `--checker election`. */
export const electionChecker: Checker<ElectionOptions> = {
  name: 'election',
  description: 'leader election: never two leaders at once, never two leaders of one term',
  check: (history, options) => checkElection(history, options),
  explain(result) {
    const r = result as ElectionResult;
    const lines = [
      `${verdictWord(r.valid)}${r.reason ? `: ${r.reason}` : ''}: ${plural(r.leadershipCount, 'leadership')} in ${plural(r.electionCount, 'election')} (${r.possibleLeadershipCount} more possible); ${plural(r.violationCount, 'sure overlap')}, ${r.uncertainCount}${r.uncertainCounted ? '' : '+'} uncertain, ${plural(r.sharedTerms.length, 'shared term')}, ${plural(r.termRegressions.length, 'term regression')}.`,
    ];
    const line = (o: LeaderOverlap, what: string) =>
      overlapLine({ ...o, lock: o.election }, what) +
      (o.first.term !== null || o.second.term !== null
        ? ` [terms ${o.first.term} and ${o.second.term}]`
        : '');
    for (const v of r.violations.slice(0, 10)) lines.push(line(v, 'both led'));
    for (const u of r.uncertain.slice(0, 5)) lines.push(line(u, 'may both have led'));
    for (const s of r.sharedTerms.slice(0, 10)) {
      const who = s.leaders.map(
        (l) => `process ${l.process}${l.node ? ` (node ${l.node})` : ''} at op ${l.acquired}`,
      );
      lines.push(
        `  term ${JSON.stringify(s.term)} of ${s.election} had ${s.leaders.length} leaders: ${who.join(', ')}`,
      );
    }
    for (const t of r.termRegressions.slice(0, 10)) {
      lines.push(
        `  process ${t.later.process} became leader of ${t.election} with term ${t.later.term} at op ${t.later.acquired}, after process ${t.earlier.process} had with term ${t.earlier.term} (op ${t.earlier.acquired})`,
      );
    }
    return lines.join('\n');
  },
};
