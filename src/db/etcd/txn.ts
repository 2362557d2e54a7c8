/**
 * Serializable multi-key transactions on etcd, optimistically: read every key the
 * transaction touches at one revision, compute its reads and writes locally, then commit the
 * writes in a txn comparing each key's mod revision. A failed compare aborts the whole
 * transaction: it surely did not happen. {@link EtcdTxnClient} offers it as a `TxnClient`.
 */
import type { Etcd3 } from 'etcd3';
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
import { etcdFailure } from './connection.js';
import { EtcdSession } from './session.js';

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
): Promise<Outcome<MicroOp[]>> {
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

/** List-append (`append`) or rw-register (`w`) transactions; key `k` is the etcd key `<kind>/<k>`, holding JSON. */
export class EtcdTxnClient extends EtcdSession implements TxnClient {
  constructor(
    ctx: ClientContext,
    private readonly kind: TxnKind,
  ) {
    super(ctx);
  }

  txn(mops: readonly MicroOp[]): Promise<Outcome<MicroOp[]>> {
    const name = (k: number): string => `${this.kind}/${k}`;
    const keys = keysOf(mops).map(name);
    return etcdTxn(
      this.client,
      keys,
      (snapshot) => planTxn(this.kind, mops, snapshot, name),
      this.serializable,
    );
  }
}
