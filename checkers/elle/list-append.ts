/**
 * List-append inference. Every read of a key returns the whole list, so the longest read
 * is the key's version order and every other read must be a prefix of it. From the order:
 * ww (consecutive appends), wr (the last element a read saw) and rw (the first element it
 * missed) dependencies. An append no read saw came after every element of the longest read
 * (Elle's rule): ww from that last element's writer, rw from every read that saw the whole
 * order. Plus the anomalies that need no cycle.
 */

import { InputError } from '../../src/errors.js';
import { type Anomaly, AnomalyLog, type EdgeExplainer, type EdgeWhy, show } from './anomalies.js';
import { int32, uint8 } from './arena.js';
import { EdgeList, RW, WR, WW } from './graph.js';
import { APPEND, READ, sameValue, type Txns, txnName, ValueIndex, valueKey } from './txn.js';

/** What the workload analysis hands to the cycle search. */
export interface WorkloadAnalysis {
  txns: Txns;
  /** Data dependency edges (ww, wr, rw) between committed transactions. */
  edges: EdgeList;
  anomalies: AnomalyLog;
  /** Why a ww, wr or rw edge holds. */
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
  const at = (m: number) => m - C.mopStart[owner[m]!]!;

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
  for (const t of repeated) {
    checkInternal(t);
    // Only a read followed by an append to its key can hold that append already.
    for (let m = C.mopStart[t]!; m < C.mopStart[t + 1]!; m++) {
      if (readThenAppend[m]) {
        checkFutureRead(t);
        break;
      }
    }
  }

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
  const orderOf = (k: number): readonly unknown[] =>
    longest[k] === -1 ? [] : (C.mopValue(longest[k]!) as unknown[]);
  const orderStart = int32(keyCount + 1);
  for (let k = 0; k < keyCount; k++) orderStart[k + 1] = orderStart[k]! + orderOf(k).length;
  // orderWriter[orderStart[k] + i]: the micro-op that appended element i of key k, or ABORTED/GARBAGE.
  const orderWriter = int32(orderStart[keyCount]!);
  const firstBad = int32(keyCount).fill(0x7fffffff);
  const seenMop = uint8(M);
  const positionOf = int32(M); // for an append seen in its key's order: its position there
  for (let k = 0; k < keyCount; k++) {
    const m = longest[k]!;
    if (m === -1) continue;
    const order = orderOf(k);
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
      if (seenMop[wm]) {
        // A repeated element: like Elle, the order keeps its first occurrence only.
        if (!duplicated) duplicated = duplicates(m, order);
        continue;
      }
      seenMop[wm] = 1;
      positionOf[wm] = i;
      const t = owner[wm]!;
      if (prevTxn !== -1 && prevTxn !== t) edges.add(prevTxn, t, WW);
      prevTxn = t;
      // An aborted append followed by a committed one (an info one proves nothing).
      if (dirtyAt !== -1 && !C.indeterminate[t]) {
        dirtyUpdate(k, order, dirtyAt, i, t);
        dirtyAt = -1;
      }
    }
  }

  // Appends no read saw: they follow the last element of their key's order.
  const unobservedKey = uint8(keyCount);
  const unobserved: number[] = [];
  for (let m = 0; m < M; m++) {
    if (C.mopKind[m] !== APPEND || seenMop[m]) continue;
    unobserved.push(m);
    unobservedKey[C.mopKey[m]!] = 1;
  }
  // For keys with unobserved appends: the transactions whose reads saw the whole order.
  const fullReaders = new Map<number, number[]>();

  // Every read against its key's order: compatibility, aborted and intermediate reads, wr and rw.
  const sameRead = new Map<number, number>(); // lost-update candidates: key and length -> first transaction
  const collisions = new Map<number, number[]>();
  const incompatibleKeys = new Set<number>();
  for (let m = 0; m < M; m++) {
    if (C.mopKind[m] !== READ) continue;
    const r = C.mopValue(m);
    if (!Array.isArray(r)) continue;
    const k = C.mopKey[m]!;
    const lm = longest[k]!;
    const order = orderOf(k);
    const t = owner[m]!;
    if (lm !== m && !isPrefix(r, order)) {
      if (!incompatibleKeys.has(k)) incompatible(m, lm);
      incompatibleKeys.add(k);
      continue;
    }
    const len = r.length;
    if (len > firstBad[k]!) badRead(m, firstBad[k]!);
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
    if (len === order.length && unobservedKey[k]) {
      const list = fullReaders.get(k);
      if (list) list.push(t);
      else fullReaders.set(k, [t]);
    }
    if (external[m] && readThenAppend[m] && C.indeterminate[t] === 0) {
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
  for (const m of unobserved) {
    const k = C.mopKey[m]!;
    const t = owner[m]!;
    const n = orderOf(k).length;
    const last = n === 0 ? -1 : orderWriter[orderStart[k]! + n - 1]!;
    if (last >= 0 && owner[last] !== t) edges.add(owner[last]!, t, WW);
    for (const reader of fullReaders.get(k) ?? []) if (reader !== t) edges.add(reader, t, RW);
  }

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
          'mop-index': at(m),
          expected: s.known ? [...s.known] : ['...', ...s.suffix],
        });
      }
      s.known = [...v];
      s.suffix = [];
    }
  }

  /** A read that already holds a value the same transaction appends later (Elle's future-read). */
  function checkFutureRead(t: number): void {
    const seen = new Map<number, { read: number; values: Set<unknown> }[]>();
    for (let m = C.mopStart[t]!; m < C.mopStart[t + 1]!; m++) {
      const k = C.mopKey[m]!;
      const v = C.mopValue(m);
      if (C.mopKind[m] === READ) {
        if (Array.isArray(v) && v.length > 0) {
          const list = seen.get(k) ?? [];
          list.push({ read: m, values: new Set(v.map(valueKey)) });
          seen.set(k, list);
        }
        continue;
      }
      const hit = seen.get(k)?.find((x) => x.values.has(valueKey(v)));
      if (!hit) continue;
      if (log.wants('future-read')) {
        add({
          type: 'future-read',
          ops: [opOf(t)],
          key: keys[k],
          explanation: `${name(t)} read key ${show(keys[k])} = ${show(C.mopValue(hit.read))}, which already holds ${show(v)}, an element the same transaction appends only later`,
          'mop-index': at(hit.read),
          element: v,
        });
      }
      return;
    }
  }

  function duplicates(m: number, order: readonly unknown[]): true {
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
      values: [r, C.mopValue(lm)],
    });
  }

  function badRead(m: number, first: number): void {
    const k = C.mopKey[m]!;
    const order = orderOf(k);
    const v = order[first];
    const t = owner[m]!;
    const isAborted = orderWriter[orderStart[k]! + first] === ABORTED;
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
        element: v,
      });
    } else {
      add({
        type,
        ops: [opOf(t)],
        key: keys[k],
        explanation: `${name(t)} read key ${show(keys[k])} = ${show(r)}, which includes ${show(v)}, a value no transaction appended`,
        element: v,
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
      element: C.mopValue(wm),
    });
  }

  function dirtyUpdate(k: number, order: readonly unknown[], from: number, to: number, t: number): void {
    if (!log.wants('dirty-update')) return;
    const f = aborted.get(k, order[from]);
    add({
      type: 'dirty-update',
      ops: [F.completeIndex[f]!, opOf(t)],
      key: keys[k],
      explanation: `key ${show(keys[k])} = ${show(order)}: ${show(order[from])} was appended by op ${F.completeIndex[f]}, which failed, yet ${name(t)} appended ${show(order[to])} after it and committed`,
      values: order.slice(from, to + 1),
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
      value: read,
    });
  }

  function externalRead(t: number, k: number): number {
    for (let m = C.mopStart[t]!; m < C.mopStart[t + 1]!; m++) if (external[m] && C.mopKey[m] === k) return m;
    return -1;
  }

  function explain(from: number, to: number, relation: number): EdgeWhy {
    const a = name(from);
    const b = name(to);
    if (relation === WR) {
      for (let m = C.mopStart[to]!; m < C.mopStart[to + 1]!; m++) {
        const r = C.mopValue(m);
        if (C.mopKind[m] !== READ || !Array.isArray(r) || r.length === 0) continue;
        const k = C.mopKey[m]!;
        const wm = orderWriter[orderStart[k]! + r.length - 1];
        if (wm !== undefined && wm >= 0 && owner[wm] === from && isPrefix(r, orderOf(k))) {
          return {
            explanation: `${b} read key ${show(keys[k])} = ${show(r)}, which includes ${a}'s append of ${show(r[r.length - 1])}, so ${a} →wr ${b}`,
            key: keys[k],
            value: r[r.length - 1],
            'a-mop-index': at(wm),
            'b-mop-index': at(m),
          };
        }
      }
    } else if (relation === RW) {
      for (let m = C.mopStart[from]!; m < C.mopStart[from + 1]!; m++) {
        const r = C.mopValue(m);
        if (C.mopKind[m] !== READ || !Array.isArray(r)) continue;
        const k = C.mopKey[m]!;
        const order = orderOf(k);
        if (!isPrefix(r, order)) continue;
        const seen = r.length === 0 ? null : r[r.length - 1];
        for (let i = r.length; i < order.length; i++) {
          const wm = orderWriter[orderStart[k]! + i]!;
          if (wm < 0) continue;
          if (owner[wm] === to) {
            return {
              explanation: `${a} read key ${show(keys[k])} = ${show(r)}, which did not include ${b}'s append of ${show(order[i])} (next in the key's order ${show(order)}), so ${a} →rw ${b}`,
              key: keys[k],
              value: seen,
              "value'": order[i],
              'a-mop-index': at(m),
              'b-mop-index': at(wm),
            };
          }
          break;
        }
        if (r.length !== order.length) continue;
        for (let w = C.mopStart[to]!; w < C.mopStart[to + 1]!; w++) {
          if (C.mopKind[w] !== APPEND || C.mopKey[w] !== k || seenMop[w]) continue;
          return {
            explanation: `${a} read key ${show(keys[k])} = ${show(r)}, the longest read of it, so ${b}'s append of ${show(C.mopValue(w))}, which no read saw, came later: ${a} →rw ${b}`,
            key: keys[k],
            value: seen,
            "value'": C.mopValue(w),
            'a-mop-index': at(m),
            'b-mop-index': at(w),
          };
        }
      }
    } else if (relation === WW) {
      for (let m = C.mopStart[to]!; m < C.mopStart[to + 1]!; m++) {
        if (C.mopKind[m] !== APPEND) continue;
        const k = C.mopKey[m]!;
        const order = orderOf(k);
        const base = orderStart[k]!;
        // The committed append just before this one in the key's order (or its last, if unseen).
        let i = seenMop[m] ? positionOf[m]! : order.length;
        while (--i >= 0 && orderWriter[base + i]! < 0);
        if (i < 0) continue;
        const prev = orderWriter[base + i]!;
        if (owner[prev] !== from) continue;
        const why = seenMop[m]
          ? `(the key's order is ${show(order)})`
          : `(which no read saw, so it follows the longest read ${show(order)})`;
        return {
          explanation: `${a} appended ${show(order[i])} to key ${show(keys[k])} and ${b} appended ${show(C.mopValue(m))} after it ${why}, so ${a} →ww ${b}`,
          key: keys[k],
          value: order[i],
          "value'": C.mopValue(m),
          'a-mop-index': at(prev),
          'b-mop-index': at(m),
        };
      }
    }
    return { explanation: `${a} → ${b}` };
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
