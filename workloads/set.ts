import zookeeper from 'node-zookeeper-client';
import type { Completion, Invocation } from '../src/client/types.js';
import { type Generator, gen, mix } from '../src/generator/index.js';
import { etcdFailure } from './clients/etcd.js';
import { flag } from './clients/options.js';
import { EtcdSession, ZkSession } from './clients/session.js';
import { zkChildren, zkCreate, zkFailure } from './clients/zookeeper.js';
import { finalReads } from './final-reads.js';
import type { CheckerSpec, Workload, WorkloadContext } from './types.js';

/**
 * A grow-only set, one key (etcd) or znode (ZooKeeper) per element: `add v` of unique
 * integers during the run, then every thread reads the whole set after healing (until a read
 * answers ok); the `set` checker looks for acknowledged adds missing from the final read
 * (lost commits).
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
  final: () => finalReads(() => READ),
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

class EtcdSetClient extends EtcdSession {
  private readonly serializable: boolean;

  constructor(ctx: WorkloadContext) {
    super(ctx);
    this.serializable = flag(ctx.options, 'serializable', false);
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
}

const ZK_ROOT = '/faultline-set';

class ZkSetClient extends ZkSession {
  constructor(ctx: WorkloadContext) {
    super(ctx, ZK_ROOT);
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
}

/** Element names back to the integers that were added, sorted. */
function elements(names: readonly string[]): number[] {
  return names
    .map(Number)
    .filter(Number.isInteger)
    .sort((a, b) => a - b);
}
