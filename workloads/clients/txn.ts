/**
 * Serializable multi-key transactions on etcd and ZooKeeper, optimistically: read every key
 * the transaction touches at one point, compute its reads and writes locally, then commit
 * the writes guarded by a check that no key changed since it was read (etcd: a txn comparing
 * each key's mod revision; ZooKeeper: a multi of version checks and versioned setData). A
 * failed guard aborts the whole transaction: it surely did not happen.
 */
import type { Etcd3 } from 'etcd3';
import zookeeper from 'node-zookeeper-client';
import type { Completion } from '../../src/client/types.js';
import { etcdFailure } from './etcd.js';
import { type ZkClient, zkCall, zkCode, zkCreate, zkFailure, zkGet } from './zookeeper.js';

/** Every key's value as read (null: absent). */
export type Snapshot = ReadonlyMap<string, string | null>;

/** What a transaction computed from a snapshot: its completion value and the keys it writes. */
export interface TxnPlan {
  value: unknown;
  writes: ReadonlyMap<string, string>;
}

/**
 * Runs a transaction on etcd. The snapshot is one read-only etcd txn (one revision); a
 * transaction without writes completes there (with `serializable`, from the member's local
 * state). Otherwise a second txn commits the writes if every key's mod revision is unchanged.
 */
export async function etcdTxn(
  etcd: Etcd3,
  keys: readonly string[],
  compute: (snapshot: Snapshot) => TxnPlan,
  serializableReads = false,
): Promise<Completion> {
  const snapshot = new Map<string, string | null>();
  const revisions = new Map<string, string>();
  let plan: TxnPlan;
  try {
    const read = await etcd.kv.txn({
      compare: [],
      success: keys.map((k) => ({ request_range: { key: Buffer.from(k), serializable: serializableReads } })),
      failure: [],
    });
    keys.forEach((k, i) => {
      const kv = read.responses[i]?.response_range?.kvs[0];
      snapshot.set(k, kv ? kv.value.toString() : null);
      revisions.set(k, kv ? String(kv.mod_revision) : '0');
    });
    plan = compute(snapshot);
  } catch (err) {
    return etcdFailure(err, true);
  }
  if (plan.writes.size === 0) return { type: 'ok', value: plan.value };
  try {
    const r = await etcd.kv.txn({
      compare: keys.map((k) => ({
        key: Buffer.from(k),
        target: 'Mod' as const,
        result: 'Equal' as const,
        mod_revision: revisions.get(k)!,
      })),
      success: [...plan.writes].map(([k, v]) => ({
        request_put: { key: Buffer.from(k), value: Buffer.from(v) },
      })),
      failure: [],
    });
    if (!r.succeeded) return { type: 'fail', error: 'conflict: a key changed since it was read' };
    return { type: 'ok', value: plan.value };
  } catch (err) {
    return etcdFailure(err, false);
  }
}

/**
 * Runs a transaction on ZooKeeper (znodes `paths`, created empty when missing). The commit
 * is a multi of a version check per key read and a versioned setData per key written; a
 * read-only transaction commits its checks too, so that its reads are one consistent state.
 */
export async function zkTxn(
  zk: ZkClient,
  paths: readonly string[],
  compute: (snapshot: Snapshot) => TxnPlan,
  timeoutMs: number,
): Promise<Completion> {
  const snapshot = new Map<string, string | null>();
  const versions = new Map<string, number>();
  let plan: TxnPlan;
  try {
    for (const path of paths) {
      let got = await zkGet(zk, path, timeoutMs);
      if (!got) {
        // An empty znode means the same as a missing one; create it so that it has a version.
        try {
          await zkCreate(zk, path, Buffer.alloc(0), zookeeper.CreateMode.PERSISTENT, timeoutMs);
        } catch (err) {
          if (zkCode(err) !== zookeeper.Exception.NODE_EXISTS) throw err;
        }
        got = await zkGet(zk, path, timeoutMs);
        if (!got) throw new Error(`${path} vanished`);
      }
      snapshot.set(path, got.data.length > 0 ? got.data.toString() : null);
      versions.set(path, got.stat.version);
    }
    plan = compute(snapshot);
  } catch (err) {
    return zkFailure(err, true);
  }
  const multi = zk.transaction();
  for (const path of paths) {
    const write = plan.writes.get(path);
    if (write === undefined) multi.check(path, versions.get(path)!);
    else multi.setData(path, Buffer.from(write), versions.get(path)!);
  }
  try {
    await zkCall(zk, 'multi', timeoutMs, (done) => multi.commit((err) => done(err)));
    return { type: 'ok', value: plan.value };
  } catch (err) {
    return zkFailure(err, plan.writes.size === 0);
  }
}
