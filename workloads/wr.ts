import { TxnClient, txnFinalReads, txnGenerator } from './append.js';
import { liveKeys } from './final-reads.js';
import type { CheckerSpec, Workload } from './types.js';

/**
 * Read-write register transactions (Elle's rw-register): each `txn` reads keys and writes
 * values unique per key, `['r', k, null]` / `['w', k, v]`. On etcd, one read txn at one
 * revision, then a txn whose compares check every key's mod revision; on ZooKeeper, a
 * multi of version checks (see clients/txn.ts). Options as `append`.
 */
export const wr: Workload = {
  name: 'wr',
  description: 'read-write register transactions (etcd txn, ZooKeeper multi), checked by Elle',
  dbs: ['etcd', 'zookeeper'],
  client: (ctx) => new TxnClient(ctx, 'w'),
  generator: (ctx) => txnGenerator(ctx.options, 'w', liveKeys(ctx)),
  final: (ctx) => txnFinalReads(liveKeys(ctx)),
  checkers: (): CheckerSpec => ({ 'rw-register': {} }),
};
