/**
 * Holds and their overlaps: the machinery `lock` and `election` share.
 *
 * A *hold* is one client's tenure of a resource (a lock, a leadership), built from an
 * acquire-like op and the release-like op that ends it. Its bounds come from the history's
 * order of events (`op.index`), which is the real-time order in which the harness saw them:
 *
 * - An `ok` acquire surely holds from its completion; the service may have granted it
 *   earlier, but a correct service could have granted it at the completion, so that is the
 *   benefit of the doubt it gets. A `fail` acquire never holds. An `info` (or unfinished)
 *   acquire *may* hold, from its invocation on, forever (its process has crashed).
 * - An `ok` release surely ended the hold by its completion, and could have ended it at its
 *   invocation: the hold is sure until the invocation and, by the same benefit of the doubt,
 *   taken to end there. A `fail` release did not end it. An `info` release may have ended it
 *   at any time after its invocation, or never: the hold is sure until the invocation and
 *   possible forever after. A hold never released lasts to the end of the history.
 *
 * Two holds of one resource by different holders *surely overlap* when their sure parts
 * overlap: some moment came after both acquisitions completed and before either release
 * began. They *may overlap* when their possible extents overlap but their sure parts do not:
 * that overlap rests on an `info` op and is reported apart, as uncertain.
 *
 * Finding them is a sweep over holds sorted by start, with the open holds in a heap by end:
 * O(n log n + pairs reported).
 */
import type { History, Op, Process } from '../src/history/index.js';

/** One tenure of a resource by one client. Positions are into the checked history. */
export interface Hold {
  /** Dense id, the hold's position in the list `holdsOf` returns. */
  id: number;
  resource: string;
  process: Process;
  /** The node the client talked to when it acquired. */
  node: string | undefined;
  /** True when the acquire was acknowledged; false when it ended `info` (may hold). */
  acquired: boolean;
  acquireInvoke: Op;
  /** Position of the acquire's invocation. */
  acquirePos: number;
  acquireCompletion: Op | undefined;
  releaseInvoke: Op | undefined;
  releaseCompletion: Op | undefined;
  /** Position after which the hold is sure (acquired) or possible (not acquired). */
  from: number;
  /** Position before which it is sure to hold; Infinity when never released. */
  sureUntil: number;
  /** Position before which it may hold; Infinity when it may never have ended. */
  mayUntil: number;
}

/** Which ops start and end holds, and how to tell resources apart. */
export interface HoldSpec {
  acquire: ReadonlySet<string>;
  release: ReadonlySet<string>;
  /** The resource an invocation is about (lock name, election name). */
  resourceOf(invoke: Op): string;
  /**
   * An acknowledged acquire by a client that already holds ends its hold and starts a new
   * one (a leader re-elected in a new term). Otherwise it changes nothing (re-entrant lock).
   */
  renew?: boolean;
}

/** The holds of a history, and the ok releases that ended no hold. */
export interface Holds {
  holds: Hold[];
  /** `op.index` of ok releases by clients that held nothing. */
  strayReleases: number[];
}

/** Builds the holds of every client, in order of acquisition. O(n). */
export function holdsOf(history: History, spec: HoldSpec): Holds {
  const ops = history.ops;
  const holds: Hold[] = [];
  const strayReleases: number[] = [];
  const open = new Map<Process, Map<string, Hold>>();
  for (let pos = 0; pos < ops.length; pos++) {
    const op = ops[pos]!;
    if (op.type !== 'invoke' || op.process === 'nemesis') continue;
    const isAcquire = spec.acquire.has(op.f);
    if (!isAcquire && !spec.release.has(op.f)) continue;
    const resource = spec.resourceOf(op);
    const c = history.partnerOf(pos);
    const completion = c < 0 ? undefined : ops[c];
    const outcome = completion?.type ?? 'info';
    let held = open.get(op.process);
    if (!held) {
      held = new Map();
      open.set(op.process, held);
    }
    const current = held.get(resource);
    if (isAcquire) {
      // A failed acquire holds nothing; acquiring what one already holds changes nothing,
      // unless holds renew: then the old one ends where the new one starts.
      if (outcome === 'fail' || (current && !(spec.renew && outcome === 'ok'))) continue;
      if (current) {
        current.sureUntil = c;
        current.mayUntil = c;
      }
      const acquired = outcome === 'ok';
      const hold: Hold = {
        id: holds.length,
        resource,
        process: op.process,
        node: completion?.node ?? op.node,
        acquired,
        acquireInvoke: op,
        acquirePos: pos,
        acquireCompletion: completion,
        releaseInvoke: undefined,
        releaseCompletion: undefined,
        from: acquired ? c : pos,
        sureUntil: Number.POSITIVE_INFINITY,
        mayUntil: Number.POSITIVE_INFINITY,
      };
      holds.push(hold);
      if (acquired) held.set(resource, hold);
    } else {
      if (!current) {
        if (outcome === 'ok') strayReleases.push(completion!.index);
        continue;
      }
      if (outcome === 'fail') continue;
      current.releaseInvoke = op;
      current.releaseCompletion = completion;
      current.sureUntil = pos;
      current.mayUntil = outcome === 'ok' ? pos : Number.POSITIVE_INFINITY;
      held.delete(resource);
    }
  }
  return { holds, strayReleases };
}

/** A moment in the history: the op at a position. */
export interface Moment {
  op: number;
  /** Nanoseconds. */
  time: number;
}

/** A pair of holds that (surely or possibly) overlap, `a` having started first. */
export interface HoldOverlap {
  a: Hold;
  b: Hold;
  /** The overlap lies after this op... */
  from: Moment;
  /** ...and before this one; null when it lasts to the end of the history. */
  until: Moment | null;
  sure: boolean;
}

/** Overlaps found, sure and uncertain, with complete counts and capped lists. */
export interface OverlapSearch {
  sure: HoldOverlap[];
  sureCount: number;
  uncertain: HoldOverlap[];
  uncertainCount: number;
  /** Sure overlaps the caller tolerates (see {@link OverlapOptions.tolerated}). */
  tolerated: HoldOverlap[];
  toleratedCount: number;
  /** False when the uncertain pairs were too many to count within the work budget. */
  uncertainCounted: boolean;
  /** Most holders that surely held one resource at once. */
  maxSureHolders: number;
}

export interface OverlapOptions {
  /** Holds of one holder never conflict (default: same process). */
  sameHolder?(a: Hold, b: Hold): boolean;
  /** Overlapping pairs that are no conflict (fenced terms, say): listed apart, never uncertain. */
  tolerated?(a: Hold, b: Hold): boolean;
  /** How many pairs of each kind to list (counts are complete). Default 100. */
  listLimit?: number;
  /** How many uncertain pairs to visit at most. Default 5,000,000. */
  uncertainBudget?: number;
}

/** Finds every pair of holds of a resource by different holders that overlap. */
export function findOverlaps(
  holds: readonly Hold[],
  ops: readonly Op[],
  options: OverlapOptions = {},
): OverlapSearch {
  const sameHolder = options.sameHolder ?? ((a: Hold, b: Hold) => a.process === b.process);
  const tolerated = options.tolerated ?? (() => false);
  const listLimit = options.listLimit ?? 100;
  let budget = options.uncertainBudget ?? 5_000_000;
  const search: OverlapSearch = {
    sure: [],
    sureCount: 0,
    uncertain: [],
    uncertainCount: 0,
    tolerated: [],
    toleratedCount: 0,
    uncertainCounted: true,
    maxSureHolders: 0,
  };
  const moment = (pos: number): Moment => ({ op: ops[pos]!.index, time: ops[pos]!.time });
  const overlap = (a: Hold, b: Hold, sure: boolean): HoldOverlap => {
    const until = Math.min(sure ? a.sureUntil : a.mayUntil, sure ? b.sureUntil : b.mayUntil);
    return {
      a,
      b,
      from: moment(Math.max(a.from, b.from)),
      until: Number.isFinite(until) ? moment(until) : null,
      sure,
    };
  };

  const byResource = new Map<string, Hold[]>();
  for (const h of holds) {
    const group = byResource.get(h.resource);
    if (group) group.push(h);
    else byResource.set(h.resource, [h]);
  }
  for (const group of byResource.values()) {
    const sorted = [...group].sort((x, y) => x.from - y.from);
    // Sure overlaps: sweep the sure parts of acknowledged holds.
    const surePairs = new Set<number>();
    let maxHolders = 0;
    sweep(
      sorted.filter((h) => h.acquired),
      (h) => h.sureUntil,
      (open, h) => {
        maxHolders = Math.max(maxHolders, open.length + 1);
        for (const o of open) {
          if (sameHolder(o, h)) continue;
          surePairs.add(pairKey(o, h));
          if (tolerated(o, h)) {
            search.toleratedCount++;
            if (search.tolerated.length < listLimit) search.tolerated.push(overlap(o, h, true));
            continue;
          }
          search.sureCount++;
          if (search.sure.length < listLimit) search.sure.push(overlap(o, h, true));
        }
        return true;
      },
    );
    search.maxSureHolders = Math.max(search.maxSureHolders, maxHolders);
    // Uncertain overlaps: possible extents overlap, sure parts do not.
    sweep(
      sorted,
      (h) => h.mayUntil,
      (open, h) => {
        for (const o of open) {
          if (--budget < 0) {
            search.uncertainCounted = false;
            return false;
          }
          if (sameHolder(o, h) || tolerated(o, h) || surePairs.has(pairKey(o, h))) continue;
          search.uncertainCount++;
          if (search.uncertain.length < listLimit) search.uncertain.push(overlap(o, h, false));
        }
        return true;
      },
    );
  }
  return search;
}

function pairKey(a: Hold, b: Hold): number {
  return a.id < b.id ? a.id * 0x100000000 + b.id : b.id * 0x100000000 + a.id;
}

/**
 * Visits holds in order of `from`, handing each the holds still open at its start (those
 * whose end comes after it). Open holds sit in a min-heap by end, so each is dropped once.
 * `visit` returns false to stop.
 */
function sweep(
  sorted: readonly Hold[],
  endOf: (h: Hold) => number,
  visit: (open: Hold[], h: Hold) => boolean,
): void {
  const heap: Hold[] = [];
  const less = (i: number, j: number) => endOf(heap[i]!) < endOf(heap[j]!);
  const swap = (i: number, j: number) => {
    const t = heap[i]!;
    heap[i] = heap[j]!;
    heap[j] = t;
  };
  for (const h of sorted) {
    while (heap.length > 0 && endOf(heap[0]!) <= h.from) {
      // Pop the earliest-ending hold.
      swap(0, heap.length - 1);
      heap.pop();
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && less(l, m)) m = l;
        if (r < heap.length && less(r, m)) m = r;
        if (m === i) break;
        swap(i, m);
        i = m;
      }
    }
    if (!visit(heap, h)) return;
    heap.push(h);
    for (let i = heap.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!less(i, parent)) break;
      swap(i, parent);
      i = parent;
    }
  }
}

/** A hold as evidence: who, where, and the ops (by `op.index`) that bound it. */
export interface HoldEvidence {
  process: Process;
  node: string | null;
  /** The acquire's invocation and, when acknowledged, its completion. */
  acquire: number;
  acquired: number | null;
  /** The release's invocation and completion, when there was one. */
  release: number | null;
  released: number | null;
  /** How the acquire and the release ended. */
  acquireOutcome: 'ok' | 'info';
  releaseOutcome: 'ok' | 'info' | 'none';
}

export function holdEvidence(h: Hold): HoldEvidence {
  return {
    process: h.process,
    node: h.node ?? null,
    acquire: h.acquireInvoke.index,
    acquired: h.acquired ? h.acquireCompletion!.index : null,
    release: h.releaseInvoke?.index ?? null,
    released: h.releaseCompletion?.type === 'ok' ? h.releaseCompletion.index : null,
    acquireOutcome: h.acquired ? 'ok' : 'info',
    releaseOutcome: !h.releaseInvoke ? 'none' : h.releaseCompletion?.type === 'ok' ? 'ok' : 'info',
  };
}

/** Why an overlap is only possible: the `info` ops it rests on. */
export function uncertaintyOf(o: HoldOverlap): string {
  const reasons: string[] = [];
  for (const h of [o.a, o.b]) {
    if (!h.acquired) {
      reasons.push(
        `process ${h.process}'s acquire (op ${h.acquireInvoke.index}) ended info and may have taken effect`,
      );
    } else if (h.releaseInvoke && !Number.isFinite(h.mayUntil)) {
      reasons.push(
        `process ${h.process}'s release (op ${h.releaseInvoke.index}) ended info and may have taken effect late or never`,
      );
    }
  }
  return reasons.join('; ');
}
