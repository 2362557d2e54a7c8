/**
 * Lock: no two clients ever hold one lock at the same time (split-brain of a mutex).
 *
 * Op shapes:
 * - `acquire`: invoke, then `ok` (the client holds the lock), `fail` (it does not) or `info`
 *   (it may, from the invocation on; its process has crashed).
 * - `release`: invoke, then `ok` (released), `fail` (surely not released: still held) or
 *   `info` (released at some unknown time after the invocation, or never).
 * - Which lock: `op.key` when set, else a string or number `value`, else `value.lock` or
 *   `value.name`; histories of a single lock may leave all of these out.
 * - `node` (on the invocation or completion) names the server the client talked to.
 *
 * A client holds a lock surely from its acquire's completion until its release's invocation,
 * and possibly longer when one of them ended `info` (see `intervals.ts`). Every pair of
 * clients whose sure holds overlap is a violation, named with both processes, nodes and the
 * overlapping window; pairs that only possibly overlap are listed apart as `uncertain` and
 * do not make the history invalid. Holds that merely touch (one release begins before the
 * next acquire completes) do not overlap.
 */
import type { History, Op } from '../src/history/index.js';
import {
  findOverlaps,
  type HoldEvidence,
  type HoldOverlap,
  holdEvidence,
  holdsOf,
  type Moment,
  uncertaintyOf,
} from './intervals.js';
import type { Checker, CheckResult, CommonCheckOptions } from './result.js';
import { field, plural, verdictWord } from './values.js';

/** Two holds of one lock that overlap in real time. */
export interface LockOverlap {
  lock: string;
  /** The hold that began first. */
  first: HoldEvidence;
  second: HoldEvidence;
  /** The overlap lies after `from` and before `until` (null: to the end of the history). */
  from: Moment;
  until: Moment | null;
  /** For uncertain overlaps: the `info` ops the overlap rests on. */
  because?: string;
}

/** What `lock` found. */
export interface LockResult extends CheckResult {
  lockCount: number;
  holdCount: number;
  /** Holds whose acquire ended `info`: they may or may not have held. */
  possibleHoldCount: number;
  violationCount: number;
  /** Sure overlaps (the first 100). */
  violations: LockOverlap[];
  uncertainCount: number;
  /** False when there were too many possible overlaps to count them all. */
  uncertainCounted: boolean;
  /** Possible overlaps resting on `info` ops (the first 100). */
  uncertain: LockOverlap[];
  /** Most clients that surely held one lock at once. */
  maxHolders: number;
  /** `op.index` of ok releases by clients that did not hold the lock. */
  strayReleases: number[];
}

/** The lock an op is about. */
export function lockNameOf(op: Op): string {
  if (op.key !== undefined && op.key !== null) return String(op.key);
  if (typeof op.value === 'string' || typeof op.value === 'number') return String(op.value);
  const named = field(op.value, 'lock') ?? field(op.value, 'name');
  return named === undefined || named === null ? 'lock' : String(named);
}

/** Evidence for one overlapping pair. */
export function describeOverlap(o: HoldOverlap): LockOverlap {
  return {
    lock: o.a.resource,
    first: holdEvidence(o.a),
    second: holdEvidence(o.b),
    from: o.from,
    until: o.until,
    ...(o.sure ? {} : { because: uncertaintyOf(o) }),
  };
}

/** Checks mutual exclusion of every lock. O(n log n + overlaps reported). */
export function checkLock(history: History, _options: CommonCheckOptions = {}): LockResult {
  const { holds, strayReleases } = holdsOf(history, {
    acquire: new Set(['acquire']),
    release: new Set(['release']),
    resourceOf: lockNameOf,
  });
  const found = findOverlaps(holds, history.ops);
  const holdCount = holds.filter((h) => h.acquired).length;
  const base = {
    lockCount: new Set(holds.map((h) => h.resource)).size,
    holdCount,
    possibleHoldCount: holds.length - holdCount,
    violationCount: found.sureCount,
    violations: found.sure.map(describeOverlap),
    uncertainCount: found.uncertainCount,
    uncertainCounted: found.uncertainCounted,
    uncertain: found.uncertain.map(describeOverlap),
    maxHolders: found.maxSureHolders,
    strayReleases,
  };
  if (found.sureCount > 0) return { valid: false, ...base };
  if (holds.length === 0) return { valid: 'unknown', reason: 'no client ever acquired a lock', ...base };
  return { valid: true, ...base };
}

/** One line per overlap, for explanations. */
export function overlapLine(o: LockOverlap, what: string): string {
  const who = (h: HoldEvidence) => `process ${h.process}${h.node ? ` (node ${h.node})` : ''}`;
  const window = `from op ${o.from.op} (${(o.from.time / 1e6).toFixed(3)} ms) to ${
    o.until ? `op ${o.until.op} (${(o.until.time / 1e6).toFixed(3)} ms)` : 'the end of the history'
  }`;
  const acquiredAt = (h: HoldEvidence) =>
    h.acquired === null ? `maybe from op ${h.acquire}` : `from op ${h.acquired}`;
  return `  ${what} ${o.lock}: ${who(o.first)} ${acquiredAt(o.first)} and ${who(o.second)} ${acquiredAt(o.second)}, ${window}${
    o.because ? ` — uncertain: ${o.because}` : ''
  }`;
}

/** `--checker lock`. */
export const lockChecker: Checker = {
  name: 'lock',
  description: 'lock: no two clients hold a lock at once (sure overlaps invalid, info-based ones uncertain)',
  check: (history, options) => checkLock(history, options),
  explain(result) {
    const r = result as LockResult;
    const lines = [
      `${verdictWord(r.valid)}${r.reason ? `: ${r.reason}` : ''}: ${plural(r.holdCount, 'hold')} of ${plural(r.lockCount, 'lock')} (${r.possibleHoldCount} more possible); ${plural(r.violationCount, 'sure overlap')}, ${r.uncertainCount}${r.uncertainCounted ? '' : '+'} uncertain.`,
    ];
    for (const v of r.violations.slice(0, 10)) lines.push(overlapLine(v, 'both held'));
    for (const u of r.uncertain.slice(0, 5)) lines.push(overlapLine(u, 'may both have held'));
    return lines.join('\n');
  },
};
