import type { Etcd3 } from 'etcd3';
import type { Client, Completion, Invocation } from '../src/client/types.js';
import { type GenContext, type Generator, gen } from '../src/generator/index.js';
import { connectEtcd } from './clients/etcd.js';
import { flag, type Options, positive } from './clients/options.js';
import { callTimeoutMs, openZkUnder } from './clients/session.js';
import { etcdTxn, type Snapshot, type TxnPlan, zkTxn } from './clients/txn.js';
import { closeZk, type ZkClient } from './clients/zookeeper.js';
import { finalReads, liveKeys } from './final-reads.js';
import type { CheckerSpec, Workload, WorkloadContext } from './types.js';

/** A micro-op: `['r', key, null | result]`, `['append', key, v]` or `['w', key, v]`. */
export type MicroOp = [f: 'r' | 'append' | 'w', key: number, value: unknown];

/**
 * List-append transactions (Elle's): each `txn` reads whole lists and appends unique values
 * to them; one key's values are 1, 2, 3, ... Checked by `list-append`. Keys are etcd keys
 * holding a JSON list, or ZooKeeper znodes; see clients/txn.ts for how a transaction commits.
 *
 * Options: `keys` (keys in use at once, default 8), `maxTxnLength` (micro-ops, default 4),
 * `maxWritesPerKey` (appends before a key is retired, default 32), `callTimeoutMs`;
 * etcd: `serializable` (member-local reads in read-only transactions).
 */
export const append: Workload = {
  name: 'append',
  description: 'list-append transactions (etcd txn, ZooKeeper multi), checked by Elle',
  dbs: ['etcd', 'zookeeper'],
  client: (ctx) => new TxnClient(ctx, 'append'),
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

/** Applies micro-ops to a snapshot: reads see the transaction's own earlier writes. */
export function applyMicroOps(
  mops: readonly MicroOp[],
  snapshot: Snapshot,
  keyName: (key: number) => string,
): TxnPlan {
  const state = new Map<string, unknown>();
  const current = (k: string): unknown => {
    if (!state.has(k)) {
      const raw = snapshot.get(k);
      state.set(k, raw === null || raw === undefined ? null : JSON.parse(raw));
    }
    return state.get(k);
  };
  const writes = new Map<string, string>();
  const value = mops.map(([f, key, v]): MicroOp => {
    const k = keyName(key);
    if (f === 'r') {
      const now = current(k);
      return [f, key, Array.isArray(now) ? [...now] : now];
    }
    const next = f === 'append' ? [...((current(k) as unknown[] | null) ?? []), v] : v;
    state.set(k, next);
    writes.set(k, JSON.stringify(next));
    return [f, key, v];
  });
  // A list-append read of a missing key is the empty list.
  return { value, writes };
}

/** The keys a transaction touches, once each, in first-use order. */
export function keysOf(mops: readonly MicroOp[]): number[] {
  return [...new Set(mops.map((m) => m[1]))];
}

const ZK_ROOT = '/faultline-txn';

/** Runs list-append (`append`) or rw-register (`w`) transactions on etcd or ZooKeeper. */
export class TxnClient implements Client {
  private etcd: Etcd3 | undefined;
  private zk: ZkClient | undefined;
  private readonly timeoutMs: number;
  private readonly serializable: boolean;

  constructor(
    private readonly ctx: WorkloadContext,
    private readonly kind: 'append' | 'w',
  ) {
    this.timeoutMs = callTimeoutMs(ctx.options);
    this.serializable = flag(ctx.options, 'serializable', false);
  }

  async open(node: string): Promise<void> {
    if (this.ctx.db !== 'zookeeper') {
      this.etcd = connectEtcd(this.ctx.endpoint(node), this.timeoutMs);
      return;
    }
    this.zk = await openZkUnder(this.ctx.endpoint(node), ZK_ROOT, this.timeoutMs);
  }

  async invoke(op: Invocation): Promise<Completion> {
    if (op.f !== 'txn' || !Array.isArray(op.value)) return { type: 'fail', error: `unknown op ${op.f}` };
    const mops = op.value as MicroOp[];
    const name = this.zk ? (k: number) => `${ZK_ROOT}/${this.kind}-${k}` : (k: number) => `${this.kind}/${k}`;
    const compute = (snapshot: Snapshot): TxnPlan => {
      const plan = applyMicroOps(mops, snapshot, name);
      if (this.kind === 'append') {
        // Elle reads a missing list as empty.
        for (const m of plan.value as MicroOp[]) if (m[0] === 'r' && m[2] === null) m[2] = [];
      }
      return plan;
    };
    const keys = keysOf(mops).map(name);
    if (this.zk) return zkTxn(this.zk, keys, compute, this.timeoutMs);
    return etcdTxn(this.etcd!, keys, compute, this.serializable);
  }

  async close(): Promise<void> {
    this.etcd?.close();
    this.etcd = undefined;
    closeZk(this.zk);
    this.zk = undefined;
  }
}
