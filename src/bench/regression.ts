/**
 * The verdict on one series: change points by E-divisive means (permutation-tested), each
 * confirmed by a Mann-Whitney U test and a minimum relative effect between its neighbouring
 * segments; the newest change, if recent, says whether the series regressed or improved.
 */
import { type EDivisiveOptions, eDivisive, energyAt, permutationP } from './changepoint.js';
import { mannWhitney, meanOf, seededUniform, seedOf } from './stats.js';

/** Which way is good: `higher` (throughput, availability) or `lower` (latency, time). */
export type Better = 'higher' | 'lower';

export type Verdict = 'regressed' | 'improved' | 'unchanged';

/** How to judge a series. */
export interface JudgeOptions extends EDivisiveOptions {
  /** A change counts only when |after − before| / |before| is at least this (default 0.05). */
  minEffect?: number;
  /** Permutation p-value a change must reach between its neighbouring change points (default 0.005). */
  confirmAlpha?: number;
  /** Mann-Whitney p-value a change must reach between its neighbouring segments (default 0.05). */
  mwAlpha?: number;
  /** The newest change decides the verdict when it starts within the last `recent` points (default 5). */
  recent?: number;
  /** Only the newest `maxPoints` points are analysed (default 200). */
  maxPoints?: number;
}

/** Why a change point is believed: the statistics between the segments around it. */
export interface ChangeEvidence {
  /** Index (in the series as given) of the first point after the change. */
  index: number;
  /** Points in the segments before and after. */
  before: { from: number; count: number; mean: number };
  after: { to: number; count: number; mean: number };
  /** (after − before) / |before|. */
  relativeChange: number;
  /** Permutation p-value of the split within the segments around it. */
  pPermutation: number;
  /** Mann-Whitney p-value between the two segments. */
  pMannWhitney: number;
  /** Cliff's delta of after against before, in [-1, 1]. */
  cliffsDelta: number;
  /** Whether the change is for the better or the worse, given the series' direction. */
  direction: 'better' | 'worse';
}

/** A series' verdict with its evidence. */
export interface SeriesVerdict {
  verdict: Verdict;
  /** One line for humans. */
  reason: string;
  points: number;
  better: Better;
  /** Confirmed change points, oldest first. */
  changes: ChangeEvidence[];
}

/** Judges a series (oldest value first). Deterministic: the same values give the same verdict. */
export function judgeSeries(
  values: readonly number[],
  better: Better,
  options: JudgeOptions = {},
): SeriesVerdict {
  const minSegment = Math.max(2, options.minSegment ?? 3);
  const minEffect = options.minEffect ?? 0.05;
  const mwAlpha = options.mwAlpha ?? 0.05;
  const confirmAlpha = options.confirmAlpha ?? 0.005;
  const permutations = options.permutations ?? 999;
  const recent = options.recent ?? 5;
  const maxPoints = options.maxPoints ?? 200;
  const offset = Math.max(0, values.length - maxPoints);
  const xs = values.slice(offset).filter((v) => Number.isFinite(v));
  const base = { points: xs.length, better, changes: [] as ChangeEvidence[] };
  if (xs.length !== values.length - offset) {
    return { ...base, verdict: 'unchanged', reason: 'the series holds values that are not numbers' };
  }
  if (xs.length < 2 * minSegment) {
    return {
      ...base,
      verdict: 'unchanged',
      reason: `too short: ${xs.length} point${xs.length === 1 ? '' : 's'}, at least ${2 * minSegment} are needed to see a change`,
    };
  }
  const splits = eDivisive(xs, { ...options, minSegment });
  let cuts = splits.map((s) => s.index);
  const test = {
    minSegment,
    permutations,
    random: seededUniform(seedOf(xs)),
    cache: new Map<string, number>(),
  };
  // Candidates were found by bisection; each must also stand against its neighbours alone (the
  // permutation test over the segments around it). Drop the weakest failing one, re-measure, repeat.
  let changes = evidence(xs, cuts, better, test);
  for (;;) {
    const weak = changes.filter(
      (c) =>
        Math.abs(c.relativeChange) < minEffect || c.pMannWhitney > mwAlpha || c.pPermutation > confirmAlpha,
    );
    if (weak.length === 0) break;
    const weakest = weak.reduce((a, b) => (a.pPermutation >= b.pPermutation ? a : b));
    cuts = cuts.filter((c) => c !== weakest.index);
    changes = evidence(xs, cuts, better, test);
  }
  changes = changes.map((c) => ({
    ...c,
    index: c.index + offset,
    before: { ...c.before, from: c.before.from + offset },
    after: { ...c.after, to: c.after.to + offset },
  }));
  const last = changes.at(-1);
  if (!last) return { ...base, changes, verdict: 'unchanged', reason: 'no significant change point' };
  const age = values.length - last.index;
  const what = `${pct(last.relativeChange)} at point ${last.index} (${fmt(last.before.mean)} → ${fmt(last.after.mean)}, p=${last.pPermutation.toFixed(3)}, Mann-Whitney p=${last.pMannWhitney.toExponential(1)}, Cliff's δ=${last.cliffsDelta.toFixed(2)})`;
  if (age > recent) {
    return {
      ...base,
      changes,
      verdict: 'unchanged',
      reason: `newest change ${what} is older than the last ${recent} points`,
    };
  }
  return {
    ...base,
    changes,
    verdict: last.direction === 'worse' ? 'regressed' : 'improved',
    reason: `${last.direction === 'worse' ? 'worse' : 'better'} by ${what}`,
  };
}

interface PermutationTest {
  minSegment: number;
  permutations: number;
  random: () => number;
  cache: Map<string, number>;
}

function evidence(
  xs: readonly number[],
  cuts: readonly number[],
  better: Better,
  test: PermutationTest,
): ChangeEvidence[] {
  const bounds = [0, ...cuts, xs.length];
  return cuts.map((index, i) => {
    const from = bounds[i]!;
    const to = bounds[i + 2]!;
    const a = xs.slice(from, index);
    const b = xs.slice(index, to);
    const before = meanOf(a);
    const after = meanOf(b);
    const relativeChange =
      before === 0 ? (after === 0 ? 0 : Math.sign(after) * Infinity) : (after - before) / Math.abs(before);
    const mw = mannWhitney(a, b);
    const up = after > before;
    return {
      index,
      before: { from, count: a.length, mean: before },
      after: { to, count: b.length, mean: after },
      relativeChange,
      pPermutation: localP(xs, from, to, index, test),
      pMannWhitney: mw.p,
      cliffsDelta: mw.delta,
      direction: up === (better === 'higher') ? 'better' : 'worse',
    };
  });
}

/** The permutation p-value of splitting `xs[from, to)` at `index` (memoised: pruning asks again). */
function localP(
  xs: readonly number[],
  from: number,
  to: number,
  index: number,
  test: PermutationTest,
): number {
  const key = `${from}:${index}:${to}`;
  const known = test.cache.get(key);
  if (known !== undefined) return known;
  const window = xs.slice(from, to);
  const p = permutationP(
    window,
    energyAt(window, index - from),
    test.minSegment,
    test.permutations,
    test.random,
  );
  test.cache.set(key, p);
  return p;
}

function pct(x: number): string {
  return `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
}

function fmt(x: number): string {
  return Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3);
}
