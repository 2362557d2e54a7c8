/**
 * Which membership change comes next: pure. A change adds or removes nodes of the test within
 * a range of cluster sizes. By default one node at a time, and a removal only while the
 * remaining members are still a majority of the current configuration; `unsafe` removes a
 * majority of the configuration at once (down to the range's minimum, at least one member).
 */
import { shuffle } from './grudge.js';

/** Cluster sizes a membership nemesis keeps to. */
export interface MembershipRange {
  min: number;
  max: number;
}

/** A planned change, or why none is possible. */
export type MembershipChange =
  | { action: 'add' | 'remove'; nodes: string[] }
  | { action: 'none'; reason: string };

/** True when `remaining` members are a majority of a configuration of `size`. */
export function isMajorityOf(remaining: number, size: number): boolean {
  return remaining > size / 2;
}

/** The range for `nodeCount` test nodes: `min` defaults to 1, `max` to every node; both are clamped. */
export function membershipRange(nodeCount: number, given: Partial<MembershipRange> = {}): MembershipRange {
  const max = Math.max(1, Math.min(nodeCount, given.max ?? nodeCount));
  const min = Math.max(1, Math.min(max, given.min ?? 1));
  return { min, max };
}

/** Adds one random node that is not a member, unless the cluster is at the range's maximum. */
export function planGrow(
  members: readonly string[],
  nodes: readonly string[],
  range: MembershipRange,
  random: () => number,
): MembershipChange {
  if (members.length >= range.max)
    return { action: 'none', reason: `at the maximum of ${range.max} members` };
  const outside = nodes.filter((n) => !members.includes(n));
  if (outside.length === 0) return { action: 'none', reason: 'every node is a member' };
  return { action: 'add', nodes: shuffle(outside, random).slice(0, 1) };
}

/**
 * Removes one random member while the rest stay a majority of the current configuration; with
 * `unsafe`, a majority of the members at once. Never below the range's minimum.
 */
export function planShrink(
  members: readonly string[],
  range: MembershipRange,
  unsafe: boolean,
  random: () => number,
): MembershipChange {
  const n = members.length;
  const room = n - Math.max(1, range.min);
  if (room <= 0) return { action: 'none', reason: `at the minimum of ${Math.max(1, range.min)} members` };
  if (unsafe) {
    const count = Math.min(Math.floor(n / 2) + 1, room);
    return { action: 'remove', nodes: shuffle(members, random).slice(0, count).sort() };
  }
  if (!isMajorityOf(n - 1, n))
    return { action: 'none', reason: `removing one of ${n} members would leave no majority of them` };
  return { action: 'remove', nodes: shuffle(members, random).slice(0, 1) };
}

/**
 * The steps back to `original`: first every missing node is added, one at a time, then every
 * extra member removed, one at a time (adding first keeps a majority of each configuration).
 */
export function planRestore(
  members: readonly string[],
  original: readonly string[],
): { action: 'add' | 'remove'; node: string }[] {
  const adds = original.filter((n) => !members.includes(n)).map((node) => ({ action: 'add' as const, node }));
  const removes = members
    .filter((n) => !original.includes(n))
    .map((node) => ({ action: 'remove' as const, node }));
  return [...adds, ...removes];
}
