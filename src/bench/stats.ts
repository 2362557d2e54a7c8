/**
 * Small statistics for regression detection: a seeded random source (so verdicts are
 * reproducible), the Mann-Whitney U test and Cliff's delta. Pure functions.
 */
import { cumulativeStdNormalProbability, mean } from 'simple-statistics';
import { mulberry32 } from '../generator/random.js';

/** A seeded uniform source on [0, 1) (mulberry32): the same seed, the same permutations. */
export const seededUniform = mulberry32;

/** A seed derived from the values themselves, so a series is always judged the same way. */
export function seedOf(values: readonly number[]): number {
  let h = 0x811c9dc5;
  for (const v of values) {
    const s = v.toPrecision(12);
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  }
  return h >>> 0;
}

/** Shuffles `xs` in place (Fisher-Yates). */
export function shuffle(xs: number[], random: () => number): void {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = xs[i]!;
    xs[i] = xs[j]!;
    xs[j] = t;
  }
}

/** The Mann-Whitney U test of `a` against `b`. */
export interface MannWhitney {
  /** U of `b` (how often a `b` value beats an `a` value; ties count half). */
  u: number;
  /** Two-sided p-value (normal approximation with tie correction). */
  p: number;
  /** Cliff's delta: P(b > a) - P(b < a), in [-1, 1]. */
  delta: number;
}

/** Mann-Whitney U of two samples, with Cliff's delta as the effect size. */
export function mannWhitney(a: readonly number[], b: readonly number[]): MannWhitney {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) return { u: 0, p: 1, delta: 0 };
  const all = [...a.map((v) => ({ v, g: 0 })), ...b.map((v) => ({ v, g: 1 }))].sort((x, y) => x.v - y.v);
  let rankSumB = 0;
  let tieTerm = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j + 1 < all.length && all[j + 1]!.v === all[i]!.v) j++;
    const rank = (i + j + 2) / 2;
    const t = j - i + 1;
    tieTerm += t * t * t - t;
    for (let k = i; k <= j; k++) if (all[k]!.g === 1) rankSumB += rank;
    i = j + 1;
  }
  const u = rankSumB - (n2 * (n2 + 1)) / 2;
  const n = n1 + n2;
  const mu = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  const p =
    variance > 0 ? 2 * (1 - cumulativeStdNormalProbability(Math.abs(u - mu) / Math.sqrt(variance))) : 1;
  return { u, p: Math.min(1, Math.max(0, p)), delta: (2 * u) / (n1 * n2) - 1 };
}

/** The mean, or NaN for no values. */
export function meanOf(xs: readonly number[]): number {
  return xs.length === 0 ? Number.NaN : mean(xs as number[]);
}
