/**
 * Grudges: who refuses to hear from whom during a partition. Pure functions, no I/O.
 *
 * A grudge maps a node to the nodes it drops traffic from. Every grudge built here is
 * symmetric (if a drops b, b drops a), so a partition cuts links in both directions.
 */

/** node -> the nodes whose traffic it drops (sorted, never itself). */
export type Grudge = Record<string, string[]>;

/** The partition shapes faultline knows. */
export const GRUDGE_KINDS = [
  'one',
  'halves',
  'random-halves',
  'majority',
  'minority-third',
  'majorities-ring',
  'bridge',
  'primaries',
] as const;

export type GrudgeKind = (typeof GRUDGE_KINDS)[number];

export function isGrudgeKind(x: unknown): x is GrudgeKind {
  return typeof x === 'string' && (GRUDGE_KINDS as readonly string[]).includes(x);
}

/** A Fisher–Yates shuffle driven by the given randomness (0 <= x < 1); returns a copy. */
export function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Every node drops traffic from every node outside its own component. */
export function completeGrudge(components: readonly (readonly string[])[]): Grudge {
  const all = components.flat();
  const grudge: Grudge = {};
  for (const component of components) {
    const mine = new Set(component);
    for (const node of component) grudge[node] = all.filter((n) => !mine.has(n)).sort();
  }
  return grudge;
}

/** Splits nodes into [first floor(n/2), rest]: the second half is the (possibly tied) majority. */
export function bisect<T>(nodes: readonly T[]): [T[], T[]] {
  const k = Math.floor(nodes.length / 2);
  return [nodes.slice(0, k), nodes.slice(k)];
}

/** `node` alone on one side, everyone else on the other. */
export function isolate(node: string, nodes: readonly string[]): Grudge {
  return completeGrudge([[node], nodes.filter((n) => n !== node)]);
}

/**
 * A ring where each node hears only its nearest neighbours, enough of them to see a majority
 * (itself included); any two adjacent nodes see different majorities.
 */
export function majoritiesRing(nodes: readonly string[]): Grudge {
  const n = nodes.length;
  const majority = Math.floor(n / 2) + 1;
  const reach = Math.ceil((majority - 1) / 2);
  const grudge: Grudge = {};
  nodes.forEach((node, i) => {
    const visible = new Set<string>();
    for (let d = -reach; d <= reach; d++) visible.add(nodes[(((i + d) % n) + n) % n]!);
    grudge[node] = nodes.filter((m) => !visible.has(m)).sort();
  });
  return grudge;
}

/**
 * Two halves that cannot talk to each other, joined by one bridge node that talks to both.
 * Nodes are taken in the given order: [left..., bridge, right...].
 */
export function bridge(nodes: readonly string[]): Grudge {
  const [left, rest] = bisect(nodes);
  const [middle, ...right] = rest;
  const grudge: Grudge = {};
  for (const node of left) grudge[node] = [...right].sort();
  for (const node of right) grudge[node] = [...left].sort();
  if (middle !== undefined) grudge[middle] = [];
  return grudge;
}

/** A grudge that drops nothing; what "healed" looks like. */
export function noGrudge(nodes: readonly string[]): Grudge {
  return Object.fromEntries(nodes.map((n) => [n, []]));
}

/**
 * Builds the grudge of the given kind. `primaries` isolates the current leaders (all of them,
 * together, from the rest); with no known primary it falls back to isolating one random node.
 */
export function makeGrudge(
  kind: GrudgeKind,
  nodes: readonly string[],
  random: () => number,
  primaries: readonly string[] = [],
): Grudge {
  if (nodes.length === 0) return {};
  const shuffled = shuffle(nodes, random);
  switch (kind) {
    case 'one':
      return isolate(shuffled[0]!, nodes);
    case 'halves':
      return completeGrudge(bisect(nodes));
    case 'random-halves':
    case 'majority':
      return completeGrudge(bisect(shuffled));
    case 'minority-third': {
      const k = Math.max(1, Math.floor(nodes.length / 3));
      return completeGrudge([shuffled.slice(0, k), shuffled.slice(k)]);
    }
    case 'majorities-ring':
      return majoritiesRing(shuffled);
    case 'bridge':
      return bridge(shuffled);
    case 'primaries': {
      const leaders = primaries.filter((p) => nodes.includes(p));
      if (leaders.length === 0) return isolate(shuffled[0]!, nodes);
      return completeGrudge([leaders, nodes.filter((n) => !leaders.includes(n))]);
    }
  }
}

/** Whether `from` can send to `to` under the grudge (both directions must be open to talk). */
export function canTalk(grudge: Grudge, a: string, b: string): boolean {
  if (a === b) return true;
  return !(grudge[a] ?? []).includes(b) && !(grudge[b] ?? []).includes(a);
}

/** The pairs a<b (by the nodes' order) that can talk under the grudge, as `a<->b` strings. */
export function connectedPairs(grudge: Grudge, nodes: readonly string[]): string[] {
  const pairs: string[] = [];
  for (let i = 0; i < nodes.length; i++) {
    for (let j = i + 1; j < nodes.length; j++) {
      if (canTalk(grudge, nodes[i]!, nodes[j]!)) pairs.push(`${nodes[i]}<->${nodes[j]}`);
    }
  }
  return pairs;
}

/** The connected components of the "can talk" graph, each sorted, largest first. */
export function components(grudge: Grudge, nodes: readonly string[]): string[][] {
  const seen = new Set<string>();
  const out: string[][] = [];
  for (const start of nodes) {
    if (seen.has(start)) continue;
    const comp: string[] = [];
    const stack = [start];
    seen.add(start);
    while (stack.length > 0) {
      const node = stack.pop()!;
      comp.push(node);
      for (const other of nodes) {
        if (!seen.has(other) && canTalk(grudge, node, other)) {
          seen.add(other);
          stack.push(other);
        }
      }
    }
    out.push(comp.sort());
  }
  return out.sort((a, b) => b.length - a.length || a[0]!.localeCompare(b[0]!));
}
