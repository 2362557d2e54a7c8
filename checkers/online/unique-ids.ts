/**
 * The `unique-ids` checker, online. Every id returned must be remembered (any may come back),
 * but compactly: small non-negative integers (the usual ids: sequence numbers) index typed
 * arrays holding where each was first returned, 8 bytes an id; other ids go in a Map. An id
 * seen a second time moves to a small table of duplicates. `finish` builds the result with
 * the batch checker's own function, so it is the unique-ids checker's, field for field.
 */
import type { Op } from '../../src/history/op.js';
import {
  GenerateCounts,
  noteRepeat,
  type SeenId,
  type UniqueIdsResult,
  uniqueIdsResult,
} from '../unique-ids.js';
import { type ElementKey, elementKey } from '../values.js';
import type { OnlineChecker } from './types.js';

const UNSEEN = -1;
/** Integer ids below this are dense-array candidates... */
const DENSE_FLOOR = 1 << 20;
/** ...and so are ids up to this many times the ids seen (so the arrays stay in proportion). */
const DENSE_SPREAD = 4;

export class OnlineUniqueIds implements OnlineChecker<UniqueIdsResult> {
  readonly name = 'unique-ids';
  private readonly counts = new GenerateCounts();
  /** Dense ids: `op.index` of the first ok that returned the id, and that id's rank. */
  private firstOp = new Int32Array(1024).fill(UNSEEN);
  private firstRank = new Int32Array(1024);
  /** Other ids: the first ok's `op.index` and the id's rank. */
  private readonly sparse = new Map<ElementKey, { index: number; rank: number }>();
  private readonly duplicates = new Map<ElementKey, SeenId>();
  private distinct = 0;

  add(op: Op): void {
    if (!this.counts.add(op)) return;
    const id = op.value;
    const key = elementKey(id);
    const repeated = this.duplicates.get(key);
    if (repeated) {
      noteRepeat(repeated, op.index);
      return;
    }
    const first = this.firstSighting(key);
    if (first) {
      const entry: SeenId = { id, count: 1, ops: [first.index], first: first.rank };
      noteRepeat(entry, op.index);
      this.duplicates.set(key, entry);
      return;
    }
    const rank = this.distinct++;
    if (this.denseSlot(key)) {
      this.firstOp[key] = op.index;
      this.firstRank[key] = rank;
    } else this.sparse.set(key, { index: op.index, rank });
  }

  async finish(): Promise<UniqueIdsResult> {
    return uniqueIdsResult(this.counts, [...this.duplicates.values()]);
  }

  /** Where an id (by its key) was first returned, if it was. */
  private firstSighting(key: ElementKey): { index: number; rank: number } | undefined {
    if (isIndex(key) && key < this.firstOp.length && this.firstOp[key] !== UNSEEN) {
      return { index: this.firstOp[key]!, rank: this.firstRank[key]! };
    }
    return this.sparse.get(key);
  }

  /** Whether a new id gets a slot in the dense arrays (growing them if it must). */
  private denseSlot(key: ElementKey): key is number {
    if (!isIndex(key)) return false;
    if (key < this.firstOp.length) return true;
    if (key >= Math.max(DENSE_FLOOR, DENSE_SPREAD * this.distinct)) return false;
    let capacity = this.firstOp.length;
    while (capacity <= key) capacity *= 2;
    const firstOp = new Int32Array(capacity).fill(UNSEEN);
    firstOp.set(this.firstOp);
    const firstRank = new Int32Array(capacity);
    firstRank.set(this.firstRank);
    this.firstOp = firstOp;
    this.firstRank = firstRank;
    return true;
  }
}

function isIndex(key: ElementKey): key is number {
  return typeof key === 'number' && Number.isInteger(key) && key >= 0;
}
