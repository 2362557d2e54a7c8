/**
 * Read-write register inference. Writes are unique per key, so a read names its writer.
 * A key's versions are its values (nil first); their order comes from sources tried in
 * Elle's order — the initial state (nil precedes every value), an explicit transaction
 * order, writes-follow-reads, per-key sequential (process order) and per-key linearizable
 * (real-time order) — each kept only if it leaves every key's version graph acyclic; a
 * source that closes a cycle is reported as `cyclic-versions` and set aside. Reads of values
 * nobody committed stay versions (evidence for the order) besides being reported.
 */

import { InputError } from '../../src/errors.js';
import { type Anomaly, AnomalyLog, type EdgeWhy, show } from './anomalies.js';
import { int32, uint8 } from './arena.js';
import { EdgeList, type Graph, RW, stronglyConnected, WR, WW } from './graph.js';
import type { WorkloadAnalysis } from './list-append.js';
import { READ, sameValue, type Txns, txnName, ValueIndex, WRITE } from './txn.js';

/** Where a register's version order may come from, besides the initial state. */
export interface VersionSources {
  /** Elle's `wfr-keys?`: a transaction that reads a key and then writes it wrote the later version. */
  wfrKeys: boolean;
  /** Elle's `sequential-keys?`: each key is sequentially consistent, so process order orders versions. */
  sequentialKeys: boolean;
  /** Elle's `linearizable-keys?`: each key is linearizable, so real-time order orders versions. */
  linearizableKeys: boolean;
  /** Elle's `transaction-order`: op index of a transaction's completion → its place in a known total order. */
  transactionOrder?: ReadonlyMap<number, number>;
}

/** Infers dependencies and non-cycle anomalies of an rw-register history. */
export function analyzeRwRegister(txns: Txns, maxPerType: number, sources: VersionSources): WorkloadAnalysis {
  const { committed: C, failed: F, keys } = txns;
  const log = new AnomalyLog(maxPerType);
  const edges = new EdgeList(C.mopKind.length + 8 * C.count + 1024);
  const keyCount = keys.length;
  const M = C.mopKind.length;
  const N = M + keyCount; // version nodes: micro-ops (writes, or first reads of unwritten values), then nil per key
  const nilOf = (k: number) => M + k;
  const owner = C.mopOwner;
  const name = (t: number) => txnName(C, t);
  const opOf = (t: number) => (C.completeIndex[t]! >= 0 ? C.completeIndex[t]! : C.invokeIndex[t]!);
  const at = (m: number) => m - C.mopStart[owner[m]!]!;
  const add = (a: Anomaly) => log.add(a);
  const keyOfNode = (v: number) => (v >= M ? v - M : C.mopKey[v]!);
  const valueOfNode = (v: number): unknown => (v >= M ? null : C.mopValue(v));

  const writers = new ValueIndex(M / 2);
  const aborted = new ValueIndex();
  for (let m = 0; m < M; m++) {
    if (C.mopKind[m] !== WRITE) continue;
    const prior = writers.set(C.mopKey[m]!, C.mopValue(m), m);
    if (prior !== -1 && owner[prior] !== owner[m]) {
      throw new InputError(
        `rw-register needs unique writes per key; ${show(C.mopValue(m))} was written to key ${show(keys[C.mopKey[m]!])} by op ${opOf(owner[prior]!)} and again by op ${opOf(owner[m]!)}`,
        { field: `op ${opOf(owner[m]!)} value` },
      );
    }
  }
  for (let t = 0; t < F.count; t++) {
    for (let m = F.mopStart[t]!; m < F.mopStart[t + 1]!; m++) {
      if (F.mopKind[m] === WRITE) aborted.set(F.mopKey[m]!, F.mopValue(m), t);
    }
  }

  // Per micro-op facts: overwritten writes, external reads, and each external read's own later write.
  const overwritten = uint8(M);
  const external = uint8(M);
  const followingWrite = int32(M).fill(-1); // for an external read: the transaction's final write of the key
  const stamp = int32(keyCount);
  const finalWrite = int32(keyCount);
  for (let t = 0; t < C.count; t++) {
    const start = C.mopStart[t]!;
    const end = C.mopStart[t + 1]!;
    const mark = t + 1;
    for (let m = end - 1; m >= start; m--) {
      const k = C.mopKey[m]!;
      if (C.mopKind[m] === WRITE) {
        if (stamp[k] === mark) overwritten[m] = 1;
        else {
          stamp[k] = mark;
          finalWrite[k] = m;
        }
      } else if (stamp[k] === mark) followingWrite[m] = finalWrite[k]!;
    }
    let again = false;
    for (let m = start; m < end; m++) {
      const k = C.mopKey[m]!;
      if (stamp[k] === -mark) again = true;
      else {
        stamp[k] = -mark;
        if (C.mopKind[m] === READ) external[m] = 1;
      }
    }
    if (again) checkInternal(t);
  }
  const isFinalWrite = (v: number) => v < M && C.mopKind[v] === WRITE && !overwritten[v];

  // The version each external read of a committed transaction saw (-1: none, an unknown read).
  const source = int32(M).fill(-1);
  const unwritten = new ValueIndex();
  for (let m = 0; m < M; m++) {
    if (!external[m] || C.indeterminate[owner[m]!]) continue;
    const v = C.mopValue(m);
    const k = C.mopKey[m]!;
    if (v === null || v === undefined) {
      source[m] = nilOf(k);
      continue;
    }
    const wm = writers.get(k, v);
    if (wm !== -1) {
      source[m] = wm;
      if (owner[wm] !== owner[m] && overwritten[wm]) intermediate(m, wm);
      continue;
    }
    // Nobody committed this value: still a version the reader saw, so still evidence of order.
    const first = unwritten.get(k, v);
    source[m] = first === -1 ? m : first;
    if (first === -1) unwritten.set(k, v, m);
    badRead(m);
  }
  /** A transaction's last external version of k (its final write, else its read), or -1. */
  const lastVersion = (t: number, k: number): number => {
    let read = -1;
    for (let m = C.mopStart[t]!; m < C.mopStart[t + 1]!; m++) {
      if (C.mopKey[m] !== k) continue;
      if (isFinalWrite(m)) return m;
      if (external[m] && source[m] >= 0 && read === -1) read = source[m]!;
    }
    return read;
  };
  /** A transaction's first external version of k (its read, else its final write), or -1. */
  const firstVersion = (t: number, k: number): number => {
    let write = -1;
    for (let m = C.mopStart[t]!; m < C.mopStart[t + 1]!; m++) {
      if (C.mopKey[m] !== k) continue;
      if (external[m] && source[m] >= 0) return source[m]!;
      if (isFinalWrite(m)) write = m;
    }
    return write;
  };

  // Version order sources, in Elle's order; each kept only if no key's versions become cyclic.
  const accepted = new EdgeList();
  const used: string[] = ['initial-state'];
  for (let m = 0; m < M; m++) {
    if (isFinalWrite(m)) accepted.add(nilOf(C.mopKey[m]!), m, WW);
    else if (external[m] && source[m]! >= 0 && source[m]! < M)
      accepted.add(nilOf(C.mopKey[m]!), source[m]!, WW);
  }
  const tried: [string, () => EdgeList][] = [];
  if (sources.transactionOrder)
    tried.push(['transaction-order', () => transactionOrderEdges(sources.transactionOrder!)]);
  if (sources.wfrKeys) tried.push(['wfr-keys', wfrEdges]);
  if (sources.sequentialKeys) tried.push(['sequential-keys', sequentialEdges]);
  if (sources.linearizableKeys) tried.push(['linearizable-keys', linearizableEdges]);
  for (const [sourceName, make] of tried) {
    const candidate = make();
    const union = new EdgeList(accepted.length + candidate.length);
    accepted.forEach((a, b) => {
      union.add(a, b, WW);
    });
    candidate.forEach((a, b) => {
      union.add(a, b, WW);
    });
    const cycles = stronglyConnected(union.build(N), WW).members;
    if (cycles.length === 0) {
      candidate.forEach((a, b) => {
        accepted.add(a, b, WW);
      });
      used.push(sourceName);
      continue;
    }
    for (const members of cycles) cyclicVersions(members, [...used, sourceName]);
  }
  const versions = accepted.build(N);

  // Readers of each version (external reads of committed transactions), in CSR form.
  const readerCount = int32(N + 1);
  for (let m = 0; m < M; m++) if (source[m]! >= 0) readerCount[source[m]! + 1]!++;
  for (let v = 0; v < N; v++) readerCount[v + 1]! += readerCount[v]!;
  const readers = int32(readerCount[N]!);
  const fill = int32(N);
  fill.set(readerCount.subarray(0, N));
  for (let m = 0; m < M; m++) if (source[m]! >= 0) readers[fill[source[m]!]!++] = m;

  // wr: straight from the reads, whatever the version order says.
  for (let m = 0; m < M; m++) {
    const s = source[m]!;
    if (s >= 0 && s < M && C.mopKind[s] === WRITE && owner[s] !== owner[m])
      edges.add(owner[s]!, owner[m]!, WR);
  }
  // ww and rw from each version edge v1 -> v2 onto a committed final write v2.
  const hasWritePredecessor = uint8(N);
  for (let v1 = 0; v1 < M; v1++) {
    if (!isFinalWrite(v1)) continue;
    for (let e = versions.offsets[v1]!; e < versions.offsets[v1 + 1]!; e++)
      hasWritePredecessor[versions.targets[e]!] = 1;
  }
  for (let v1 = 0; v1 < N; v1++) {
    for (let e = versions.offsets[v1]!; e < versions.offsets[v1 + 1]!; e++) {
      const v2 = versions.targets[e]!;
      if (!isFinalWrite(v2)) continue;
      // nil -> v2 is implied through an earlier write's ww chain when v2 has one: keep edges linear.
      if (v1 >= M && hasWritePredecessor[v2]) continue;
      const t2 = owner[v2]!;
      if (isFinalWrite(v1) && owner[v1] !== t2) edges.add(owner[v1]!, t2, WW);
      for (let i = readerCount[v1]!; i < readerCount[v1 + 1]!; i++) {
        const t = owner[readers[i]!]!;
        if (t !== t2) edges.add(t, t2, RW);
      }
    }
  }

  // Lost updates: committed transactions that read the same version and then wrote the key.
  const sameRead = new Map<string, number[]>();
  for (let m = 0; m < M; m++) {
    if (followingWrite[m]! < 0 || source[m]! < 0) continue;
    const id = `${C.mopKey[m]}/${source[m]}`;
    const group = sameRead.get(id);
    if (group) group.push(m);
    else sameRead.set(id, [m]);
  }
  for (const group of sameRead.values()) {
    if (group.length < 2 || !log.wants('lost-update')) continue;
    const k = keys[C.mopKey[group[0]!]!];
    add({
      type: 'lost-update',
      ops: group.map((m) => opOf(owner[m]!)),
      key: k,
      explanation: `${group.map((m) => name(owner[m]!)).join(', ')} all read key ${show(k)} = ${show(C.mopValue(group[0]!))} and then wrote it; all committed, so all but one update was lost`,
      value: C.mopValue(group[0]!) ?? null,
    });
  }

  return { txns, edges, anomalies: log, explain };

  // ---- version order sources ----

  function transactionOrderEdges(order: ReadonlyMap<number, number>): EdgeList {
    const out = new EdgeList();
    const byKey = new Map<number, [number, number][]>();
    for (let m = 0; m < M; m++) {
      if (!isFinalWrite(m)) continue;
      const place = order.get(C.completeIndex[owner[m]!]!);
      if (place === undefined) continue;
      const list = byKey.get(C.mopKey[m]!) ?? [];
      list.push([place, m]);
      byKey.set(C.mopKey[m]!, list);
    }
    for (const list of byKey.values()) {
      list.sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < list.length; i++) out.add(list[i - 1]![1], list[i]![1], WW);
    }
    return out;
  }

  function wfrEdges(): EdgeList {
    const out = new EdgeList();
    for (let m = 0; m < M; m++) {
      const s = source[m]!;
      const w = followingWrite[m]!;
      if (s < 0 || s >= M || w < 0 || s === w) continue;
      out.add(s, w, WW);
    }
    return out;
  }

  /** The external keys of t: ok transactions' reads and final writes, info ones' final writes. */
  function externalKeys(t: number): number[] {
    const out: number[] = [];
    for (let m = C.mopStart[t]!; m < C.mopStart[t + 1]!; m++) {
      if ((isFinalWrite(m) || (external[m] && source[m]! >= 0)) && !out.includes(C.mopKey[m]!))
        out.push(C.mopKey[m]!);
    }
    return out;
  }

  function link(out: EdgeList, a: number, b: number, k: number): void {
    const v1 = lastVersion(a, k);
    const v2 = firstVersion(b, k);
    if (v1 >= 0 && v2 >= 0 && v1 !== v2 && !sameVersion(v1, v2)) out.add(v1, v2, WW);
  }

  /** Each process's transactions in order: for each key, the next one that touches it. */
  function sequentialEdges(): EdgeList {
    const out = new EdgeList();
    const last = new Map<string, number>(); // process/key -> last transaction touching it
    for (let t = 0; t < C.count; t++) {
      for (const k of externalKeys(t)) {
        const id = `${C.process[t]}/${k}`;
        const prev = last.get(id);
        if (prev !== undefined) link(out, prev, t, k);
        last.set(id, t);
      }
    }
    return out;
  }

  /** For each key, each transaction's nearest successors in real-time order that touch it too. */
  function linearizableEdges(): EdgeList {
    const out = new EdgeList();
    const byKey = new Map<number, number[]>();
    for (let t = 0; t < C.count; t++) {
      for (const k of externalKeys(t)) {
        const list = byKey.get(k) ?? [];
        list.push(t);
        byKey.set(k, list);
      }
    }
    const end = (t: number) => (C.completePos[t]! >= 0 ? C.completePos[t]! : Number.POSITIVE_INFINITY);
    for (const [k, list] of byKey) {
      // Transactions are in invocation order; suffixEnd[i]: the earliest completion from i on.
      const suffixEnd = new Array<number>(list.length + 1).fill(Number.POSITIVE_INFINITY);
      for (let i = list.length - 1; i >= 0; i--) suffixEnd[i] = Math.min(suffixEnd[i + 1]!, end(list[i]!));
      let j = 0;
      for (const a of list) {
        const done = end(a);
        if (done === Number.POSITIVE_INFINITY) continue;
        while (j < list.length && C.invokePos[list[j]!]! < done) j++;
        // b follows a with nothing touching k in between iff b began before any successor ended.
        const bound = suffixEnd[j]!;
        for (let i = j; i < list.length && C.invokePos[list[i]!]! < bound; i++) link(out, a, list[i]!, k);
      }
    }
    return out;
  }

  function sameVersion(a: number, b: number): boolean {
    return keyOfNode(a) === keyOfNode(b) && a < M && b < M && sameValue(C.mopValue(a), C.mopValue(b));
  }

  // ---- anomalies ----

  function cyclicVersions(members: Int32Array, from: string[]): void {
    if (!log.wants('cyclic-versions')) {
      log.add({ type: 'cyclic-versions', ops: [], explanation: '' });
      return;
    }
    const k = keyOfNode(members[0]!);
    const values = [...members].map(valueOfNode);
    add({
      type: 'cyclic-versions',
      ops: [...members].filter((v) => v < M).map((v) => opOf(owner[v]!)),
      key: keys[k],
      explanation: `the versions of key ${show(keys[k])} form a cycle: ${values.map(show).join(', ')} each precede another, by ${from.join(', ')}; the last of these sources is set aside`,
      scc: values,
      sources: from,
    });
  }

  function checkInternal(t: number): void {
    const known = new Map<number, unknown>();
    for (let m = C.mopStart[t]!; m < C.mopStart[t + 1]!; m++) {
      const k = C.mopKey[m]!;
      const v = C.mopValue(m);
      if (C.mopKind[m] === WRITE) {
        known.set(k, v);
        continue;
      }
      if (C.indeterminate[t]) continue;
      if (known.has(k) && !sameValue(known.get(k) ?? null, v ?? null) && log.wants('internal')) {
        add({
          type: 'internal',
          ops: [opOf(t)],
          key: keys[k],
          explanation: `${name(t)} read key ${show(keys[k])} = ${show(v)}, but its own earlier read or write in the same transaction says ${show(known.get(k))}`,
          'mop-index': at(m),
          expected: known.get(k) ?? null,
        });
      }
      known.set(k, v);
    }
  }

  function intermediate(m: number, wm: number): void {
    if (!log.wants('G1b')) return;
    const t = owner[m]!;
    const w = owner[wm]!;
    add({
      type: 'G1b',
      ops: [opOf(t), opOf(w)],
      key: keys[C.mopKey[m]!],
      explanation: `${name(t)} read key ${show(keys[C.mopKey[m]!])} = ${show(C.mopValue(m))}, which ${name(w)} wrote and then overwrote in the same transaction (intermediate read)`,
    });
  }

  function badRead(m: number): void {
    const k = C.mopKey[m]!;
    const v = C.mopValue(m);
    const t = owner[m]!;
    const found = aborted.get(k, v);
    const f = found === -1 ? undefined : found;
    const type = f === undefined ? 'garbage-read' : 'G1a';
    if (!log.wants(type)) {
      log.add({ type, ops: [], explanation: '' });
      return;
    }
    add({
      type,
      ops: f === undefined ? [opOf(t)] : [opOf(t), F.completeIndex[f]!],
      key: keys[k],
      explanation:
        f === undefined
          ? `${name(t)} read key ${show(keys[k])} = ${show(v)}, a value no transaction wrote`
          : `${name(t)} read key ${show(keys[k])} = ${show(v)}, written by op ${F.completeIndex[f]} which failed (aborted read)`,
    });
  }

  function explain(from: number, to: number, relation: number): EdgeWhy {
    const a = name(from);
    const b = name(to);
    if (relation === WR) {
      for (let m = C.mopStart[to]!; m < C.mopStart[to + 1]!; m++) {
        const s = source[m]!;
        if (s >= 0 && s < M && C.mopKind[s] === WRITE && owner[s] === from) {
          return {
            explanation: `${b} read key ${show(keys[C.mopKey[m]!])} = ${show(C.mopValue(m))}, which ${a} wrote, so ${a} →wr ${b}`,
            key: keys[C.mopKey[m]!],
            value: C.mopValue(m),
            'a-mop-index': at(s),
            'b-mop-index': at(m),
          };
        }
      }
      return { explanation: `${a} → ${b}` };
    }
    // ww and rw: a version of `from` precedes a final write of `to` in the version order.
    for (let w = C.mopStart[to]!; w < C.mopStart[to + 1]!; w++) {
      if (!isFinalWrite(w)) continue;
      const k = C.mopKey[w]!;
      for (let m = C.mopStart[from]!; m < C.mopStart[from + 1]!; m++) {
        if (C.mopKey[m] !== k) continue;
        const v1 = relation === WW ? (isFinalWrite(m) ? m : -1) : external[m] ? source[m]! : -1;
        if (v1 < 0 || !precedes(v1, w)) continue;
        const verb = relation === WW ? 'wrote' : 'read';
        return {
          explanation: `${a} ${verb} key ${show(keys[k])} = ${show(valueOfNode(v1))}, and ${b} set it to ${show(C.mopValue(w))}, which came later in the version order (${used.join(', ')}), so ${a} →${relation === WW ? 'ww' : 'rw'} ${b}`,
          key: keys[k],
          value: valueOfNode(v1),
          "value'": C.mopValue(w),
          'a-mop-index': at(m),
          'b-mop-index': at(w),
        };
      }
    }
    return { explanation: `${a} → ${b}` };
  }

  /** v1 precedes v2 directly, or (nil only) through a chain of writes. */
  function precedes(v1: number, v2: number): boolean {
    return versions.mask(v1, v2) !== 0 || (v1 >= M && reaches(versions, v1, v2));
  }
}

function reaches(g: Graph, from: number, to: number): boolean {
  const seen = new Set<number>([from]);
  const todo = [from];
  while (todo.length > 0) {
    const v = todo.pop()!;
    for (let e = g.offsets[v]!; e < g.offsets[v + 1]!; e++) {
      const w = g.targets[e]!;
      if (w === to) return true;
      if (!seen.has(w)) {
        seen.add(w);
        todo.push(w);
      }
    }
  }
  return false;
}
