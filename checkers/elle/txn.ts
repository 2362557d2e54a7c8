/**
 * Transactions as flat typed arrays: micro-ops, interned keys, and the process and real-time
 * orders between transactions. Shared by the list-append and rw-register analyses.
 */

import { InputError } from '../../src/errors.js';
import type { History, Op } from '../../src/history/index.js';
import type { EdgeWhy, TxnRecord } from './anomalies.js';
import { float64, int32, uint8 } from './arena.js';
import { type EdgeList, PROCESS, REALTIME } from './graph.js';

export const APPEND = 0;
export const READ = 1;
export const WRITE = 2;

const EMPTY: readonly unknown[] = Object.freeze([]);

const KIND_NAMES = ['append', 'r', 'w'] as const;

/** One micro-op in its readable form: `["append", k, v]`, `["r", k, [..] | null]`, `["w", k, v]`. */
export type MicroOp = [kind: 'append' | 'r' | 'w', key: unknown, value: unknown];

/**
 * A set of transactions (ok and info ones, or the failed ones) in struct-of-arrays form.
 * Transaction t's micro-ops are at positions mopStart[t] .. mopStart[t+1]-1.
 */
export class TxnTable {
  constructor(
    readonly count: number,
    /** op.index of the invocation. */
    readonly invokeIndex: Int32Array,
    /** op.index of the completion, or -1 when it never completed. */
    readonly completeIndex: Int32Array,
    /** History positions of invocation and completion (-1 when none), for real-time order. */
    readonly invokePos: Int32Array,
    readonly completePos: Int32Array,
    /** 1 when the transaction ended in `info` (or never completed): it may or may not have happened. */
    readonly indeterminate: Uint8Array,
    readonly process: Float64Array,
    readonly mopStart: Int32Array,
    readonly mopKind: Uint8Array,
    readonly mopKey: Int32Array,
    /** The transaction each micro-op belongs to. */
    readonly mopOwner: Int32Array,
    private readonly values: unknown[],
  ) {}

  /** Micro-op m's written value, or its read result (null when the read is unknown). */
  mopValue(m: number): unknown {
    return this.values[m];
  }
}

/** Both tables plus the interned keys. */
export interface Txns {
  /** Transactions that happened or may have: the nodes of the dependency graph. */
  committed: TxnTable;
  /** Transactions that surely did not happen; their writes are aborted. */
  failed: TxnTable;
  /** keys[id] is the original key. */
  keys: unknown[];
}

/** A growable Int32 column, so parsing a million transactions allocates a few arrays, not millions. */
class Column {
  data: Int32Array;
  length = 0;

  constructor(capacity = 1024) {
    this.data = int32(capacity);
  }

  push(x: number): void {
    if (this.length === this.data.length) {
      const bigger = int32(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = x;
  }

  done(): Int32Array {
    return this.data.subarray(0, this.length);
  }
}

class TableBuilder {
  invokeIndex: Column;
  completeIndex: Column;
  invokePos: Column;
  completePos: Column;
  indeterminate: Column;
  process: Float64Array;
  mopStart: Column;
  mopKind: Column;
  mopKey: Column;
  mopOwner: Column;
  values: unknown[];

  /** Sized exactly (counted beforehand), so nothing grows while a big history is parsed. */
  constructor(txns: number, mops: number) {
    this.invokeIndex = new Column(txns);
    this.completeIndex = new Column(txns);
    this.invokePos = new Column(txns);
    this.completePos = new Column(txns);
    this.indeterminate = new Column(txns);
    this.process = float64(txns);
    this.mopStart = new Column(txns + 1);
    this.mopKind = new Column(mops);
    this.mopKey = new Column(mops);
    this.mopOwner = new Column(mops);
    this.values = new Array(mops);
    this.mopStart.push(0);
  }

  done(): TxnTable {
    return new TxnTable(
      this.invokeIndex.length,
      this.invokeIndex.done(),
      this.completeIndex.done(),
      this.invokePos.done(),
      this.completePos.done(),
      bytes(this.indeterminate.done()),
      this.process.subarray(0, this.invokeIndex.length),
      this.mopStart.done(),
      bytes(this.mopKind.done()),
      this.mopKey.done(),
      this.mopOwner.done(),
      this.values,
    );
  }
}

/**
 * Reads the `txn` ops of a history. Micro-ops come from the completion for `ok` ops (it
 * carries the reads) and from the invocation otherwise. Throws {@link InputError} on a
 * malformed micro-op, naming the op and the field.
 */
export function parseTxns(history: History, allowed: ReadonlySet<string>): Txns {
  const ops = history.ops;
  // First pass: count, so the columns are allocated once.
  const count = { ok: [0, 0], fail: [0, 0] };
  for (let i = 0; i < ops.length; i++) {
    const invoke = ops[i]!;
    if (invoke.type !== 'invoke' || invoke.f !== 'txn' || invoke.process === 'nemesis') continue;
    const p = history.partnerOf(i);
    const c = p !== -1 && ops[p]!.type === 'fail' ? count.fail : count.ok;
    const value =
      p !== -1 && ops[p]!.type === 'ok' && Array.isArray(ops[p]!.value) ? ops[p]!.value : invoke.value;
    c[0]!++;
    c[1]! += Array.isArray(value) ? value.length : 0;
  }
  const committed = new TableBuilder(count.ok[0]!, count.ok[1]!);
  const failed = new TableBuilder(count.fail[0]!, count.fail[1]!);
  const keyIds = new Map<unknown, number>();
  const keys: unknown[] = [];
  for (let i = 0; i < ops.length; i++) {
    const invoke = ops[i]!;
    if (invoke.type !== 'invoke' || invoke.f !== 'txn' || invoke.process === 'nemesis') continue;
    const p = history.partnerOf(i);
    const completion = p === -1 ? undefined : ops[p];
    const type = completion?.type ?? 'info';
    const table = type === 'fail' ? failed : committed;
    const source = type === 'ok' && Array.isArray(completion!.value) ? completion! : invoke;
    const t = table.invokeIndex.length;
    table.invokeIndex.push(invoke.index);
    table.completeIndex.push(completion ? completion.index : -1);
    table.invokePos.push(i);
    table.completePos.push(type === 'ok' ? p : -1);
    table.indeterminate.push(type === 'info' ? 1 : 0);
    table.process[t] = invoke.process as number;
    addMicroOps(table, source, allowed, keyIds, keys);
    table.mopStart.push(table.mopKind.length);
  }
  return { committed: committed.done(), failed: failed.done(), keys };
}

function addMicroOps(
  table: TableBuilder,
  op: Op,
  allowed: ReadonlySet<string>,
  keyIds: Map<unknown, number>,
  keys: unknown[],
): void {
  const value = op.value;
  const allowAppend = allowed.has('append');
  const allowWrite = allowed.has('w');
  if (!Array.isArray(value)) {
    throw new InputError(`a txn's value must be a list of micro-ops, got ${JSON.stringify(value)}`, {
      field: `op ${op.index} value`,
    });
  }
  for (let j = 0; j < value.length; j++) {
    const mop: unknown = value[j];
    if (!Array.isArray(mop) || mop.length !== 3) {
      throw new InputError(`expected a micro-op [f k v], got ${JSON.stringify(mop)}`, {
        field: `op ${op.index} value[${j}]`,
      });
    }
    const f: unknown = mop[0];
    const name = f === 'r' || f === 'append' || f === 'w' ? f : String(f).replace(/^:/, '');
    const kind = name === 'append' ? APPEND : name === 'r' ? READ : name === 'w' ? WRITE : -1;
    if (kind === -1 || (kind === APPEND ? !allowAppend : kind === WRITE ? !allowWrite : false)) {
      throw new InputError(`micro-op ${JSON.stringify(mop[0])} is not one of ${[...allowed].join(', ')}`, {
        field: `op ${op.index} value[${j}][0]`,
      });
    }
    const rawKey: unknown = mop[1];
    const key = rawKey !== null && typeof rawKey === 'object' ? JSON.stringify(rawKey) : rawKey;
    let id = keyIds.get(key);
    if (id === undefined) {
      id = keys.length;
      keyIds.set(key, id);
      keys.push(rawKey);
    }
    const v: unknown = mop[2];
    if (kind === READ && op.type !== 'invoke' && v !== null && allowAppend && !Array.isArray(v)) {
      throw new InputError(`a list-append read must return a list or nil, got ${JSON.stringify(v)}`, {
        field: `op ${op.index} value[${j}][2]`,
      });
    }
    // A completed list read of nil saw a key that does not exist yet: the empty list.
    table.values[table.mopKind.length] =
      kind === READ && op.type === 'invoke' ? null : kind === READ && v === null && allowAppend ? EMPTY : v;
    table.mopOwner.push(table.invokeIndex.length - 1);
    table.mopKind.push(kind);
    table.mopKey.push(id);
  }
}

/** The readable micro-ops of transaction t. */
export function microOps(table: TxnTable, keys: unknown[], t: number): MicroOp[] {
  const out: MicroOp[] = [];
  for (let m = table.mopStart[t]!; m < table.mopStart[t + 1]!; m++) {
    out.push([KIND_NAMES[table.mopKind[m]!]!, keys[table.mopKey[m]!], table.mopValue(m)]);
  }
  return out;
}

/** Adds process-order edges (each transaction to the next of its process) when `relations` has PROCESS. */
export function addProcessEdges(table: TxnTable, edges: EdgeList): void {
  const last = new Map<number, number>();
  // Transactions are in invocation order, which per process is also completion order.
  for (let t = 0; t < table.count; t++) {
    const p = table.process[t]!;
    const prev = last.get(p);
    if (prev !== undefined) edges.add(prev, t, PROCESS);
    last.set(p, t);
  }
}

/**
 * Adds real-time edges: T1 -> T2 when T1 completed before T2 was invoked. Only a transitive
 * reduction is kept: a frontier of completed transactions not yet followed by another one,
 * so edges grow with concurrency, not with the square of the history.
 */
export function addRealtimeEdges(table: TxnTable, historyLength: number, edges: EdgeList): void {
  const at = int32(historyLength).fill(-1);
  for (let t = 0; t < table.count; t++) {
    at[table.invokePos[t]!] = t;
    if (table.completePos[t]! >= 0) at[table.completePos[t]!] = t;
  }
  const frontier: number[] = [];
  for (let pos = 0; pos < historyLength; pos++) {
    const t = at[pos]!;
    if (t === -1) continue;
    if (table.invokePos[t] === pos) {
      for (let i = 0; i < frontier.length; i++) edges.add(frontier[i]!, t, REALTIME);
    } else {
      // t's completion: whatever completed before t began is now followed by t.
      const began = table.invokePos[t]!;
      let kept = 0;
      for (let i = 0; i < frontier.length; i++) {
        const f = frontier[i]!;
        if (table.completePos[f]! > began) frontier[kept++] = f;
      }
      frontier.length = kept;
      frontier.push(t);
    }
  }
}

/** A short name for transaction t in explanations: its completion's index, else its invocation's. */
export function txnName(table: TxnTable, t: number): string {
  const c = table.completeIndex[t]!;
  return `T${c >= 0 ? c : table.invokeIndex[t]!}`;
}

/** Explains a process or real-time edge. */
export function explainOrderEdge(table: TxnTable, from: number, to: number, relation: number): EdgeWhy {
  const a = txnName(table, from);
  const b = txnName(table, to);
  if (relation === PROCESS) {
    return {
      explanation: `${a} and ${b} ran on process ${String(table.process[from])}, ${a} first, so ${a} →process ${b}`,
      process: table.process[from],
    };
  }
  return {
    explanation: `${a} completed (op ${table.completeIndex[from]}) before ${b} was invoked (op ${table.invokeIndex[to]}), so ${a} →realtime ${b}`,
  };
}

/** Transaction t as a cycle's "Let:" lists it. */
export function describeTxn(table: TxnTable, keys: unknown[], t: number): TxnRecord {
  const complete = table.completeIndex[t]!;
  return {
    name: txnName(table, t),
    index: complete >= 0 ? complete : table.invokeIndex[t]!,
    process: table.process[t],
    type: table.indeterminate[t] ? 'info' : 'ok',
    value: microOps(table, keys, t),
  };
}

/** A value usable as a Map key: primitives as they are, lists and objects as JSON. */
export function valueKey(v: unknown): unknown {
  return v !== null && typeof v === 'object' ? JSON.stringify(v) : v;
}

/** Equality of written values (primitives by identity, structures by JSON). */
export function sameValue(a: unknown, b: unknown): boolean {
  return a === b || (typeof a === 'object' && a !== null && JSON.stringify(a) === JSON.stringify(b));
}

/**
 * A map from (key id, value) to a non-negative number. Integer values, the usual case, live
 * in an open-addressing table of typed arrays (no garbage); other values in a Map.
 */
export class ValueIndex {
  private keys: Int32Array;
  private values: Int32Array;
  private slots: Int32Array;
  private size = 0;
  private readonly other = new Map<string, number>();

  constructor(capacity = 1024) {
    let c = 1024;
    while (c < capacity * 2) c *= 2;
    this.keys = int32(c);
    this.values = int32(c);
    this.slots = int32(c).fill(-1);
  }

  /** The number stored for (k, v), or -1. */
  get(k: number, v: unknown): number {
    if (typeof v !== 'number' || (v | 0) !== v) return this.other.get(`${k}|${JSON.stringify(v)}`) ?? -1;
    const mask = this.slots.length - 1;
    let i = hash(k, v) & mask;
    for (;;) {
      const s = this.slots[i]!;
      if (s === -1) return -1;
      if (this.keys[i] === k && this.values[i] === v) return s;
      i = (i + 1) & mask;
    }
  }

  /** Stores x (>= 0) for (k, v); returns the number stored before, or -1. */
  set(k: number, v: unknown, x: number): number {
    if (typeof v !== 'number' || (v | 0) !== v) {
      const id = `${k}|${JSON.stringify(v)}`;
      const before = this.other.get(id) ?? -1;
      this.other.set(id, x);
      return before;
    }
    if ((this.size + 1) * 2 > this.slots.length) this.grow();
    const mask = this.slots.length - 1;
    let i = hash(k, v) & mask;
    for (;;) {
      const s = this.slots[i]!;
      if (s === -1) {
        this.keys[i] = k;
        this.values[i] = v;
        this.slots[i] = x;
        this.size++;
        return -1;
      }
      if (this.keys[i] === k && this.values[i] === v) {
        this.slots[i] = x;
        return s;
      }
      i = (i + 1) & mask;
    }
  }

  private grow(): void {
    const { keys, values, slots } = this;
    this.keys = int32(keys.length * 2);
    this.values = int32(keys.length * 2);
    this.slots = int32(keys.length * 2).fill(-1);
    this.size = 0;
    for (let i = 0; i < slots.length; i++) if (slots[i]! !== -1) this.set(keys[i]!, values[i]!, slots[i]!);
  }
}

function hash(k: number, v: number): number {
  // murmur3's finaliser over a combination of both halves.
  let h = (Math.imul(k, 0x9e3779b1) + v) | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

function bytes(from: Int32Array): Uint8Array {
  const out = uint8(from.length);
  out.set(from);
  return out;
}
