/**
 * A compact dependency graph over transactions numbered 0..n-1: edges live in typed arrays
 * (CSR), each edge carrying a bitmask of the relations that hold between its two ends, so a
 * million-transaction history needs no per-edge objects.
 */

import { int32, uint8 } from './arena.js';

/** Relation bits. Data dependencies first; process and real-time orders after. */
export const WW = 1;
export const WR = 2;
export const RW = 4;
export const PROCESS = 8;
export const REALTIME = 16;
export const DATA = WW | WR | RW;
export const ALL_RELATIONS = DATA | PROCESS | REALTIME;

/** The name of a single relation bit, as printed in cycles (`ww`, `wr`, `rw`, `process`, `realtime`). */
export function relationName(bit: number): EdgeType {
  switch (bit) {
    case WW:
      return 'ww';
    case WR:
      return 'wr';
    case RW:
      return 'rw';
    case PROCESS:
      return 'process';
    default:
      return 'realtime';
  }
}

export type EdgeType = 'ww' | 'wr' | 'rw' | 'process' | 'realtime';

/** Collects edges cheaply (duplicates allowed) before {@link EdgeList.build} packs them. */
export class EdgeList {
  private src: Int32Array;
  private dst: Int32Array;
  private type: Uint8Array;
  length = 0;

  /** A good estimate of the final size saves copies (and garbage) on big histories. */
  constructor(capacity = 1024) {
    this.src = int32(capacity);
    this.dst = int32(capacity);
    this.type = uint8(capacity);
  }

  add(from: number, to: number, bits: number): void {
    if (from === to) return;
    if (this.length === this.src.length) this.grow();
    const i = this.length++;
    this.src[i] = from;
    this.dst[i] = to;
    this.type[i] = bits;
  }

  /** Calls f with each edge added so far (duplicates included). */
  forEach(f: (from: number, to: number, bits: number) => void): void {
    for (let i = 0; i < this.length; i++) f(this.src[i]!, this.dst[i]!, this.type[i]!);
  }

  private grow(): void {
    const size = Math.ceil(this.src.length * 1.5);
    const src = int32(size);
    src.set(this.src);
    this.src = src;
    const dst = int32(size);
    dst.set(this.dst);
    this.dst = dst;
    const type = uint8(size);
    type.set(this.type);
    this.type = type;
  }

  /** Packs the edges of `n` nodes into a graph, merging parallel edges into one mask. */
  build(n: number): Graph {
    const { src, dst, type, length } = this;
    const start = int32(n + 1);
    for (let i = 0; i < length; i++) start[src[i]! + 1]!++;
    for (let v = 0; v < n; v++) start[v + 1]! += start[v]!;
    // Counting sort by source; `offsets` doubles as the fill cursor, then as the result.
    const offsets = int32(n + 1);
    offsets.set(start.subarray(0, n));
    const rawDst = int32(length);
    const rawType = uint8(length);
    for (let i = 0; i < length; i++) {
      const at = offsets[src[i]!]!++;
      rawDst[at] = dst[i]!;
      rawType[at] = type[i]!;
    }
    // Merge parallel edges: slot[w] remembers where w was written for the current source.
    const slot = int32(n).fill(-1);
    let out = 0;
    for (let v = 0; v < n; v++) {
      offsets[v] = out;
      const from = out;
      for (let i = start[v]!; i < start[v + 1]!; i++) {
        const w = rawDst[i]!;
        const s = slot[w]!;
        if (s >= from) rawType[s] = rawType[s]! | rawType[i]!;
        else {
          slot[w] = out;
          rawDst[out] = w;
          rawType[out] = rawType[i]!;
          out++;
        }
      }
    }
    offsets[n] = out;
    return new Graph(n, offsets, rawDst.subarray(0, out), rawType.subarray(0, out));
  }
}

/** An immutable directed graph in compressed sparse row form. */
export class Graph {
  constructor(
    readonly n: number,
    /** Edges of v are at positions offsets[v] .. offsets[v+1]-1. */
    readonly offsets: Int32Array,
    readonly targets: Int32Array,
    readonly masks: Uint8Array,
  ) {}

  get edgeCount(): number {
    return this.targets.length;
  }

  /** The relation mask of the edge from `a` to `b`, or 0. */
  mask(a: number, b: number): number {
    const { offsets, targets, masks } = this;
    for (let i = offsets[a]!; i < offsets[a + 1]!; i++) if (targets[i] === b) return masks[i]!;
    return 0;
  }
}

/** Strongly connected components with more than one node, of the edges whose mask meets `allowed`. */
export interface Components {
  /** componentOf[v] is v's component number, or -1 when v is in no non-trivial component. */
  componentOf: Int32Array;
  /** The members of each non-trivial component. */
  members: Int32Array[];
}

/** Tarjan's algorithm, iterative (no recursion limit on long chains). */
export function stronglyConnected(graph: Graph, allowed: number): Components {
  const { n, offsets, targets, masks } = graph;
  const index = int32(n).fill(-1);
  const low = int32(n);
  const onStack = uint8(n);
  const stack = int32(n);
  const callNode = int32(n);
  const callEdge = int32(n);
  const componentOf = int32(n).fill(-1);
  const members: Int32Array[] = [];
  let sp = 0;
  let next = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    let depth = 0;
    callNode[0] = root;
    callEdge[0] = offsets[root]!;
    index[root] = low[root] = next++;
    stack[sp++] = root;
    onStack[root] = 1;
    while (depth >= 0) {
      const v = callNode[depth]!;
      const end = offsets[v + 1]!;
      let e = callEdge[depth]!;
      let descended = false;
      for (; e < end; e++) {
        if ((masks[e]! & allowed) === 0) continue;
        const w = targets[e]!;
        if (index[w] === -1) {
          callEdge[depth] = e + 1;
          depth++;
          callNode[depth] = w;
          callEdge[depth] = offsets[w]!;
          index[w] = low[w] = next++;
          stack[sp++] = w;
          onStack[w] = 1;
          descended = true;
          break;
        }
        if (onStack[w] && index[w]! < low[v]!) low[v] = index[w]!;
      }
      if (descended) continue;
      if (low[v] === index[v]) {
        if (stack[sp - 1] === v) {
          // The usual case in a valid history: a component of one node, no allocation.
          onStack[v] = 0;
          sp--;
        } else {
          let size = 1;
          while (stack[sp - 1 - size] !== v) size++;
          size++;
          const group = stack.slice(sp - size, sp);
          sp -= size;
          for (const w of group) {
            onStack[w] = 0;
            componentOf[w] = members.length;
          }
          members.push(group);
        }
      }
      depth--;
      if (depth >= 0) {
        const parent = callNode[depth]!;
        if (low[v]! < low[parent]!) low[parent] = low[v]!;
      }
    }
  }
  return { componentOf, members };
}

/** What a cycle must look like; see {@link CycleSearch.find}. */
export interface CycleShape {
  /** The cycle's first edge has one of these relations (the anchor every candidate starts from). */
  anchor: number;
  /** Relations the rest of the cycle may use. */
  allowed: number;
  /** The cycle must also contain an edge with one of these relations (0: no demand). */
  needs: number;
  /** No two rw edges may follow each other, cyclically (G-nonadjacent). */
  nonadjacentRw: boolean;
}

/** One step of a cycle: from node, to node, and the single relation used. */
export interface CycleStep {
  from: number;
  to: number;
  relation: number;
}

/** Reports running out of time: the caller records `unknown` for what it skipped. */
export class OutOfTime extends Error {}

/** Reports one search exceeding its step budget: that search is abandoned, others go on. */
export class OverBudget extends Error {}

/**
 * Shortest-cycle search by breadth-first search over (node, state) pairs, where the state
 * remembers whether a demanded relation was seen and whether the last edge was rw. Scratch
 * arrays are allocated once and reused with generation stamps.
 */
export class CycleSearch {
  private readonly stamp: Int32Array;
  private readonly parent: Int32Array;
  private readonly via: Uint8Array;
  private readonly queue: Int32Array;
  private generation = 0;
  private steps = 0;
  private stepLimit = 0;

  constructor(
    private readonly graph: Graph,
    private readonly deadline: number,
    /** Breadth-first steps one {@link find} may take before it gives up. */
    private readonly budget: number,
  ) {
    const size = graph.n * 4;
    this.stamp = int32(size);
    this.parent = int32(size);
    this.via = uint8(size);
    this.queue = int32(size);
  }

  /**
   * The shortest cycle of the given shape inside one component (nodes with
   * `componentOf[v] === component`), trying anchors in order and keeping the shortest of the
   * first few found. Returns undefined when there is none. Throws {@link OutOfTime} or
   * {@link OverBudget}.
   */
  find(
    shape: CycleShape,
    componentOf: Int32Array,
    component: number,
    members: Int32Array,
    maxFound = 4,
  ): CycleStep[] | undefined {
    if (Date.now() >= this.deadline) throw new OutOfTime();
    this.stepLimit = this.steps + this.budget;
    const { offsets, targets, masks } = this.graph;
    let best: CycleStep[] | undefined;
    let found = 0;
    for (const a of members) {
      for (let e = offsets[a]!; e < offsets[a + 1]!; e++) {
        const m = masks[e]! & shape.anchor;
        if (m === 0) continue;
        const b = targets[e]!;
        if (componentOf[b] !== component) continue;
        const relation = lowestBit(m);
        const cycle = this.closePath(shape, a, b, relation, componentOf, component, best?.length);
        if (cycle) {
          if (!best || cycle.length < best.length) best = cycle;
          if (++found >= maxFound || best.length === 2) return best;
        }
      }
    }
    return best;
  }

  /** BFS from b back to a, the cycle starting with a -relation-> b. */
  private closePath(
    shape: CycleShape,
    a: number,
    b: number,
    relation: number,
    componentOf: Int32Array,
    component: number,
    bound: number | undefined,
  ): CycleStep[] | undefined {
    const { offsets, targets, masks } = this.graph;
    const { stamp, parent, via, queue } = this;
    const gen = ++this.generation;
    const needBit = 1;
    const rwBit = 2;
    const startState = (b << 2) | (shape.needs & relation ? needBit : 0) | (relation === RW ? rwBit : 0);
    const firstWasRw = relation === RW;
    stamp[startState] = gen;
    parent[startState] = -1;
    queue[0] = startState;
    let head = 0;
    let tail = 1;
    // Level bookkeeping lets us stop once paths are no shorter than the best cycle so far.
    let levelEnd = 1;
    let level = 1;
    while (head < tail) {
      if (head === levelEnd) {
        level++;
        levelEnd = tail;
        if (bound !== undefined && level >= bound) return undefined;
      }
      const s = queue[head++]!;
      const v = s >> 2;
      // A step is a state taken or an edge looked at: a hub with many edges costs what it scans.
      const before = this.steps;
      this.steps += 1 + offsets[v + 1]! - offsets[v]!;
      if (this.steps >> 10 !== before >> 10) {
        if (Date.now() >= this.deadline) throw new OutOfTime();
        if (this.steps > this.stepLimit) throw new OverBudget();
      }
      const flags = s & 3;
      for (let e = offsets[v]!; e < offsets[v + 1]!; e++) {
        const w = targets[e]!;
        if (componentOf[w] !== component) continue;
        let m = masks[e]! & shape.allowed;
        if (m === 0) continue;
        if (shape.nonadjacentRw && flags & rwBit) m &= ~RW;
        if (shape.nonadjacentRw && w === a && firstWasRw) m &= ~RW;
        if (m === 0) continue;
        // Prefer a relation that satisfies the demand, then the weakest (lowest) bit.
        const pick = (flags & needBit) === 0 && m & shape.needs ? lowestBit(m & shape.needs) : lowestBit(m);
        const nextFlags = (flags | (pick & shape.needs ? needBit : 0)) & needBit;
        const t = (w << 2) | nextFlags | (pick === RW ? rwBit : 0);
        if (w === a) {
          if (shape.needs !== 0 && (nextFlags & needBit) === 0) continue;
          return this.unwind(s, a, b, relation, pick);
        }
        if (stamp[t] === gen) continue;
        stamp[t] = gen;
        parent[t] = s;
        via[t] = pick;
        queue[tail++] = t;
      }
    }
    return undefined;
  }

  private unwind(last: number, a: number, b: number, relation: number, closing: number): CycleStep[] {
    const tailSteps: CycleStep[] = [{ from: last >> 2, to: a, relation: closing }];
    let s = last;
    while (this.parent[s] !== -1) {
      const p = this.parent[s]!;
      tailSteps.push({ from: p >> 2, to: s >> 2, relation: this.via[s]! });
      s = p;
    }
    tailSteps.reverse();
    return [{ from: a, to: b, relation }, ...tailSteps];
  }
}

function lowestBit(m: number): number {
  return m & -m;
}
