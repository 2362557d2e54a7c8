/**
 * List-append inference. Every read of a key returns the whole list, so the longest read
 * is the key's version order and every other read must be a prefix of it. From the order:
 * ww (consecutive appends), wr (the last element a read saw) and rw (the first element it
 * missed) dependencies; plus the anomalies that need no cycle.
 */

import { InputError } from '../../src/errors.js';
import { type Anomaly, AnomalyLog, type EdgeExplainer, show } from './anomalies.js';
import { int32, uint8 } from './arena.js';
import { EdgeList, RW, WR, WW } from './graph.js';
import { APPEND, READ, sameValue, type Txns, txnName, ValueIndex, valueKey } from './txn.js';

/** What the workload analysis hands to the cycle search. */
export interface WorkloadAnalysis {
  txns: Txns;
  /** Data dependency edges (ww, wr, rw) between committed transactions. */
  edges: EdgeList;
  anomalies: AnomalyLog;
  /** Words for a ww, wr or rw edge. */
  explain: EdgeExplainer;
}

const ABORTED = -1;
const GARBAGE = -2;

/** Infers dependencies and non-cycle anomalies of a list-append history. */
export function analyzeListAppend(txns: Txns, maxPerType: number): WorkloadAnalysis {
  const { committed: C, failed: F, keys } = txns;
  const log = new AnomalyLog(maxPerType);
  const edges = new EdgeList(C.mopKind.length + 8 * C.count + 1024);
  const keyCount = keys.length;
  const M = C.mopKind.length;
  const owner = C.mopOwner;
  const name = (t: number) => txnName(C, t);
  const opOf = (t: number) => (C.completeIndex[t]! >= 0 ? C.completeIndex[t]! : C.invokeIndex[t]!);

  // Who appended what: value -> micro-op (committed) or failed transaction.
  const writers = new ValueIndex(M / 2);
  const aborted = new ValueIndex();
  for (let m = 0; m < M; m++) {
    if (C.mopKind[m] !== APPEND) continue;
    const before = writers.set(C.mopKey[m]!, C.mopValue(m), m);
    if (before !== -1)
      duplicateAppend(C.mopValue(m), keys[C.mopKey[m]!], opOf(owner[before]!), opOf(owner[m]!));
  }
  for (let t = 0; t < F.count; t++) {
    for (let m = F.mopStart[t]!; m < F.mopStart[t + 1]!; m++) {
      if (F.mopKind[m] === APPEND) aborted.set(F.mopKey[m]!, F.mopValue(m), t);
    }
  }

  // Per micro-op facts from one backward and one forward scan of each transaction.
  const laterAppend = uint8(M); // an append followed by another append to its key (G1b source)
  const readThenAppend = uint8(M); // a read whose transaction appends to the key later
  const external = uint8(M); // the transaction's first touch of the key, and a read
  const stamp = int32(keyCount);
  const repeated: number[] = [];
  for (let t = 0; t < C.count; t++) {
    const start = C.mopStart[t]!;
    const end = C.mopStart[t + 1]!;
    const mark = t + 1;
    for (let m = end - 1; m >= start; m--) {
      const k = C.mopKey[m]!;
      if (C.mopKind[m] === APPEND) {
        if (stamp[k] === mark) laterAppend[m] = 1;
        stamp[k] = mark;
      } else if (stamp[k] === mark) readThenAppend[m] = 1;
    }
    // Reuse the stamps with a negative mark for "touched" in the forward scan.
    let again = false;
    for (let m = start; m < end; m++) {
      const k = C.mopKey[m]!;
      if (stamp[k] === -mark) again = true;
      else {
        stamp[k] = -mark;
        if (C.mopKind[m] === READ) external[m] = 1;
      }
    }
    if (again) repeated.push(t);
  }
  for (const t of repeated) checkInternal(t);

  // The version order of each key: its longest read.
  const longest = int32(keyCount).fill(-1);
  for (let m = 0; m < M; m++) {
    if (C.mopKind[m] !== READ) continue;
    const r = C.mopValue(m);
    if (!Array.isArray(r)) continue;
    const k = C.mopKey[m]!;
    const best = longest[k]!;
    if (best === -1 || r.length > (C.mopValue(best) as unknown[]).length) longest[k] = m;
  }
  const orderStart = int32(keyCount + 1);
  for (let k = 0; k < keyCount; k++) {
    const m = longest[k]!;
    orderStart[k + 1] = orderStart[k]! + (m === -1 ? 0 : (C.mopValue(m) as unknown[]).length);
  }
  // orderWriter[orderStart[k] + i]: the micro-op that appended element i of key k, or ABORTED/GARBAGE.
  const orderWriter = int32(orderStart[keyCount]!);
  const firstBad = int32(keyCount).fill(0x7fffffff);
  const seenMop = uint8(M);
  for (let k = 0; k < keyCount; k++) {
    const m = longest[k]!;
    if (m === -1) continue;
    const order = C.mopValue(m) as unknown[];
    const base = orderStart[k]!;
    let prevTxn = -1;
    let dirtyAt = -1;
    let extras: Set<unknown> | undefined;
    let duplicated = false;
    for (let i = 0; i < order.length; i++) {
      const wm = writers.get(k, order[i]);
      if (wm === -1) {
        const v = valueKey(order[i]);
        const bad = aborted.get(k, order[i]) !== -1 ? ABORTED : GARBAGE;
        orderWriter[base + i] = bad;
        if (firstBad[k] === 0x7fffffff) firstBad[k] = i;
        if (bad === ABORTED && dirtyAt === -1) dirtyAt = i;
        extras ??= new Set();
        if (extras.has(v) && !duplicated) duplicated = duplicates(m, order);
        extras.add(v);
        continue;
      }
      orderWriter[base + i] = wm;
      if (seenMop[wm] && !duplicated) duplicated = duplicates(m, order);
      seenMop[wm] = 1;
      const t = owner[wm]!;
      if (prevTxn !== -1 && prevTxn !== t) edges.add(prevTxn, t, WW);
      prevTxn = t;
      if (dirtyAt !== -1) {
        dirtyUpdate(k, order, dirtyAt, t);
        dirtyAt = -2;
      }
    }
  }

  // Every read against its key's order: compatibility, aborted and intermediate reads, wr and rw.
  const sameRead = new Map<number, number>(); // lost-update candidates: key and length -> first transaction
  const collisions = new Map<number, number[]>();
  for (let m = 0; m < M; m++) {
    if (C.mopKind[m] !== READ) continue;
    const r = C.mopValue(m);
    if (!Array.isArray(r)) continue;
    const k = C.mopKey[m]!;
    const lm = longest[k]!;
    const order = C.mopValue(lm) as unknown[];
    const t = owner[m]!;
    if (lm !== m && !isPrefix(r, order)) {
      incompatible(m, lm);
      continue;
    }
    const len = r.length;
    if (len > firstBad[k]!) badRead(m, firstBad[k]!);
    if (!external[m]) continue;
    const base = orderStart[k]!;
    if (len > 0) {
      const wm = orderWriter[base + len - 1]!;
      if (wm >= 0 && owner[wm] !== t) {
        edges.add(owner[wm]!, t, WR);
        if (laterAppend[wm]) intermediate(m, wm);
      }
    }
    for (let i = len; i < order.length; i++) {
      const wm = orderWriter[base + i]!;
      if (wm < 0) continue;
      if (owner[wm] !== t) edges.add(t, owner[wm]!, RW);
      break;
    }
    if (readThenAppend[m] && C.indeterminate[t] === 0) {
      const id = k * 0x100000000 + len;
      const first = sameRead.get(id);
      if (first === undefined) sameRead.set(id, t);
      else {
        const group = collisions.get(id);
        if (group) group.push(t);
        else collisions.set(id, [first, t]);
      }
    }
  }
  for (const [id, group] of collisions) lostUpdate(Math.floor(id / 0x100000000), group);

  return { txns, edges, anomalies: log, explain };

  // ---- anomalies, each explained in words ----

  function add(a: Anomaly): void {
    log.add(a);
  }

  function checkInternal(t: number): void {
    const state = new Map<number, { known: unknown[] | null; suffix: unknown[] }>();
    for (let m = C.mopStart[t]!; m < C.mopStart[t + 1]!; m++) {
      const k = C.mopKey[m]!;
      const s = state.get(k) ?? { known: null, suffix: [] };
      state.set(k, s);
      const v = C.mopValue(m);
      if (C.mopKind[m] === APPEND) {
        if (s.known) s.known.push(v);
        else s.suffix.push(v);
        continue;
      }
      if (!Array.isArray(v)) continue;
      const ok = s.known
        ? v.length === s.known.length && isPrefix(v, s.known)
        : v.length >= s.suffix.length &&
          s.suffix.every((x, i) => sameValue(x, v[v.length - s.suffix.length + i]));
      if (!ok && log.wants('internal')) {
        const expected = s.known ? `${show(s.known)}` : `a list ending in its own appends ${show(s.suffix)}`;
        add({
          type: 'internal',
          ops: [opOf(t)],
          key: keys[k],
          explanation: `${name(t)} read key ${show(keys[k])} = ${show(v)}, but its own earlier reads and appends in the same transaction imply ${expected}`,
        });
      }
      s.known = [...v];
      s.suffix = [];
    }
  }

  function duplicates(m: number, order: unknown[]): true {
    if (!log.wants('duplicate-elements')) return true;
    const seen = new Set<unknown>();
    const dups = order.filter((x) => {
      const v = valueKey(x);
      if (seen.has(v)) return true;
      seen.add(v);
      return false;
    });
    const t = owner[m]!;
    add({
      type: 'duplicate-elements',
      ops: [opOf(t)],
      key: keys[C.mopKey[m]!],
      explanation: `${name(t)} read key ${show(keys[C.mopKey[m]!])} = ${show(order)}, which holds ${show(dups)} more than once, though each value was appended once`,
    });
    return true;
  }

  function incompatible(m: number, lm: number): void {
    const r = C.mopValue(m) as unknown[];
    if (new Set(r.map(valueKey)).size !== r.length) duplicates(m, r);
    if (!log.wants('incompatible-order')) return;
    const [a, b] = [owner[m]!, owner[lm]!];
    const k = keys[C.mopKey[m]!];
    add({
      type: 'incompatible-order',
      ops: [opOf(a), opOf(b)],
      key: k,
      explanation: `${name(a)} read key ${show(k)} = ${show(r)} and ${name(b)} read ${show(C.mopValue(lm))}; neither is a prefix of the other, so they cannot both come from one order of appends`,
    });
  }

  function badRead(m: number, at: number): void {
    const k = C.mopKey[m]!;
    const order = C.mopValue(longest[k]!) as unknown[];
    const v = order[at];
    const t = owner[m]!;
    const isAborted = orderWriter[orderStart[k]! + at] === ABORTED;
    const type = isAborted ? 'G1a' : 'garbage-read';
    if (!log.wants(type)) return;
    const r = C.mopValue(m);
    if (isAborted) {
      const f = aborted.get(k, v);
      add({
        type,
        ops: [opOf(t), F.completeIndex[f]!],
        key: keys[k],
        explanation: `${name(t)} read key ${show(keys[k])} = ${show(r)}, which includes ${show(v)}, appended by op ${F.completeIndex[f]} which failed (aborted read)`,
      });
    } else {
      add({
        type,
        ops: [opOf(t)],
        key: keys[k],
        explanation: `${name(t)} read key ${show(keys[k])} = ${show(r)}, which includes ${show(v)}, a value no transaction appended`,
      });
    }
  }

  function intermediate(m: number, wm: number): void {
    if (!log.wants('G1b')) return;
    const t = owner[m]!;
    const w = owner[wm]!;
    const k = C.mopKey[m]!;
    add({
      type: 'G1b',
      ops: [opOf(t), opOf(w)],
      key: keys[k],
      explanation: `${name(t)} read key ${show(keys[k])} = ${show(C.mopValue(m))}, ending in ${show(C.mopValue(wm))}, which ${name(w)} appended but then appended to again in the same transaction (intermediate read)`,
    });
  }

  function dirtyUpdate(k: number, order: unknown[], at: number, t: number): void {
    if (!log.wants('dirty-update')) return;
    const f = aborted.get(k, order[at]);
    add({
      type: 'dirty-update',
      ops: [F.completeIndex[f]!, opOf(t)],
      key: keys[k],
      explanation: `key ${show(keys[k])} = ${show(order)}: ${show(order[at])} was appended by op ${F.completeIndex[f]}, which failed, yet ${name(t)} appended after it and committed`,
    });
  }

  function lostUpdate(k: number, group: number[]): void {
    if (!log.wants('lost-update')) return;
    const read = C.mopValue(externalRead(group[0]!, k));
    add({
      type: 'lost-update',
      ops: group.map(opOf),
      key: keys[k],
      explanation: `${group.map(name).join(', ')} all read key ${show(keys[k])} = ${show(read)} and then appended to it; all committed, so all but one update was lost`,
    });
  }

  function externalRead(t: number, k: number): number {
    for (let m = C.mopStart[t]!; m < C.mopStart[t + 1]!; m++) if (external[m] && C.mopKey[m] === k) return m;
    return -1;
  }

  function explain(from: number, to: number, relation: number): string {
    const a = name(from);
    const b = name(to);
    if (relation === WR) {
      for (let m = C.mopStart[to]!; m < C.mopStart[to + 1]!; m++) {
        const r = C.mopValue(m);
        if (!external[m] || !Array.isArray(r) || r.length === 0) continue;
        const wm = orderWriter[orderStart[C.mopKey[m]!]! + r.length - 1]!;
        if (wm >= 0 && owner[wm] === from && isPrefix(r, C.mopValue(longest[C.mopKey[m]!]!) as unknown[])) {
          return `${b} read key ${show(keys[C.mopKey[m]!])} = ${show(r)}, which includes ${a}'s append of ${show(r[r.length - 1])}, so ${a} →wr ${b}`;
        }
      }
    } else if (relation === RW) {
      for (let m = C.mopStart[from]!; m < C.mopStart[from + 1]!; m++) {
        const r = C.mopValue(m);
        if (!external[m] || !Array.isArray(r)) continue;
        const k = C.mopKey[m]!;
        const order = C.mopValue(longest[k]!) as unknown[];
        if (!isPrefix(r, order)) continue;
        for (let i = r.length; i < order.length; i++) {
          const wm = orderWriter[orderStart[k]! + i]!;
          if (wm < 0) continue;
          if (owner[wm] === to) {
            return `${a} read key ${show(keys[k])} = ${show(r)}, which did not include ${b}'s append of ${show(order[i])} (next in the key's order ${show(order)}), so ${a} →rw ${b}`;
          }
          break;
        }
      }
    } else if (relation === WW) {
      for (let m = C.mopStart[from]!; m < C.mopStart[from + 1]!; m++) {
        if (C.mopKind[m] !== APPEND) continue;
        const k = C.mopKey[m]!;
        if (longest[k] === -1) continue;
        const order = C.mopValue(longest[k]!) as unknown[];
        const base = orderStart[k]!;
        const i = order.findIndex((x) => sameValue(x, C.mopValue(m)));
        if (i === -1) continue;
        for (let j = i + 1; j < order.length; j++) {
          const wm = orderWriter[base + j]!;
          if (wm < 0) continue;
          if (owner[wm] === from) break;
          if (owner[wm] === to) {
            return `${a} appended ${show(order[i])} to key ${show(keys[k])} and ${b} appended ${show(order[j])} after it (the key's order is ${show(order)}), so ${a} →ww ${b}`;
          }
          break;
        }
      }
    }
    return `${a} → ${b}`;
  }
}

function isPrefix(r: readonly unknown[], order: readonly unknown[]): boolean {
  if (r.length > order.length) return false;
  for (let i = 0; i < r.length; i++) if (r[i] !== order[i] && !sameValue(r[i], order[i])) return false;
  return true;
}

function duplicateAppend(value: unknown, key: unknown, first: number, second: number): never {
  throw new InputError(
    `list-append needs each value appended to a key at most once; ${show(value)} was appended to key ${show(key)} by op ${first} and again by op ${second}`,
    { field: `op ${second} value` },
  );
}
