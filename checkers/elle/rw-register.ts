/**
 * Read-write register inference. Writes are unique per key, so a read names its writer.
 * Version orders come from the initial state (nil precedes every write) and, optionally,
 * from transactions that read a key and then wrote it (the write follows the read); a
 * cycle among one key's versions is `cyclic-versions`.
 */

import { InputError } from '../../src/errors.js';
import { type Anomaly, AnomalyLog, show } from './anomalies.js';
import { int32, uint8 } from './arena.js';
import { EdgeList, RW, stronglyConnected, WR, WW } from './graph.js';
import type { WorkloadAnalysis } from './list-append.js';
import { READ, sameValue, type Txns, txnName, ValueIndex, WRITE } from './txn.js';

/** Infers dependencies and non-cycle anomalies of an rw-register history. */
export function analyzeRwRegister(
  txns: Txns,
  maxPerType: number,
  writesFollowReads: boolean,
): WorkloadAnalysis {
  const { committed: C, failed: F, keys } = txns;
  const log = new AnomalyLog(maxPerType);
  const edges = new EdgeList(C.mopKind.length + 8 * C.count + 1024);
  const keyCount = keys.length;
  const M = C.mopKind.length;
  const owner = C.mopOwner;
  const name = (t: number) => txnName(C, t);
  const opOf = (t: number) => (C.completeIndex[t]! >= 0 ? C.completeIndex[t]! : C.invokeIndex[t]!);
  const add = (a: Anomaly) => log.add(a);

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

  // Which write each external read saw: a micro-op, INITIAL (nil), or nothing usable.
  const INITIAL = -1;
  const NONE = -2;
  const source = int32(M).fill(NONE);
  for (let m = 0; m < M; m++) {
    if (!external[m] || C.indeterminate[owner[m]!]) continue;
    const v = C.mopValue(m);
    const k = C.mopKey[m]!;
    if (v === null || v === undefined) {
      source[m] = INITIAL;
      continue;
    }
    const wm = writers.get(k, v);
    if (wm !== -1) {
      source[m] = wm;
      if (owner[wm] !== owner[m] && overwritten[wm]) intermediate(m, wm);
    } else badRead(m);
  }

  // Version graph over write micro-ops: v1 -> v2 when a transaction read v1 and then wrote v2.
  const versionEdges = new EdgeList();
  const hasPredecessor = uint8(M);
  if (writesFollowReads) {
    for (let m = 0; m < M; m++) {
      const s = source[m]!;
      const w = followingWrite[m]!;
      if (s < 0 || w < 0 || !external[m]) continue;
      versionEdges.add(s, w, WW);
      hasPredecessor[w] = 1;
    }
  }
  const versions = versionEdges.build(M);
  const cyclicKey = uint8(keyCount);
  for (const members of stronglyConnected(versions, WW).members) {
    const k = C.mopKey[members[0]!]!;
    if (cyclicKey[k]) continue;
    cyclicKey[k] = 1;
    add({
      type: 'cyclic-versions',
      ops: [...members].map((m) => opOf(owner[m]!)),
      key: keys[k],
      explanation: `the versions of key ${show(keys[k])} form a cycle: ${[...members].map((m) => show(C.mopValue(m))).join(' → ')}, each written by a transaction that had read the one before`,
    });
  }

  // Readers of each version (external reads only), as lists in CSR form, plus nil readers per key.
  const readerCount = int32(M + 1);
  const nilReaders: number[][] = Array.from({ length: keyCount }, () => []);
  for (let m = 0; m < M; m++) {
    const s = source[m]!;
    if (s >= 0) readerCount[s + 1]!++;
    else if (s === INITIAL) nilReaders[C.mopKey[m]!]!.push(m);
  }
  for (let m = 0; m < M; m++) readerCount[m + 1]! += readerCount[m]!;
  const readers = int32(readerCount[M]!);
  const fill = int32(M);
  fill.set(readerCount.subarray(0, M));
  for (let m = 0; m < M; m++) {
    const s = source[m]!;
    if (s >= 0) readers[fill[s]!++] = m;
  }

  // Dependencies.
  for (let m = 0; m < M; m++) {
    const s = source[m]!;
    if (s >= 0 && !cyclicKey[C.mopKey[m]!] && owner[s] !== owner[m]) edges.add(owner[s]!, owner[m]!, WR);
  }
  const { offsets, targets } = versions;
  for (let v1 = 0; v1 < M; v1++) {
    if (C.mopKind[v1] !== WRITE || cyclicKey[C.mopKey[v1]!]) continue;
    for (let e = offsets[v1]!; e < offsets[v1 + 1]!; e++) {
      const v2 = targets[e]!;
      const t2 = owner[v2]!;
      if (owner[v1] !== t2) edges.add(owner[v1]!, t2, WW);
      for (let i = readerCount[v1]!; i < readerCount[v1 + 1]!; i++) {
        const t = owner[readers[i]!]!;
        if (t !== t2) edges.add(t, t2, RW);
      }
    }
    // nil precedes every first version of the key.
    if (!overwritten[v1] && !hasPredecessor[v1]) {
      const t2 = owner[v1]!;
      for (const r of nilReaders[C.mopKey[v1]!]!) if (owner[r] !== t2) edges.add(owner[r]!, t2, RW);
    }
  }

  // Lost updates: committed transactions that read the same version and then wrote the key.
  const sameRead = new Map<string, number[]>();
  for (let m = 0; m < M; m++) {
    if (followingWrite[m]! < 0 || source[m] === NONE || !external[m]) continue;
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
    });
  }

  return { txns, edges, anomalies: log, explain };

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
    if (!log.wants(type)) return;
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

  function explain(from: number, to: number, relation: number): string {
    const a = name(from);
    const b = name(to);
    for (let m = C.mopStart[to]!; m < C.mopStart[to + 1]!; m++) {
      const s = source[m]!;
      const k = show(keys[C.mopKey[m]!]);
      if (relation === WR && s >= 0 && owner[s] === from) {
        return `${b} read key ${k} = ${show(C.mopValue(m))}, which ${a} wrote, so ${a} →wr ${b}`;
      }
      if (relation === WW && s >= 0 && owner[s] === from && followingWrite[m]! >= 0) {
        return `${b} read key ${k} = ${show(C.mopValue(m))} (${a}'s write) and then wrote ${show(C.mopValue(followingWrite[m]!))}, so that version follows and ${a} →ww ${b}`;
      }
    }
    if (relation === RW) {
      for (let m = C.mopStart[from]!; m < C.mopStart[from + 1]!; m++) {
        const s = source[m]!;
        if (s === NONE || !external[m]) continue;
        const k = C.mopKey[m]!;
        for (let w = C.mopStart[to]!; w < C.mopStart[to + 1]!; w++) {
          if (C.mopKind[w] !== WRITE || C.mopKey[w] !== k || overwritten[w]) continue;
          const follows = s === INITIAL ? !hasPredecessor[w] : versions.mask(s, w) !== 0;
          if (follows) {
            const why = s === INITIAL ? 'the initial nil' : `${show(C.mopValue(m))}`;
            return `${a} read key ${show(keys[k])} = ${show(C.mopValue(m))}, and ${b} wrote ${show(C.mopValue(w))}, the version after ${why}, so ${a} →rw ${b}`;
          }
        }
      }
    }
    return `${a} → ${b}`;
  }
}
