/**
 * Jepsen's `set`, online: each add's outcome is folded into compact per-element arrays as it
 * completes (small non-negative integers, the set workload's elements, index the arrays
 * directly; other elements get an id from a Map), and only the latest `ok` read is kept.
 * `finish` compares that final read with the adds with the batch `set` checker's own
 * function, so the result is the set checker's, field for field.
 */
import { InputError } from '../../src/errors.js';
import type { Op } from '../../src/history/op.js';
import { finalReadResult, type SetResult } from '../set.js';
import { asCollection, type ElementKey, elementKey } from '../values.js';
import type { OnlineChecker } from './types.js';

const NEVER = 0x7fffffff;
const NONE = -1;
const ATTEMPTED = 1;
const MAY_EXIST = 2;
/** Integers below this index the arrays directly. */
const DENSE_LIMIT = 2 ** 30;

/** Per-element status and earliest acknowledgement, in growable typed arrays. */
class ElementTable {
  status = new Uint8Array(1024);
  /** `op.index` of the earliest ok completion of an add of the element, or NEVER. */
  ack = new Int32Array(1024).fill(NEVER);
  /** Ids of elements that are not small integers; their ids start at `DENSE_LIMIT`-free space. */
  private readonly ids = new Map<ElementKey, number>();
  private readonly sparseValues: unknown[] = [];
  /** Sparse elements' status and ack, by id. */
  private sparseStatus = new Uint8Array(64);
  private sparseAck = new Int32Array(64).fill(NEVER);
  count = 0;
  private highestDense = -1;

  private static dense(value: unknown): value is number {
    return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < DENSE_LIMIT;
  }

  /** Records an add's outcome (`invoke` for one never completed). */
  record(value: unknown, outcome: Op['type'], completionIndex: number): void {
    let status: Uint8Array;
    let ack: Int32Array;
    let id: number;
    if (ElementTable.dense(value)) {
      id = value;
      if (id >= this.status.length) this.growDense(id);
      if (id > this.highestDense) this.highestDense = id;
      status = this.status;
      ack = this.ack;
    } else {
      const key = elementKey(value);
      id = this.ids.get(key) ?? NONE;
      if (id === NONE) {
        id = this.sparseValues.length;
        this.ids.set(key, id);
        this.sparseValues.push(value);
        if (id >= this.sparseStatus.length) this.growSparse();
      }
      status = this.sparseStatus;
      ack = this.sparseAck;
    }
    if ((status[id]! & ATTEMPTED) === 0) this.count++;
    status[id]! |= ATTEMPTED;
    if (outcome !== 'fail') status[id]! |= MAY_EXIST;
    if (outcome === 'ok' && completionIndex < ack[id]!) ack[id] = completionIndex;
  }

  /** Status and ack of an element (status 0: never attempted). */
  lookup(value: unknown): { status: number; ack: number; slot: number; dense: boolean } {
    if (ElementTable.dense(value)) {
      const s = value < this.status.length ? this.status[value]! : 0;
      return { status: s, ack: s ? this.ack[value]! : NEVER, slot: value, dense: true };
    }
    const id = this.ids.get(elementKey(value)) ?? NONE;
    if (id === NONE) return { status: 0, ack: NEVER, slot: NONE, dense: false };
    return { status: this.sparseStatus[id]!, ack: this.sparseAck[id]!, slot: id, dense: false };
  }

  /** Every attempted element: value, status, ack (dense ones in ascending order). */
  *entries(): Generator<[unknown, number, number]> {
    for (let v = 0; v <= this.highestDense; v++) if (this.status[v]) yield [v, this.status[v]!, this.ack[v]!];
    for (let id = 0; id < this.sparseValues.length; id++) {
      yield [this.sparseValues[id], this.sparseStatus[id]!, this.sparseAck[id]!];
    }
  }

  private growDense(id: number): void {
    let cap = this.status.length;
    while (cap <= id) cap *= 2;
    const status = new Uint8Array(cap);
    status.set(this.status);
    const ack = new Int32Array(cap).fill(NEVER);
    ack.set(this.ack);
    this.status = status;
    this.ack = ack;
  }

  private growSparse(): void {
    const status = new Uint8Array(this.sparseStatus.length * 2);
    status.set(this.sparseStatus);
    const ack = new Int32Array(this.sparseAck.length * 2).fill(NEVER);
    ack.set(this.sparseAck);
    this.sparseStatus = status;
    this.sparseAck = ack;
  }
}

export class OnlineSet implements OnlineChecker<SetResult> {
  readonly name = 'set';
  private readonly elements = new ElementTable();
  /** The element of each process' open add. */
  private readonly openAdds = new Map<number, unknown>();
  private finalRead: Op | undefined;
  private acknowledged = 0;

  add(op: Op): void {
    if (op.process === 'nemesis') return;
    if (op.f === 'add') {
      if (op.type === 'invoke') this.openAdds.set(op.process, op.value);
      else if (this.openAdds.has(op.process)) {
        const value = this.openAdds.get(op.process);
        this.openAdds.delete(op.process);
        if (op.type === 'ok' && this.elements.lookup(value).ack === NEVER) this.acknowledged++;
        this.elements.record(value, op.type, op.index);
      }
    } else if (op.f === 'read' && op.type === 'ok') {
      if (asCollection(op.value) === undefined) {
        throw new InputError(`op ${op.index}: an ok read must return a collection of elements`, {
          field: 'value',
        });
      }
      this.finalRead = op;
    }
  }

  async finish(): Promise<SetResult> {
    // Adds never answered may have taken effect.
    for (const value of this.openAdds.values()) this.elements.record(value, 'invoke', NEVER);
    this.openAdds.clear();
    const elements = this.elements;
    // How often the final read returned each attempted element, by slot.
    const seenDense = new Uint32Array(elements.status.length);
    const seenSparse = new Map<number, number>();
    const final = this.finalRead;
    return finalReadResult(
      {
        attemptCount: elements.count,
        acknowledgedCount: this.acknowledged,
        see(value) {
          const e = elements.lookup(value);
          if (e.status === 0) return false;
          if (e.dense) seenDense[e.slot]!++;
          else seenSparse.set(e.slot, (seenSparse.get(e.slot) ?? 0) + 1);
          return true;
        },
        each(visit) {
          for (const [value, status, ack] of elements.entries()) {
            const e = elements.lookup(value);
            const seen = e.dense ? seenDense[e.slot]! : (seenSparse.get(e.slot) ?? 0);
            visit(value, seen, (status & MAY_EXIST) !== 0, ack === NEVER ? null : ack);
          }
        },
      },
      final && { index: final.index, values: asCollection(final.value)! },
    );
  }
}
