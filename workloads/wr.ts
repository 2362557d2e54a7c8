import { type TxnClient, WR_CLIENT } from '../src/client/kinds/txn.js';
import { invokeTxn, txnFinalReads, txnGenerator } from './append.js';
import { liveKeys } from './final-reads.js';
import type { CheckerSpec, Workload } from './types.js';

/**
 * Read-write register transactions (Elle's rw-register): each `txn` reads keys and writes
 * values unique per key, `['r', k, null]` / `['w', k, v]`. Needs a {@link TxnClient} of kind
 * `rw-register` (etcd: one read txn at one revision, then a txn whose compares check every
 * key's mod revision; ZooKeeper: a multi of version checks). Options as `append`.
 */
export const wr: Workload<TxnClient> = {
  name: 'wr',
  description: 'read-write register transactions (etcd txn, ZooKeeper multi), checked by Elle',
  client: WR_CLIENT,
  invoke: invokeTxn,
  generator: (ctx) => txnGenerator(ctx.options, 'w', liveKeys(ctx)),
  final: (ctx) => txnFinalReads(liveKeys(ctx)),
  checkers: (): CheckerSpec => ({ 'rw-register': {} }),
};
