/**
 * Key-windowed Elle checking of a history too long to hold: the ops come as a stream, read
 * twice, and only a window of them is in memory at a time.
 *
 * Pass 1 records each key's lifetime: the stream positions of the first and the last op of a
 * transaction that mentions it (memory: a few numbers per key). Pass 2 buffers the ops of
 * the current window, W ops long; windows start every W/2 ops. A window's keys are those whose
 * whole lifetime lies inside it. Each transaction is projected onto those keys (micro-ops on
 * other keys dropped, a transaction left with none dropped) and the projection is checked by
 * the in-memory checker. Anomalies are merged; one found by two overlapping windows counts once.
 *
 * Why a window's anomalies are anomalies of the whole history. Every op on a window key lies
 * inside the window, so the window holds all of that key's writers (committed, failed and
 * indeterminate) and all of its readers: its version order, its wr, ww and rw edges and its
 * per-key anomalies (garbage, aborted and intermediate reads, lost updates...) are exactly
 * those of the full history, which never look at other keys. Projection keeps each kept
 * transaction's invocation and completion and their order, so real-time order (completed
 * before invoked) and process order are unchanged between kept transactions; dropping
 * transactions removes intermediate steps, but both orders are transitive, so an edge
 * between two kept transactions is an edge of the full history's relation. Hence every edge
 * of a window's graph holds in the full history and every cycle found is a cycle there: no
 * false alarms.
 *
 * What it cannot see. A set of keys is seen together when some window [jW/2, jW/2 + W) holds
 * all their lifetimes; this is certain when the span from the earliest first op to the latest
 * last op is at most W/2 ops, possible up to W, impossible beyond. A cycle whose edges need
 * keys that are never seen together is missed. A key no window holds (it lives longer than
 * W/2 ops and straddles the window starts) is checked alone, in its own projection — sound
 * for the same reasons, blind to every cycle through another key — when its transactions
 * (2 ops each) fit the W-op budget next to the other keys checked alone at the same time;
 * otherwise it is not checked at all and the verdict is `unknown`. `valid: true` thus means
 * "no anomaly in any window or single-key check", not "no anomaly".
 */
import { InputError, type InputLocation } from '../../src/errors.js';
import { History, type Op, type Process } from '../../src/history/index.js';
import type { Validity } from '../result.js';
import type { Anomaly } from './anomalies.js';
import { checkListAppend, checkRwRegister, type ElleResult } from './index.js';
import { checkedFor, findings } from './models.js';
import { type ElleOptions, validateElleOptions } from './options.js';

/** Window length when none is given: a few hundred MiB of ops at most. */
export const DEFAULT_WINDOW_OPS = 200_000;

/** Unchecked keys listed in the result, at most (all are counted). */
const MAX_LISTED_KEYS = 20;

/** Options of the windowed checks: Elle's, the window, and where ops come from. */
export interface WindowedElleOptions extends ElleOptions {
  /** Ops per window (W); windows start every W/2 ops. Default {@link DEFAULT_WINDOW_OPS}. */
  windowOps?: number;
  /** Where an op sits in its input, so errors name file and line (the caller knows). */
  locate?: (op: Op) => InputLocation;
}

/** What the windows covered, and what they could not. */
export interface WindowedCoverage {
  windowOps: number;
  /** Keys whose lifetimes together span at most this many ops (W/2) always share a window. */
  seenTogetherWithinOps: number;
  /** Ops in the stream (every kind), and transactions among them. */
  ops: number;
  txns: number;
  /** Windows checked (those holding at least one key), and windows skipped when time ran out. */
  windows: number;
  windowsSkipped: number;
  keys: number;
  /** Keys whose lifetime lies inside a window. */
  keysInWindows: number;
  /** Keys no window holds, checked alone. */
  keysCheckedAlone: number;
  /** Keys no window holds and too big (with the others alone at the time) to check alone. */
  keysUnchecked: number;
  /** The first unchecked keys (at most 20). */
  uncheckedKeys: unknown[];
  /** The longest key lifetime, in ops from its first op to its last. */
  longestKeyLifetimeOps: number;
  /** The most ops held at once (window buffer plus keys checked alone). */
  maxOpsInMemory: number;
}

/** An Elle result over windows: `txns` counts the stream's, `edges` adds up the windows'. */
export interface WindowedElleResult extends ElleResult {
  windowed: WindowedCoverage;
  /** What `valid` stands on, in words. */
  scope: string;
}

/** A source of ops that can be read more than once (each call starts over). */
export type OpStream = () => AsyncIterable<Op>;

type Workload = 'list-append' | 'rw-register';

/** Checks a list-append history from a stream, window by window. */
export function checkListAppendWindowed(
  ops: OpStream,
  options: WindowedElleOptions = {},
): Promise<WindowedElleResult> {
  return checkWindowed('list-append', ops, options);
}

/** Checks a read-write register history from a stream, window by window. */
export function checkRwRegisterWindowed(
  ops: OpStream,
  options: WindowedElleOptions = {},
): Promise<WindowedElleResult> {
  return checkWindowed('rw-register', ops, options);
}

/** A growable Int32 column indexed by key id. */
class KeyColumn {
  data = new Int32Array(1024);

  get(i: number): number {
    return this.data[i]!;
  }

  set(i: number, x: number): void {
    if (i >= this.data.length) {
      const bigger = new Int32Array(Math.max(this.data.length * 2, i + 1));
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[i] = x;
  }
}

/** Per-key lifetimes from pass 1. */
class Lifetimes {
  readonly ids = new Map<unknown, number>();
  readonly raw: unknown[] = [];
  readonly first = new KeyColumn();
  readonly last = new KeyColumn();
  readonly txns = new KeyColumn();
  /** The last transaction (1-based serial) counted in `txns`, so a key counts a transaction once. */
  readonly counted = new KeyColumn();

  /** The key id of a raw key, or -1 when unknown. */
  id(rawKey: unknown): number {
    return this.ids.get(canonicalKey(rawKey)) ?? -1;
  }

  touch(rawKey: unknown, position: number): number {
    const key = canonicalKey(rawKey);
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.raw.length;
      this.ids.set(key, id);
      this.raw.push(rawKey);
      this.first.set(id, position);
      this.txns.set(id, 0);
    }
    this.last.set(id, position);
    return id;
  }

  get count(): number {
    return this.raw.length;
  }
}

/** As the in-memory checker interns keys: structures by their JSON. */
function canonicalKey(k: unknown): unknown {
  return k !== null && typeof k === 'object' ? JSON.stringify(k) : k;
}

function isTxn(op: Op): boolean {
  return op.f === 'txn' && op.process !== 'nemesis';
}

/** A well-formed micro-op `[f k v]` (its key is what lifetimes need). */
function isMop(mop: unknown): mop is [unknown, unknown, unknown] {
  return Array.isArray(mop) && mop.length === 3;
}

/** The keys of a micro-op list's well-formed entries (nothing when it is not a list). */
function mopKeys(value: unknown): unknown[] {
  return Array.isArray(value) ? value.filter(isMop).map((mop) => mop[1]) : [];
}

interface OpenTxn {
  invoke: Op;
  /** Key ids the invocation mentions (txns only). */
  keys: number[];
}

/**
 * Pass 1: lifetimes, and the checks the in-memory reader and checker make (pairing,
 * micro-op shapes), so that pass 2 meets no bad input.
 */
async function lifetimes(
  workload: Workload,
  ops: OpStream,
  locate: (op: Op) => InputLocation,
): Promise<{ keys: Lifetimes; positions: number; txns: number }> {
  const keys = new Lifetimes();
  const open = new Map<Process, OpenTxn>();
  const crashed = new Map<Process, number>();
  let position = 0;
  let txns = 0;
  const validate = sourceValidator(workload, locate);
  for await (const op of ops()) {
    const p = position++;
    if (op.process === 'nemesis') continue;
    if (op.type === 'invoke') {
      const pending = open.get(op.process);
      if (pending !== undefined) {
        throw new InputError(
          `process ${op.process} invokes again while its invocation at op ${pending.invoke.index} is still open`,
          { ...locate(op), field: 'process' },
        );
      }
      const crashedAt = crashed.get(op.process);
      if (crashedAt !== undefined) {
        throw new InputError(
          `process ${op.process} invokes again after its op ${crashedAt} ended in info; a crashed process must continue under a fresh id`,
          { ...locate(op), field: 'process' },
        );
      }
      const ids: number[] = [];
      if (isTxn(op) && Array.isArray(op.value)) {
        for (const mop of op.value) if (isMop(mop)) ids.push(keys.touch(mop[1], p));
      }
      open.set(op.process, { invoke: op, keys: ids });
      continue;
    }
    const pending = open.get(op.process);
    if (pending === undefined) {
      throw new InputError(`completion (${op.type}) of process ${op.process} has no open invocation`, {
        ...locate(op),
        field: 'type',
      });
    }
    const { invoke } = pending;
    if (invoke.f !== op.f) {
      throw new InputError(`completion f ${op.f} does not match its invocation's f ${invoke.f}`, {
        ...locate(op),
        field: 'f',
      });
    }
    if (op.time < invoke.time) {
      throw new InputError(
        `completion (op ${op.index}) at time ${op.time} is earlier than its invocation (op ${invoke.index}) at time ${invoke.time}`,
        { ...locate(op), field: 'time' },
      );
    }
    open.delete(op.process);
    if (op.type === 'info') crashed.set(op.process, op.index);
    if (!isTxn(op)) continue;
    txns++;
    const source = op.type === 'ok' && Array.isArray(op.value) ? op : invoke;
    validate(source);
    // The whole pair belongs to each key either op mentions; each key counts the pair once.
    const serial = txns;
    const count = (id: number) => {
      keys.last.set(id, p);
      if (keys.counted.get(id) === serial) return;
      keys.counted.set(id, serial);
      keys.txns.set(id, keys.txns.get(id) + 1);
    };
    for (const id of pending.keys) count(id);
    if (op.type === 'ok' && Array.isArray(op.value)) {
      for (const mop of op.value) if (isMop(mop)) count(keys.touch(mop[1], p));
    }
  }
  // Invocations that never completed are indeterminate transactions of their own.
  for (const { invoke, keys: ids } of open.values()) {
    if (!isTxn(invoke)) continue;
    txns++;
    validate(invoke);
    for (const id of ids) {
      if (keys.counted.get(id) === txns) continue;
      keys.counted.set(id, txns);
      keys.txns.set(id, keys.txns.get(id) + 1);
    }
  }
  return { keys, positions: position, txns };
}

/** Checks the op a transaction's micro-ops come from as the in-memory reader does. */
function sourceValidator(workload: Workload, locate: (op: Op) => InputLocation): (op: Op) => void {
  const allowed = workload === 'list-append' ? ['append', 'r'] : ['w', 'r'];
  return (op) => {
    const where = (field: string) => ({ ...locate(op), field: `op ${op.index} ${field}` });
    if (!Array.isArray(op.value)) {
      throw new InputError(
        `a txn's value must be a list of micro-ops, got ${JSON.stringify(op.value)}`,
        where('value'),
      );
    }
    op.value.forEach((mop: unknown, j) => {
      if (!Array.isArray(mop) || mop.length !== 3) {
        throw new InputError(`expected a micro-op [f k v], got ${JSON.stringify(mop)}`, where(`value[${j}]`));
      }
      const f = typeof mop[0] === 'string' ? mop[0].replace(/^:/, '') : String(mop[0]);
      if (!allowed.includes(f)) {
        throw new InputError(
          `micro-op ${JSON.stringify(mop[0])} is not one of ${allowed.join(', ')}`,
          where(`value[${j}][0]`),
        );
      }
      const v: unknown = mop[2];
      if (
        workload === 'list-append' &&
        f === 'r' &&
        op.type !== 'invoke' &&
        v !== null &&
        !Array.isArray(v)
      ) {
        throw new InputError(
          `a list-append read must return a list or nil, got ${JSON.stringify(v)}`,
          where(`value[${j}][2]`),
        );
      }
    });
  };
}

/** An op held in pass 2, with the transaction it belongs to. */
interface Held {
  position: number;
  op: Op;
  txn: HeldTxn;
}

interface HeldTxn {
  invoke: Op;
  completion?: Op;
  /** The last window that kept this transaction (its completion goes where its invocation went). */
  keptIn: number;
}

/** The micro-ops of `value` on the keys `keep` accepts; not a list stays as it is. */
function project(value: unknown, keyId: (raw: unknown) => number, keep: (id: number) => boolean): unknown {
  if (!Array.isArray(value)) return value;
  return value.filter((mop: unknown) => Array.isArray(mop) && mop.length === 3 && keep(keyId(mop[1])));
}

function projectedLength(value: unknown): number {
  return Array.isArray(value) ? value.length : 0;
}

/** Merges the results of windows and single-key checks into one. */
class Merger {
  readonly counts: Record<string, number> = {};
  readonly anomalies: Record<string, Anomaly[]> = {};
  private readonly seen = new Set<string>();
  edges = 0;
  checks = 0;

  constructor(private readonly maxPerType: number) {}

  add(result: ElleResult): void {
    this.checks++;
    this.edges += result.edges;
    for (const [type, count] of Object.entries(result['anomaly-counts'])) {
      // A window without dependencies says nothing of the others: judged on the total below.
      if (type === 'empty-transaction-graph') continue;
      const examples = result.anomalies[type] ?? [];
      let repeated = 0;
      for (const a of examples) {
        const id = anomalyIdentity(a);
        if (this.seen.has(id)) {
          repeated++;
          continue;
        }
        this.seen.add(id);
        this.anomalies[type] ??= [];
        if (this.anomalies[type]!.length < this.maxPerType) this.anomalies[type]!.push(a);
      }
      this.counts[type] = (this.counts[type] ?? 0) + count - repeated;
    }
  }
}

/** What makes two reports the same anomaly: its kind and the transactions (or ops) it names. */
function anomalyIdentity(a: Anomaly): string {
  const ops = a.txns ? a.txns.map((t) => t.index) : a.ops;
  return `${a.type}|${[...ops].sort((x, y) => x - y).join(',')}|${JSON.stringify(a.key ?? null)}`;
}

async function checkWindowed(
  workload: Workload,
  ops: OpStream,
  options: WindowedElleOptions,
): Promise<WindowedElleResult> {
  const { windowOps = DEFAULT_WINDOW_OPS, locate = () => ({}), ...elle } = options;
  validateElleOptions(elle);
  if (!Number.isInteger(windowOps) || windowOps < 2) {
    throw new InputError(`expected a whole number of ops, at least 2, got ${windowOps}`, {
      field: 'windowOps',
    });
  }
  const started = Date.now();
  const deadline = elle.timeLimitMs === undefined ? Number.POSITIVE_INFINITY : started + elle.timeLimitMs;
  const checkOne = workload === 'list-append' ? checkListAppend : checkRwRegister;
  const maxPerType = elle.maxAnomaliesPerType ?? 8;

  const { keys, positions, txns } = await lifetimes(workload, ops, locate);
  const half = Math.floor(windowOps / 2);
  const windowCount = Math.max(1, Math.ceil(positions / half));
  // A key's home is the last window starting at or before its first op; it may also fit the
  // window before (which then ends later than its last op too). -1: no window holds it.
  const home = new Int32Array(keys.count);
  const keysPerWindow = new Int32Array(windowCount);
  let longest = 0;
  const alone: number[] = [];
  for (let k = 0; k < keys.count; k++) {
    const first = keys.first.get(k);
    const last = keys.last.get(k);
    longest = Math.max(longest, last - first + 1);
    const h = Math.floor(first / half);
    if (last < h * half + windowOps) {
      home[k] = h;
      keysPerWindow[h]!++;
      if (h > 0 && last < (h + 1) * half) keysPerWindow[h - 1]!++;
    } else {
      home[k] = -1;
      alone.push(k);
    }
  }
  const inWindow = (k: number, w: number): boolean =>
    k >= 0 && (home[k] === w || (home[k] === w + 1 && keys.last.get(k) < (w + 2) * half));

  // Keys checked alone: each within the budget, and all those alive at once within it too.
  const chosen = chooseAlone(alone, keys, windowOps);
  const unchecked = alone.filter((k) => !chosen.has(k));

  // Pass 2.
  const merger = new Merger(maxPerType);
  const held: Held[] = [];
  let heldStart = 0;
  let maxInMemory = 0;
  let windowsChecked = 0;
  let windowsSkipped = 0;
  let nextWindow = 0;
  const openTxn = new Map<Process, HeldTxn>();
  const aloneOps = new Map<number, Op[]>();
  let aloneHeld = 0;
  const aloneByEnd = [...chosen].sort((a, b) => keys.last.get(a) - keys.last.get(b));
  let nextAlone = 0;
  const keyId = (raw: unknown) => keys.id(raw);
  const remaining = () =>
    deadline === Number.POSITIVE_INFINITY ? undefined : Math.max(1, deadline - Date.now());

  const checkWindow = (w: number): void => {
    if (keysPerWindow[w] === 0) return;
    if (Date.now() >= deadline) {
      windowsSkipped++;
      return;
    }
    const start = w * half;
    const end = start + windowOps;
    const tag = w;
    const keep = (k: number) => inWindow(k, w);
    const sub: Op[] = [];
    for (let i = heldStart; i < held.length; i++) {
      const h = held[i]!;
      if (h.position < start) continue;
      if (h.position >= end) break;
      const { txn, op } = h;
      if (op.type === 'invoke') {
        const value = project(op.value, keyId, keep);
        const done = txn.completion ? project(txn.completion.value, keyId, keep) : undefined;
        if (projectedLength(value) === 0 && projectedLength(done) === 0) continue;
        txn.keptIn = tag;
        sub.push({ ...op, value });
      } else if (txn.keptIn === tag) sub.push({ ...op, value: project(op.value, keyId, keep) });
    }
    if (sub.length === 0) return;
    windowsChecked++;
    merger.add(checkOne(History.from(sub, { reindex: false }), { ...elle, timeLimitMs: remaining() }));
  };

  const checkAlone = (k: number): void => {
    const sub = aloneOps.get(k)!;
    aloneOps.delete(k);
    aloneHeld -= sub.length;
    if (Date.now() >= deadline) {
      windowsSkipped++;
      return;
    }
    merger.add(checkOne(History.from(sub, { reindex: false }), { ...elle, timeLimitMs: remaining() }));
  };

  let position = 0;
  for await (const op of ops()) {
    const p = position++;
    // Every window ending here has all its ops.
    while (nextWindow < windowCount && nextWindow * half + windowOps <= p) {
      checkWindow(nextWindow++);
      // Ops before the next window's start are no longer needed.
      const keepFrom = nextWindow * half;
      while (heldStart < held.length && held[heldStart]!.position < keepFrom) heldStart++;
      if (heldStart > 4096 && heldStart * 2 > held.length) {
        held.splice(0, heldStart);
        heldStart = 0;
      }
    }
    if (!isTxn(op)) continue;
    let txn: HeldTxn;
    if (op.type === 'invoke') {
      txn = { invoke: op, keptIn: -1 };
      openTxn.set(op.process, txn);
    } else {
      txn = openTxn.get(op.process)!;
      openTxn.delete(op.process);
      txn.completion = op;
    }
    held.push({ position: p, op, txn });
    if (chosen.size > 0) {
      // A transaction on a key checked alone goes to that key's projection too.
      for (const raw of new Set(mopKeys(txn.invoke.value))) {
        const k = keys.id(raw);
        if (!chosen.has(k)) continue;
        const list = aloneOps.get(k) ?? [];
        if (list.length === 0) aloneOps.set(k, list);
        list.push({ ...op, value: project(op.value, keyId, (id) => id === k) });
        aloneHeld++;
      }
    }
    maxInMemory = Math.max(maxInMemory, held.length - heldStart + aloneHeld);
    while (nextAlone < aloneByEnd.length && keys.last.get(aloneByEnd[nextAlone]!) <= p) {
      checkAlone(aloneByEnd[nextAlone++]!);
    }
  }
  while (nextWindow < windowCount) checkWindow(nextWindow++);
  while (nextAlone < aloneByEnd.length) checkAlone(aloneByEnd[nextAlone++]!);

  const coverage: WindowedCoverage = {
    windowOps,
    seenTogetherWithinOps: half,
    ops: positions,
    txns,
    windows: windowsChecked,
    windowsSkipped,
    keys: keys.count,
    keysInWindows: keys.count - alone.length,
    keysCheckedAlone: chosen.size,
    keysUnchecked: unchecked.length,
    uncheckedKeys: unchecked.slice(0, MAX_LISTED_KEYS).map((k) => keys.raw[k]),
    longestKeyLifetimeOps: longest,
    maxOpsInMemory: maxInMemory,
  };
  return verdict(elle, merger, coverage);
}

/**
 * The keys no window holds that can be checked alone: in order of their first op, each whose
 * ops fit beside those of the chosen keys still alive.
 */
function chooseAlone(alone: number[], keys: Lifetimes, budget: number): Set<number> {
  const byFirst = [...alone].sort((a, b) => keys.first.get(a) - keys.first.get(b));
  const chosen = new Set<number>();
  let alive: number[] = [];
  let used = 0;
  for (const k of byFirst) {
    const first = keys.first.get(k);
    alive = alive.filter((a) => {
      if (keys.last.get(a) >= first) return true;
      used -= 2 * keys.txns.get(a);
      return false;
    });
    const need = 2 * keys.txns.get(k);
    if (used + need > budget) continue;
    chosen.add(k);
    alive.push(k);
    used += need;
  }
  return chosen;
}

function verdict(elle: ElleOptions, merger: Merger, coverage: WindowedCoverage): WindowedElleResult {
  const { counts, anomalies } = merger;
  if (merger.checks > 0 && merger.edges === 0) {
    counts['empty-transaction-graph'] = 1;
    anomalies['empty-transaction-graph'] = [
      {
        type: 'empty-transaction-graph',
        ops: [],
        explanation: `no dependency between transactions could be inferred in any window, so the checker has nothing to stand on`,
      },
    ];
  }
  const { fields, prohibitedFound: bad } = findings(
    counts,
    checkedFor(elle.anomalies, elle.consistencyModels),
  );
  const types = fields['anomaly-types'];
  const reasons: string[] = [];
  if (types.includes('empty-transaction-graph'))
    reasons.push('empty-transaction-graph: no dependencies between transactions could be inferred');
  if (types.includes('cycle-search-timeout'))
    reasons.push('cycle-search-timeout: a cycle search was cut short');
  if (coverage.windowsSkipped > 0)
    reasons.push(`the time limit ran out: ${coverage.windowsSkipped} windows or keys were not checked`);
  if (coverage.keysUnchecked > 0) {
    reasons.push(
      `${coverage.keysUnchecked} keys lived longer than a window of ${coverage.windowOps} ops and had too many ops to check alone`,
    );
  }
  if (coverage.txns === 0) reasons.push('no transactions: nothing to check');
  const valid: Validity = bad ? false : reasons.length > 0 ? 'unknown' : true;
  const result: WindowedElleResult = {
    valid,
    ...fields,
    anomalies,
    'anomaly-counts': counts,
    txns: coverage.txns,
    edges: merger.edges,
    windowed: coverage,
    scope: `key-windowed: ${coverage.windows} windows of ${coverage.windowOps} ops (one every ${coverage.seenTogetherWithinOps}) and ${coverage.keysCheckedAlone} keys checked alone; a cycle is seen only when one window holds the lifetimes of all its keys: certain when they span at most ${coverage.seenTogetherWithinOps} ops, impossible beyond ${coverage.windowOps}`,
  };
  if (valid !== true && reasons.length > 0) result.reason = reasons.join('; ');
  return result;
}
