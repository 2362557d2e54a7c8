/**
 * E-divisive means change-point detection (Matteson & James 2014), as Hunter uses it on
 * nightly performance data: split a series where the energy distance between the two sides
 * is largest, keep the split when a permutation test says such a distance is unlikely by
 * chance, and recurse into both sides. Pure; seeded by the data, so results are reproducible.
 */
import { seededUniform, seedOf, shuffle } from './stats.js';

/** Tuning of the search. */
export interface EDivisiveOptions {
  /** Fewest points on either side of a split (default 3). */
  minSegment?: number;
  /** A split is searched further when its permutation p-value is at most this (default 0.05). */
  alpha?: number;
  /** Permutations per significance test (default 999). */
  permutations?: number;
}

/** One split found by {@link eDivisive}. */
export interface Split {
  /** Index of the first point after the change. */
  index: number;
  /** Permutation p-value of the split within the segment it was found in. */
  p: number;
  /** The energy statistic of the split. */
  q: number;
}

/**
 * Change points of `values`, sorted by index: every split whose permutation test passes,
 * found by recursive bisection.
 */
export function eDivisive(values: readonly number[], options: EDivisiveOptions = {}): Split[] {
  const minSegment = Math.max(2, options.minSegment ?? 3);
  const alpha = options.alpha ?? 0.05;
  const permutations = options.permutations ?? 999;
  const random = seededUniform(seedOf(values));
  const found: Split[] = [];
  const pending: [number, number][] = [[0, values.length]];
  while (pending.length > 0) {
    const [from, to] = pending.pop()!;
    const segment = values.slice(from, to);
    const best = bestSplit(segment, minSegment);
    if (!best) continue;
    const p = permutationP(segment, best.q, minSegment, permutations, random);
    if (p > alpha) continue;
    const index = from + best.index;
    found.push({ index, p, q: best.q });
    pending.push([from, index], [index, to]);
  }
  return found.sort((a, b) => a.index - b.index);
}

/**
 * The permutation p-value of an energy statistic `q` seen in `xs`: the share of shuffles of
 * `xs` whose best split reaches `q`. Taking the best split of each shuffle accounts for the
 * split having been chosen from the data.
 */
export function permutationP(
  xs: readonly number[],
  q: number,
  minSegment: number,
  permutations: number,
  random: () => number,
): number {
  let atLeast = 0;
  const copy = [...xs];
  for (let i = 0; i < permutations; i++) {
    shuffle(copy, random);
    if ((bestSplit(copy, minSegment)?.q ?? 0) >= q) atLeast++;
  }
  return (atLeast + 1) / (permutations + 1);
}

/** The energy statistic of splitting `xs` before `index`. */
export function energyAt(xs: readonly number[], index: number): number {
  const a = xs.slice(0, index);
  const b = xs.slice(index);
  const m = a.length;
  const r = b.length;
  if (m < 2 || r < 2) return 0;
  let between = 0;
  let within = 0;
  let after = 0;
  for (const x of a) for (const y of b) between += Math.abs(x - y);
  for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) within += Math.abs(a[i]! - a[j]!);
  for (let i = 0; i < r; i++) for (let j = i + 1; j < r; j++) after += Math.abs(b[i]! - b[j]!);
  const e = (2 * between) / (m * r) - (2 * within) / (m * (m - 1)) - (2 * after) / (r * (r - 1));
  return ((m * r) / (m + r)) * e;
}

/**
 * The split of `xs` with the largest energy statistic
 * Q = mn/(m+n) · (2·mean|a−b| − mean|a−a'| − mean|b−b'|), or undefined when `xs` is too short.
 */
export function bestSplit(
  xs: readonly number[],
  minSegment: number,
): { index: number; q: number } | undefined {
  const n = xs.length;
  if (n < 2 * minSegment) return undefined;
  // left[k] = Σ_{i<k} |x_i − x_k|, right[k] = Σ_{j>k} |x_k − x_j|: O(n²) once, then O(1) per split.
  const left = new Float64Array(n);
  const right = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = Math.abs(xs[i]! - xs[j]!);
      right[i] = right[i]! + d;
      left[j] = left[j]! + d;
      total += d;
    }
  }
  let within = 0; // Σ over pairs inside [0, τ)
  let after = total; // Σ over pairs inside [τ, n)
  let best: { index: number; q: number } | undefined;
  for (let tau = 1; tau < n; tau++) {
    const k = tau - 1; // x_k moves from the right side to the left side
    within += left[k]!;
    after -= right[k]!;
    if (tau < minSegment || n - tau < minSegment) continue;
    const m = tau;
    const r = n - tau;
    const between = total - within - after;
    const e = (2 * between) / (m * r) - (2 * within) / (m * (m - 1)) - (2 * after) / (r * (r - 1));
    const q = ((m * r) / n) * e;
    if (!best || q > best.q) best = { index: tau, q };
  }
  return best;
}
