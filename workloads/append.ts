import { APPEND_CLIENT, type MicroOp, type TxnClient } from '../src/client/kinds/txn.js';
import { type Options, positive } from '../src/client/options.js';
import type { Completion, Invocation } from '../src/client/types.js';
import { type GenContext, type Generator, gen } from '../src/generator/index.js';
import { finalReads, liveKeys } from './final-reads.js';
import { type CheckerSpec, unknownOp, type Workload } from './types.js';

export { applyMicroOps, keysOf, type MicroOp } from '../src/client/kinds/txn.js';

/**
 * List-append transactions (Elle's): each `txn` reads whole lists and appends unique values
 * to them; one key's values are 1, 2, 3, ... Checked by `list-append`. Needs a
 * {@link TxnClient} of kind `list-append` (etcd: keys holding a JSON list, committed by a txn
 * guarded by mod revisions; ZooKeeper: znodes, committed by a multi of version checks).
 *
 * Options: `keys` (keys in use at once, default 8), `maxTxnLength` (micro-ops, default 4),
 * `maxWritesPerKey` (appends before a key is retired, default 32), `callTimeoutMs`;
 * etcd: `serializable` (member-local reads in read-only transactions).
 */
export const append: Workload<TxnClient> = {
  name: 'append',
  description: 'list-append transactions (etcd txn, ZooKeeper multi), checked by Elle',
  client: APPEND_CLIENT,
  invoke: invokeTxn,
  generator: (ctx) => txnGenerator(ctx.options, 'append', liveKeys(ctx)),
  final: (ctx) => txnFinalReads(liveKeys(ctx)),
  checkers: (): CheckerSpec => ({ 'list-append': { consistencyModels: ['strict-serializable'] } }),
};

/**
 * Transactions of 1..maxTxnLength micro-ops over a rotating window of `keys` keys: half reads,
 * half writes (`append` or `w`), each write of a key a fresh value (1, 2, ... per key).
 * `live` is kept equal to the keys in the window.
 */
export function txnGenerator(options: Options, write: 'append' | 'w', live: number[] = []): Generator {
  const keys = positive(options, 'keys', 8);
  const maxLength = positive(options, 'maxTxnLength', 4);
  const maxWrites = positive(options, 'maxWritesPerKey', 32);
  const active = live;
  active.splice(0, active.length, ...Array.from({ length: keys }, (_, i) => i));
  let nextKey = keys;
  const written = new Map<number, number>();
  return gen((ctx: GenContext): Invocation => {
    const length = 1 + Math.floor(ctx.random() * maxLength);
    const mops: MicroOp[] = [];
    for (let i = 0; i < length; i++) {
      const slot = Math.floor(ctx.random() * active.length);
      const key = active[slot]!;
      if (ctx.random() < 0.5) {
        mops.push(['r', key, null]);
        continue;
      }
      const n = (written.get(key) ?? 0) + 1;
      written.set(key, n);
      mops.push([write, key, n]);
      if (n >= maxWrites) {
        written.delete(key);
        active[slot] = nextKey++;
      }
    }
    return { f: 'txn', value: mops };
  });
}

/** After the heal: every thread reads all live keys in one transaction, until one answers `ok`. */
export function txnFinalReads(live: readonly number[]): Generator {
  return finalReads(() => ({ f: 'txn', value: live.map((k): MicroOp => ['r', k, null]) }));
}

/** Performs a `txn` op (of `append` or `wr`) with a transaction client. */
export function invokeTxn(client: TxnClient, op: Invocation): Promise<Completion> {
  if (op.f !== 'txn' || !Array.isArray(op.value)) return Promise.resolve(unknownOp(op));
  return client.txn(op.value as MicroOp[]);
}
