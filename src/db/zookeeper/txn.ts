/**
 * Serializable multi-key transactions on ZooKeeper, optimistically: read every znode the
 * transaction touches, compute its reads and writes locally, then commit a multi of version
 * checks and versioned setData. A failed check aborts the whole transaction: it surely did not
 * happen. {@link ZkTxnClient} offers it as a `TxnClient`.
 */
import zookeeper from 'node-zookeeper-client';
import type { ClientContext } from '../../client/kind.js';
import {
  keysOf,
  type MicroOp,
  planTxn,
  type Snapshot,
  type TxnClient,
  type TxnKind,
  type TxnPlan,
} from '../../client/kinds/txn.js';
import type { Outcome } from '../../client/types.js';
import { type ZkClient, zkCall, zkCode, zkCreate, zkFailure, zkGet } from './connection.js';
import { ZkSession } from './session.js';

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
): Promise<Outcome<MicroOp[]>> {
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

const ZK_ROOT = '/faultline-txn';

/** List-append (`append`) or rw-register (`w`) transactions; key `k` is the znode `/faultline-txn/<kind>-<k>`. */
export class ZkTxnClient extends ZkSession implements TxnClient {
  constructor(
    ctx: ClientContext,
    private readonly kind: TxnKind,
  ) {
    super(ctx, ZK_ROOT);
  }

  txn(mops: readonly MicroOp[]): Promise<Outcome<MicroOp[]>> {
    const name = (k: number): string => `${ZK_ROOT}/${this.kind}-${k}`;
    const keys = keysOf(mops).map(name);
    return zkTxn(this.client, keys, (snapshot) => planTxn(this.kind, mops, snapshot, name), this.timeoutMs);
  }
}
