import type { Etcd3 } from 'etcd3';
import zookeeper from 'node-zookeeper-client';
import type { Client, Completion, Invocation } from '../src/client/types.js';
import { eachThread, type Generator, gen, mix } from '../src/generator/index.js';
import { connectEtcd, etcdFailure } from './clients/etcd.js';
import { flag, positive } from './clients/options.js';
import {
  closeZk,
  connectZk,
  type ZkClient,
  zkChildren,
  zkCreate,
  zkEnsure,
  zkFailure,
} from './clients/zookeeper.js';
import type { CheckerSpec, Workload, WorkloadContext } from './types.js';

/**
 * A grow-only set, one key (etcd) or znode (ZooKeeper) per element: `add v` of unique
 * integers during the run, then every process reads the whole set after healing; the `set`
 * checker looks for acknowledged adds missing from the final read (lost commits).
 *
 * Options: `reads` (also read during the run, one op in ten, and check with `set-full` too;
 * default false), `callTimeoutMs` (default 3000); etcd: `serializable` reads.
 */
export const set: Workload = {
  name: 'set',
  description: 'unique adds to a grow-only set, then final reads: lost commits',
  dbs: ['etcd', 'zookeeper'],
  client: (ctx) => (ctx.db === 'zookeeper' ? new ZkSetClient(ctx) : new EtcdSetClient(ctx)),
  generator: (ctx) => setGenerator(flag(ctx.options, 'reads', false)),
  final: () => eachThread(READ),
  checkers: (ctx): CheckerSpec =>
    flag(ctx.options, 'reads', false) ? { set: {}, 'set-full': {} } : { set: {} },
};

const READ: Invocation = { f: 'read', value: null };

/** Adds of 0, 1, 2, ...; with `reads`, one op in ten is a read of the whole set. */
export function setGenerator(reads: boolean): Generator {
  let next = 0;
  const adds = gen(() => ({ f: 'add', value: next++ }));
  if (!reads) return adds;
  return mix([...Array.from({ length: 9 }, () => adds), gen(() => READ)]);
}

const ETCD_PREFIX = 'set/';

class EtcdSetClient implements Client {
  private etcd: Etcd3 | undefined;
  private readonly serializable: boolean;
  private readonly timeoutMs: number;

  constructor(private readonly ctx: WorkloadContext) {
    this.serializable = flag(ctx.options, 'serializable', false);
    this.timeoutMs = positive(ctx.options, 'callTimeoutMs', 3000);
  }

  async open(node: string): Promise<void> {
    this.etcd = connectEtcd(this.ctx.endpoint(node), this.timeoutMs);
  }

  async invoke(op: Invocation): Promise<Completion> {
    const etcd = this.etcd!;
    try {
      if (op.f === 'add') {
        await etcd.put(`${ETCD_PREFIX}${String(op.value)}`).value('');
        return { type: 'ok' };
      }
      if (op.f === 'read') {
        const keys = await etcd.getAll().prefix(ETCD_PREFIX).serializable(this.serializable).keys();
        return { type: 'ok', value: elements(keys.map((k) => k.slice(ETCD_PREFIX.length))) };
      }
      return { type: 'fail', error: `unknown op ${op.f}` };
    } catch (err) {
      return etcdFailure(err, op.f === 'read');
    }
  }

  async close(): Promise<void> {
    this.etcd?.close();
    this.etcd = undefined;
  }
}

const ZK_ROOT = '/faultline-set';

class ZkSetClient implements Client {
  private zk: ZkClient | undefined;
  private readonly timeoutMs: number;

  constructor(private readonly ctx: WorkloadContext) {
    this.timeoutMs = positive(ctx.options, 'callTimeoutMs', 3000);
  }

  async open(node: string): Promise<void> {
    this.zk = await connectZk(this.ctx.endpoint(node), this.timeoutMs);
    try {
      await zkEnsure(this.zk, ZK_ROOT, this.timeoutMs);
    } catch (err) {
      closeZk(this.zk);
      throw err;
    }
  }

  async invoke(op: Invocation): Promise<Completion> {
    const zk = this.zk!;
    try {
      if (op.f === 'add') {
        const path = `${ZK_ROOT}/${String(op.value)}`;
        await zkCreate(zk, path, Buffer.alloc(0), zookeeper.CreateMode.PERSISTENT, this.timeoutMs);
        return { type: 'ok' };
      }
      if (op.f === 'read') {
        return { type: 'ok', value: elements(await zkChildren(zk, ZK_ROOT, this.timeoutMs)) };
      }
      return { type: 'fail', error: `unknown op ${op.f}` };
    } catch (err) {
      return zkFailure(err, op.f === 'read');
    }
  }

  async close(): Promise<void> {
    closeZk(this.zk);
    this.zk = undefined;
  }
}

/** Element names back to the integers that were added, sorted. */
function elements(names: readonly string[]): number[] {
  return names
    .map(Number)
    .filter(Number.isInteger)
    .sort((a, b) => a - b);
}
