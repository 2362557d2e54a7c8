/** Which nodes a node-level fault (kill, pause, packet, clock, file) hits. Pure. */
import { shuffle } from './grudge.js';

export const TARGET_KINDS = ['one', 'minority', 'majority', 'all', 'primaries'] as const;

export type TargetKind = (typeof TARGET_KINDS)[number];

export function isTargetKind(x: unknown): x is TargetKind {
  return typeof x === 'string' && (TARGET_KINDS as readonly string[]).includes(x);
}

/**
 * Picks the target nodes, sorted. `minority` is a random floor((n-1)/2) nodes (at least one),
 * `majority` a random floor(n/2)+1; `primaries` the given leaders, or one random node when
 * there is none (a leaderless cluster still gets a fault).
 */
export function pickTargets(
  kind: TargetKind,
  nodes: readonly string[],
  random: () => number,
  primaries: readonly string[] = [],
): string[] {
  if (nodes.length === 0) return [];
  const shuffled = shuffle(nodes, random);
  const n = nodes.length;
  let picked: string[];
  switch (kind) {
    case 'one':
      picked = shuffled.slice(0, 1);
      break;
    case 'minority':
      picked = shuffled.slice(0, Math.max(1, Math.floor((n - 1) / 2)));
      break;
    case 'majority':
      picked = shuffled.slice(0, Math.floor(n / 2) + 1);
      break;
    case 'all':
      picked = [...nodes];
      break;
    case 'primaries': {
      const leaders = primaries.filter((p) => nodes.includes(p));
      picked = leaders.length > 0 ? leaders : shuffled.slice(0, 1);
      break;
    }
  }
  return picked.sort();
}

/**
 * Reads an op value that names targets: a kind (`'majority'`), an explicit node list, or an
 * object `{ targets: kind | nodes }`. Returns undefined when absent.
 */
export function targetSpec(value: unknown): TargetKind | string[] | undefined {
  const v =
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as { targets?: unknown }).targets
      : value;
  if (isTargetKind(v)) return v;
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  return undefined;
}
