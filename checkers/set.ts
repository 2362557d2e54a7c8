/**
 * Lost commits: Jepsen's `set` and `set-full` analyses of a grow-only set.
 *
 * Op shapes (as Jepsen's):
 * - `add`: invoke with `value: v`, one element; completes `ok` (added), `fail` (surely not
 *   added) or `info` (maybe added, at any time after the invocation).
 * - `read`: invoke with any value; completes `ok` with `value: [v, ...]` — every element
 *   present (an array, typed array, Set, or EDN set/list). `fail`/`info` reads are ignored.
 *
 * Elements are compared by value (numbers, strings, or anything JSON can spell). Times are
 * `op.time` in nanoseconds; the order of events is the history's order (`op.index`).
 *
 * `set` looks only at the final read (the last `ok` read in the history). `set-full` follows
 * each element through every read: it is *stable* when every read from some point on saw
 * it, *lost* when it was known to exist (its add was acknowledged, or a read saw it) and
 * reads that began after that stopped seeing it for good, and *never-read* when no read
 * began after it was known. A stable element is *stale* when some read that began after it
 * was known still missed it; its *stable latency* is the time from being known (add
 * acknowledged, or first read) to the start of the last read that missed it — after that,
 * every read saw it — and 0 when no read missed it. Lost latency is the time from being
 * known to the first read of the run that missed it for good. Latencies are reported as
 * quantiles in milliseconds. Beyond Jepsen, both checkers also report elements whose every
 * add `fail`ed yet a read returned them, and elements a single read returned twice.
 *
 * set-full costs one pass over every element of every read (plus n log n): with integer
 * elements, a pass is one array load and store per element.
 */
import { InputError } from '../src/errors.js';
import type { History } from '../src/history/index.js';
import type { Checker, CheckResult, CommonCheckOptions, Validity } from './result.js';
import {
  asCollection,
  type ElementKey,
  elementKey,
  listed,
  nsToMs,
  plural,
  quantiles,
  rangesText,
  sortElements,
  verdictWord,
} from './values.js';

const NONE = -1;
const NEVER = 0x7fffffff;
/** How many detailed entries lists of evidence keep (counts are always complete). */
const DETAIL_LIMIT = 32;

/** What `set` found in the final read. Element lists are sorted; `ok`/`recovered` are range text. */
export interface SetResult extends CheckResult {
  attemptCount: number;
  acknowledgedCount: number;
  /** Elements read that some add attempted. */
  okCount: number;
  lostCount: number;
  recoveredCount: number;
  unexpectedCount: number;
  /** Acknowledged adds missing from the final read. */
  lost: unknown[];
  /** Read, but never attempted. */
  unexpected: unknown[];
  /** Read, though every add of them failed. */
  failedButRead: unknown[];
  /** Elements the final read returned more than once, with how often. */
  duplicated: { element: unknown; count: number }[];
  ok: string;
  /** Adds of unknown outcome (`info`) that the final read shows took effect. */
  recovered: string;
  /** `op.index` of the final read's completion. */
  finalRead: number | null;
  /** For the first lost elements: the `op.index` of the add's acknowledgement. */
  lostAdds: { element: unknown; add: number }[];
}

/** Options of `set-full`. */
export interface SetFullOptions extends CommonCheckOptions {
  /** The set claims linearizability: a read missing an element already known is invalid. */
  linearizable?: boolean;
}

/** One stale or lost element, with the ops that show it (by `op.index`). */
export interface ElementEvidence {
  element: unknown;
  /** The add's acknowledgement, or the first read that saw it, whichever came first. */
  known: number;
  /** The last read (invocation) that saw it, if any. */
  lastSeen: number | null;
  /** The read (invocation) that missed it although it began after `known`. */
  missedBy: number;
  /** Milliseconds from `known` to the beginning of `missedBy`. */
  latencyMs: number;
}

/** What `set-full` found, per element and in aggregate. Latencies are in milliseconds. */
export interface SetFullResult extends CheckResult {
  attemptCount: number;
  readCount: number;
  stableCount: number;
  lostCount: number;
  lost: unknown[];
  neverReadCount: number;
  neverRead: unknown[];
  /** Stable elements that some read beginning after they were known failed to show. */
  staleCount: number;
  stale: unknown[];
  /** The stale elements that took longest to become stable. */
  worstStale: ElementEvidence[];
  /** The first lost elements, with the reads that show the loss. */
  lostDetail: ElementEvidence[];
  unexpectedCount: number;
  unexpected: { element: unknown; read: number }[];
  failedButRead: { element: unknown; read: number }[];
  duplicatedCount: number;
  duplicated: { element: unknown; read: number }[];
  /** Quantiles of the time from an element being known to the start of its stable reads. */
  stableLatencies?: Record<string, number>;
  /** Quantiles of the time from an element being known to the first read that lost it. */
  lostLatencies?: Record<string, number>;
}

/**
 * Every element some `add` attempted, each with an id. When all are small non-negative
 * integers (the usual workload) the id is the value itself and no Map is needed: reads
 * dominate set-full's cost, and this saves a lookup per element read.
 */
class Elements {
  /** True when ids are the values themselves. */
  readonly dense: boolean;
  /** Ids range over 0 .. capacity-1; not all are attempted elements. */
  readonly capacity: number;
  /** 1 for the ids of attempted elements. */
  readonly attempted: Uint8Array;
  /** Position of the earliest acknowledgement of an add of the element, or NEVER. */
  readonly ackPos: Int32Array;
  /** 1 when some add of it did not fail, so it may exist. */
  readonly mayExist: Uint8Array;
  private readonly ids = new Map<ElementKey, number>();
  private readonly values: unknown[] = [];
  private count = 0;

  constructor(addValues: readonly unknown[]) {
    const limit = Math.max(1024, 4 * addValues.length);
    let max = -1;
    let dense = true;
    for (const v of addValues) {
      if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < limit) max = Math.max(max, v);
      else dense = false;
    }
    this.dense = dense;
    this.capacity = dense ? max + 1 : addValues.length;
    this.attempted = new Uint8Array(this.capacity);
    this.ackPos = new Int32Array(this.capacity).fill(NEVER);
    this.mayExist = new Uint8Array(this.capacity);
  }

  /** How many distinct elements were attempted. */
  get size(): number {
    return this.count;
  }

  /** The id of an attempted element, registering it on first sight. */
  add(value: unknown): number {
    let id: number;
    if (this.dense) id = value as number;
    else {
      const key = elementKey(value);
      id = this.ids.get(key) ?? this.values.length;
      if (id === this.values.length) {
        this.ids.set(key, id);
        this.values.push(value);
      }
    }
    if (!this.attempted[id]) {
      this.attempted[id] = 1;
      this.count++;
    }
    return id;
  }

  /** The id of `value`, or NONE when no add attempted it. */
  idOf(value: unknown): number {
    if (!this.dense) return this.ids.get(elementKey(value)) ?? NONE;
    return typeof value === 'number' && value >= 0 && value < this.capacity && this.attempted[value]
      ? value
      : NONE;
  }

  valueOf(id: number): unknown {
    return this.dense ? id : this.values[id];
  }
}

interface OkRead {
  invokePos: number;
  completePos: number;
  values: ArrayLike<unknown>;
}

/** One pass over the history: the attempted elements and the ok reads (in completion order). */
function scan(history: History): { elements: Elements; reads: OkRead[] } {
  const ops = history.ops;
  const addValues: unknown[] = [];
  for (const op of ops)
    if (op.f === 'add' && op.type === 'invoke' && op.process !== 'nemesis') addValues.push(op.value);
  const elements = new Elements(addValues);
  const reads: OkRead[] = [];
  for (let pos = 0; pos < ops.length; pos++) {
    const op = ops[pos]!;
    if (op.process === 'nemesis') continue;
    if (op.f === 'add' && op.type === 'invoke') {
      const id = elements.add(op.value);
      const comp = history.partnerOf(pos);
      const type = comp === NONE ? 'info' : ops[comp]!.type;
      if (type !== 'fail') elements.mayExist[id] = 1;
      if (type === 'ok' && comp < elements.ackPos[id]!) elements.ackPos[id] = comp;
    } else if (op.f === 'read' && op.type === 'ok') {
      const values = asCollection(op.value);
      if (values === undefined) {
        throw new InputError(`op ${op.index}: an ok read must return a collection of elements`, {
          field: 'value',
        });
      }
      reads.push({ invokePos: history.partnerOf(pos), completePos: pos, values });
    }
  }
  return { elements, reads };
}

/** Jepsen's `set`: compares the final read with the attempted and acknowledged adds. */
export function checkSet(history: History): SetResult {
  const { elements, reads } = scan(history);
  const final = reads.at(-1);
  let acknowledged = 0;
  for (let id = 0; id < elements.capacity; id++) if (elements.ackPos[id] !== NEVER) acknowledged++;
  const seen = new Uint32Array(elements.capacity);
  return finalReadResult(
    {
      attemptCount: elements.size,
      acknowledgedCount: acknowledged,
      see(value) {
        const id = elements.idOf(value);
        if (id === NONE) return false;
        seen[id]!++;
        return true;
      },
      each(visit) {
        for (let id = 0; id < elements.capacity; id++) {
          if (!elements.attempted[id]) continue;
          const ackPos = elements.ackPos[id]!;
          visit(
            elements.valueOf(id),
            seen[id]!,
            elements.mayExist[id] === 1,
            ackPos === NEVER ? null : history.ops[ackPos]!.index,
          );
        }
      },
    },
    final && { index: history.ops[final.completePos]!.index, values: final.values },
  );
}

/**
 * The attempted elements as a set checker (this one, or the online one in checkers/online/set.ts)
 * knows them, for {@link finalReadResult}.
 */
export interface AttemptedElements {
  attemptCount: number;
  acknowledgedCount: number;
  /** Counts one element of the final read; false when no add attempted it. */
  see(value: unknown): boolean;
  /**
   * Visits every attempted element: how often the final read returned it, whether it may exist
   * (some add of it did not fail), and the `op.index` of its add's first acknowledgement (null
   * when none was acknowledged).
   */
  each(visit: (value: unknown, seen: number, mayExist: boolean, ack: number | null) => void): void;
}

/**
 * The `set` checker's result: the final read (its completion's `op.index` and its elements;
 * undefined when the set was never read) against the attempted elements. Lists of elements
 * follow the order `each` visits them in.
 */
export function finalReadResult(
  elements: AttemptedElements,
  final: { index: number; values: ArrayLike<unknown> } | undefined,
): SetResult {
  const { attemptCount, acknowledgedCount } = elements;
  if (!final) {
    return {
      valid: 'unknown',
      reason: 'the set was never read',
      attemptCount,
      acknowledgedCount,
      okCount: 0,
      lostCount: 0,
      recoveredCount: 0,
      unexpectedCount: 0,
      lost: [],
      unexpected: [],
      failedButRead: [],
      duplicated: [],
      ok: '',
      recovered: '',
      finalRead: null,
      lostAdds: [],
    };
  }

  const unexpected = new Map<ElementKey, { value: unknown; count: number }>();
  for (let j = 0; j < final.values.length; j++) {
    const v = final.values[j];
    if (elements.see(v)) continue;
    const key = elementKey(v);
    const u = unexpected.get(key);
    if (u) u.count++;
    else unexpected.set(key, { value: v, count: 1 });
  }
  const ok: unknown[] = [];
  const lost: unknown[] = [];
  const recovered: unknown[] = [];
  const failedButRead: unknown[] = [];
  const duplicated: { element: unknown; count: number }[] = [];
  const lostAdds: { element: unknown; add: number }[] = [];
  elements.each((value, seen, mayExist, ack) => {
    if (seen > 1) duplicated.push({ element: value, count: seen });
    if (seen > 0) {
      ok.push(value);
      if (ack === null) recovered.push(value);
      if (!mayExist) failedButRead.push(value);
    } else if (ack !== null) {
      lost.push(value);
      if (lostAdds.length < DETAIL_LIMIT) lostAdds.push({ element: value, add: ack });
    }
  });
  for (const u of unexpected.values()) if (u.count > 1) duplicated.push({ element: u.value, count: u.count });
  const bad = lost.length > 0 || unexpected.size > 0 || failedButRead.length > 0 || duplicated.length > 0;
  return {
    valid: !bad,
    attemptCount,
    acknowledgedCount,
    okCount: ok.length,
    lostCount: lost.length,
    recoveredCount: recovered.length,
    unexpectedCount: unexpected.size,
    lost: sortElements(lost),
    unexpected: sortElements([...unexpected.values()].map((u) => u.value)),
    failedButRead: sortElements(failedButRead),
    duplicated,
    ok: rangesText(ok),
    recovered: rangesText(recovered),
    finalRead: final.index,
    lostAdds,
  };
}

/** Jepsen's `set-full`: follows every element through every read. O(total read size + n log n). */
export function checkSetFull(history: History, options: SetFullOptions = {}): SetFullResult {
  const ops = history.ops;
  const { elements, reads } = scan(history);
  // Reads are considered in the order they began.
  reads.sort((a, b) => a.invokePos - b.invokePos);
  const n = elements.capacity;
  const R = reads.length;
  // Per element: the last read (ordinal) that saw it; the first read of its current unbroken
  // run of sightings (so the read before that is the last one that missed it); and the
  // earliest completion position of a read that saw it. Ids no add attempted are marked.
  const state: Sighting = {
    lastSeen: new Int32Array(n).fill(NOT_SEEN),
    runStart: new Int32Array(n),
    firstSeenPos: new Int32Array(n).fill(NEVER),
  };
  const { lastSeen, runStart, firstSeenPos } = state;
  for (let id = 0; id < n; id++) if (!elements.attempted[id]) lastSeen[id] = UNATTEMPTED;
  const unexpected: { element: unknown; read: number }[] = [];
  const unexpectedKeys = new Set<ElementKey>();
  const duplicated: { element: unknown; read: number }[] = [];
  let duplicatedCount = 0;

  let latestCompletion = NONE;
  for (let r = 0; r < R; r++) {
    const { values, completePos } = reads[r]!;
    // A read that completed after every earlier-begun read cannot be an element's earliest
    // sighting unless it is its first; the rare others are looked at again.
    const overtakes = completePos < latestCompletion;
    latestCompletion = Math.max(latestCompletion, completePos);
    const odd = elements.dense
      ? sightDense(values, r, completePos, state)
      : sightAny(values, r, completePos, (v) => elements.idOf(v), state);
    if (overtakes) {
      for (let j = 0; j < values.length; j++) {
        const id = elements.idOf(values[j]);
        if (id !== NONE && completePos < firstSeenPos[id]!) firstSeenPos[id] = completePos;
      }
    }
    for (const j of odd ?? []) {
      const v = values[j];
      if (elements.idOf(v) !== NONE) {
        duplicatedCount++;
        if (duplicated.length < DETAIL_LIMIT) duplicated.push({ element: v, read: ops[completePos]!.index });
        continue;
      }
      const key = elementKey(v);
      if (!unexpectedKeys.has(key)) {
        unexpectedKeys.add(key);
        unexpected.push({ element: v, read: ops[completePos]!.index });
      }
    }
  }

  const readInvokePos = reads.map((r) => r.invokePos);
  const lost: unknown[] = [];
  const neverRead: unknown[] = [];
  const stale: unknown[] = [];
  const staleEvidence: ElementEvidence[] = [];
  const lostDetail: ElementEvidence[] = [];
  const failedButRead: { element: unknown; read: number }[] = [];
  const stableLatencies = new Float64Array(elements.size);
  const lostLatencies = new Float64Array(elements.size);
  let stableCount = 0;
  let lostCount = 0;

  const evidence = (id: number, known: number, missed: number, latencyNs: number): ElementEvidence => ({
    element: elements.valueOf(id),
    known: ops[known]!.index,
    lastSeen: lastSeen[id] === NOT_SEEN ? null : ops[reads[lastSeen[id]!]!.invokePos]!.index,
    missedBy: ops[reads[missed]!.invokePos]!.index,
    latencyMs: nsToMs(latencyNs),
  });

  for (let id = 0; id < n; id++) {
    if (!elements.attempted[id]) continue;
    const known = Math.min(elements.ackPos[id]!, firstSeenPos[id]!);
    const knownTime = known === NEVER ? 0 : ops[known]!.time;
    if (!elements.mayExist[id] && firstSeenPos[id] !== NEVER) {
      failedButRead.push({ element: elements.valueOf(id), read: ops[firstSeenPos[id]!]!.index });
    }
    if (R > 0 && lastSeen[id] === R - 1) {
      // Stable: the last read saw it. The read before its final run of sightings missed it;
      // if that read began after the element was known, the element was stale until then.
      const missed = runStart[id]! - 1;
      let latency = 0;
      if (missed >= 0 && readInvokePos[missed]! > known) {
        latency = Math.max(0, ops[readInvokePos[missed]!]!.time - knownTime);
        stale.push(elements.valueOf(id));
        staleEvidence.push(evidence(id, known, missed, latency));
      }
      stableLatencies[stableCount++] = latency;
    } else if (known !== NEVER && R > 0 && readInvokePos[R - 1]! > known) {
      // Lost: known, and the reads after its last sighting (at least the last read) began
      // after it was known and missed it. The loss shows first in the read after the last
      // sighting, or in the first read that began after it was known.
      const missed = lastSeen[id] !== NOT_SEEN ? lastSeen[id]! + 1 : firstReadAfter(readInvokePos, known);
      const latency = Math.max(0, ops[readInvokePos[missed]!]!.time - knownTime);
      lost.push(elements.valueOf(id));
      lostLatencies[lostCount++] = latency;
      if (lostDetail.length < DETAIL_LIMIT) lostDetail.push(evidence(id, known, missed, latency));
    } else {
      neverRead.push(elements.valueOf(id));
    }
  }

  staleEvidence.sort((a, b) => b.latencyMs - a.latencyMs);
  let valid: Validity = true;
  let reason: string | undefined;
  if (lostCount > 0 || unexpected.length > 0 || failedButRead.length > 0 || duplicatedCount > 0)
    valid = false;
  else if (options.linearizable && stale.length > 0) valid = false;
  else if (stableCount === 0) {
    valid = 'unknown';
    reason = R === 0 ? 'the set was never read' : 'no element was ever stably read';
  }
  const result: SetFullResult = {
    valid,
    ...(reason ? { reason } : {}),
    attemptCount: elements.size,
    readCount: R,
    stableCount,
    lostCount,
    lost: sortElements(lost),
    neverReadCount: neverRead.length,
    neverRead: sortElements(neverRead),
    staleCount: stale.length,
    stale: sortElements(stale),
    worstStale: staleEvidence.slice(0, 8),
    lostDetail,
    unexpectedCount: unexpected.length,
    unexpected,
    failedButRead,
    duplicatedCount,
    duplicated,
  };
  const stableQ = msOf(quantiles(stableLatencies.subarray(0, stableCount)));
  const lostQ = msOf(quantiles(lostLatencies.subarray(0, lostCount)));
  if (stableQ) result.stableLatencies = stableQ;
  if (lostQ) result.lostLatencies = lostQ;
  return result;
}

/** Per-element state the read scan updates, indexed by element id. */
interface Sighting {
  lastSeen: Int32Array;
  runStart: Int32Array;
  firstSeenPos: Int32Array;
}

/** `lastSeen` of ids that no add attempted (dense ids only). */
const UNATTEMPTED = -2;
/** `lastSeen` of elements no read has shown yet; never equal to `r - 1`. */
const NOT_SEEN = -3;

/**
 * Records the elements read `r` saw, when ids are the values themselves. Returns the
 * positions in `values` it could not record: elements never attempted and repeats within
 * this read. This loop runs once per element of every read, so it is kept lean: one load
 * and one store per element in the usual case.
 */
function sightDense(
  values: ArrayLike<unknown>,
  r: number,
  completePos: number,
  { lastSeen, runStart, firstSeenPos }: Sighting,
): number[] | undefined {
  let odd: number[] | undefined;
  const capacity = lastSeen.length;
  for (let j = 0; j < values.length; j++) {
    const v = values[j];
    if (typeof v !== 'number' || !(v >= 0 && v < capacity) || (v | 0) !== v) {
      if (odd) odd.push(j);
      else odd = [j];
      continue;
    }
    const last = lastSeen[v]!;
    if (last === r || last === UNATTEMPTED) {
      if (odd) odd.push(j);
      else odd = [j];
      continue;
    }
    if (last !== r - 1) {
      runStart[v] = r;
      if (last === NOT_SEEN) firstSeenPos[v] = completePos;
    }
    lastSeen[v] = r;
  }
  return odd;
}

/** As {@link sightDense}, for any element ids. */
function sightAny(
  values: ArrayLike<unknown>,
  r: number,
  completePos: number,
  idOf: (v: unknown) => number,
  { lastSeen, runStart, firstSeenPos }: Sighting,
): number[] | undefined {
  let odd: number[] | undefined;
  for (let j = 0; j < values.length; j++) {
    const id = idOf(values[j]);
    const last = id === NONE ? r : lastSeen[id]!;
    if (last === r) {
      if (odd) odd.push(j);
      else odd = [j];
      continue;
    }
    if (last !== r - 1) {
      runStart[id] = r;
      if (last === NOT_SEEN) firstSeenPos[id] = completePos;
    }
    lastSeen[id] = r;
  }
  return odd;
}

function msOf(ns: Record<string, number> | undefined): Record<string, number> | undefined {
  return ns && Object.fromEntries(Object.entries(ns).map(([q, v]) => [q, nsToMs(v)]));
}

/** The ordinal of the first read that began after position `pos` (there is one). */
function firstReadAfter(readInvokePos: number[], pos: number): number {
  let lo = 0;
  let hi = readInvokePos.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (readInvokePos[mid]! > pos) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** `--checker set`. */
export const setChecker: Checker = {
  name: 'set',
  description: 'grow-only set, final read: lost, unexpected and recovered elements (Jepsen set)',
  check: (history) => checkSet(history),
  explain(result) {
    const r = result as SetResult;
    if (r.finalRead === null) return `${verdictWord(r.valid)}: ${r.reason ?? ''}`;
    const lines = [
      `${verdictWord(r.valid)}: ${r.attemptCount} adds attempted, ${r.acknowledgedCount} acknowledged; the final read (op ${r.finalRead}) holds ${r.okCount} of them.`,
      `${plural(r.lostCount, 'acknowledged element')} lost, ${r.recoveredCount} recovered (outcome unknown, but present), ${r.unexpectedCount} unexpected.`,
    ];
    if (r.lostCount) lines.push(`lost: ${listed(r.lost)}`);
    if (r.unexpectedCount) lines.push(`unexpected (never added): ${listed(r.unexpected)}`);
    if (r.failedButRead.length)
      lines.push(`read although every add of them failed: ${listed(r.failedButRead)}`);
    if (r.duplicated.length)
      lines.push(`returned more than once: ${listed(r.duplicated.map((d) => d.element))}`);
    return lines.join('\n');
  },
};

/** `--checker set-full`. */
export const setFullChecker: Checker<SetFullOptions> = {
  name: 'set-full',
  description:
    'grow-only set, every read: lost, stale and never-read elements with latencies (Jepsen set-full)',
  check: (history, options) => checkSetFull(history, options),
  explain(result) {
    const r = result as SetFullResult;
    const lines = [
      `${verdictWord(r.valid)}${r.reason ? `: ${r.reason}` : ''}: ${r.attemptCount} adds, ${r.readCount} reads; ${r.stableCount} stable, ${r.lostCount} lost, ${r.neverReadCount} never read, ${r.staleCount} stale.`,
    ];
    for (const e of r.lostDetail.slice(0, 5)) {
      lines.push(
        `  lost ${JSON.stringify(e.element)}: known at op ${e.known}, ${e.lastSeen === null ? 'never read' : `last seen by the read at op ${e.lastSeen}`}, missing from the read at op ${e.missedBy} and every later one`,
      );
    }
    if (r.stableLatencies) lines.push(`stable latency (ms) quantiles: ${JSON.stringify(r.stableLatencies)}`);
    if (r.lostLatencies) lines.push(`lost latency (ms) quantiles: ${JSON.stringify(r.lostLatencies)}`);
    if (r.unexpectedCount)
      lines.push(`unexpected (never added): ${listed(r.unexpected.map((u) => u.element))}`);
    if (r.failedButRead.length)
      lines.push(`read although every add failed: ${listed(r.failedButRead.map((u) => u.element))}`);
    if (r.duplicatedCount) lines.push(`${plural(r.duplicatedCount, 'duplicate')} within single reads`);
    return lines.join('\n');
  },
};
