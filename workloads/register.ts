import type { Completion, Invocation } from '../src/client/types.js';
import { type GenContext, type Generator, gen } from '../src/generator/index.js';
import { etcdFailure } from './clients/etcd.js';
import { count, flag, type Options, positive } from './clients/options.js';
import { EtcdSession, ZkSession } from './clients/session.js';
import { zkFailure, zkGet, zkSet, zkSyncBarrier, zkUpsert } from './clients/zookeeper.js';
import { finalReads, liveKeys } from './final-reads.js';
import type { CheckerSpec, Workload, WorkloadContext } from './types.js';

/**
 * Linearizable compare-and-set registers, one per key (`op.key`), as Jepsen's etcd and
 * ZooKeeper register tests: `read` (value null), `write v`, `cas [expected, new]`, values
 * 0..4. Checked per key by `linearizable` with model `cas-register`.
 *
 * Options: `keys` (keys in use at once, default 8), `opsPerKey` (ops on a key before a fresh
 * one replaces it, default 100), `valueSize` (bytes stored per value, padded; default 0),
 * `callTimeoutMs` (default 3000); etcd: `serializable` (member-local reads, default false);
 * ZooKeeper: `sync` (a leader round trip before each read, default true).
 *
 * etcd: `read` is a range get; `write` a put; `cas` a txn comparing the value. ZooKeeper:
 * `read` is getData; `write` setData; `cas` getData, then setData with the version read.
 */
export const register: Workload = {
  name: 'register',
  description: 'read/write/cas registers on independent keys, checked for linearizability',
  dbs: ['etcd', 'zookeeper'],
  client: (ctx) => (ctx.db === 'zookeeper' ? new ZkRegisterClient(ctx) : new EtcdRegisterClient(ctx)),
  generator: (ctx) => registerGenerator(ctx.options, liveKeys(ctx)),
  final: (ctx) => registerFinalReads(liveKeys(ctx)),
  checkers: (): CheckerSpec => ({ linearizable: { model: 'cas-register', independent: true } }),
};

/**
 * Read, write and cas ops on a rotating window of `keys` keys, `opsPerKey` ops each; `live`
 * is kept equal to the keys in the window.
 */
export function registerGenerator(options: Options, live: number[] = []): Generator {
  const keys = positive(options, 'keys', 8);
  const opsPerKey = positive(options, 'opsPerKey', 100);
  const slots = Array.from({ length: keys }, (_, i) => ({ key: i, ops: 0 }));
  live.splice(0, live.length, ...slots.map((s) => s.key));
  let nextKey = keys;
  return gen((ctx: GenContext): Invocation => {
    const i = Math.floor(ctx.random() * slots.length);
    const slot = slots[i]!;
    const key = slot.key;
    if (++slot.ops >= opsPerKey) {
      slot.key = nextKey++;
      slot.ops = 0;
      live[i] = slot.key;
    }
    const r = ctx.random();
    const v = (): number => Math.floor(ctx.random() * 5);
    if (r < 1 / 3) return { f: 'read', value: null, key };
    if (r < 2 / 3) return { f: 'write', value: v(), key };
    return { f: 'cas', value: [v(), v()], key };
  });
}

/** After the heal: the threads read the live keys in turn, each until one read answers `ok`. */
export function registerFinalReads(live: readonly number[]): Generator {
  let next = 0;
  return finalReads(() => ({ f: 'read', value: null, key: live[next++ % live.length] }));
}

/** Encodes a register value, padded to `size` bytes so that value size is a knob. */
export function encodeValue(v: number, size: number): string {
  const s = String(v);
  return s.length >= size ? s : `${s}:${'x'.repeat(size - s.length - 1)}`;
}

/** The number an encoded value holds; null for absent or unreadable values. */
export function decodeValue(s: string | null | undefined): number | null {
  if (s === null || s === undefined || s === '') return null;
  const n = Number(s.split(':')[0]);
  return Number.isInteger(n) ? n : null;
}

class EtcdRegisterClient extends EtcdSession {
  private readonly serializable: boolean;
  private readonly valueSize: number;

  constructor(ctx: WorkloadContext) {
    super(ctx);
    this.serializable = flag(ctx.options, 'serializable', false);
    this.valueSize = count(ctx.options, 'valueSize', 0);
  }

  async invoke(op: Invocation): Promise<Completion> {
    const etcd = this.etcd!;
    const key = `register/${String(op.key)}`;
    try {
      switch (op.f) {
        case 'read': {
          const value = await etcd.get(key).serializable(this.serializable).string();
          return { type: 'ok', value: decodeValue(value) };
        }
        case 'write':
          await etcd.put(key).value(encodeValue(op.value as number, this.valueSize));
          return { type: 'ok' };
        case 'cas': {
          const [expected, next] = op.value as [number, number];
          const r = await etcd
            .if(key, 'Value', '==', encodeValue(expected, this.valueSize))
            .then(etcd.put(key).value(encodeValue(next, this.valueSize)))
            .commit();
          return r.succeeded ? { type: 'ok' } : { type: 'fail', error: 'compare failed' };
        }
      }
      return { type: 'fail', error: `unknown op ${op.f}` };
    } catch (err) {
      return etcdFailure(err, op.f === 'read');
    }
  }
}

const ZK_ROOT = '/faultline-register';

class ZkRegisterClient extends ZkSession {
  private readonly sync: boolean;
  private readonly valueSize: number;

  constructor(ctx: WorkloadContext) {
    super(ctx, ZK_ROOT);
    this.sync = flag(ctx.options, 'sync', true);
    this.valueSize = count(ctx.options, 'valueSize', 0);
  }

  async invoke(op: Invocation): Promise<Completion> {
    const zk = this.zk!;
    const path = `${ZK_ROOT}/${String(op.key)}`;
    const t = this.timeoutMs;
    const data = (v: number): Buffer => Buffer.from(encodeValue(v, this.valueSize));
    try {
      switch (op.f) {
        case 'read': {
          if (this.sync) await zkSyncBarrier(zk, `${ZK_ROOT}/sync`, t);
          const got = await zkGet(zk, path, t);
          return { type: 'ok', value: got ? decodeValue(got.data.toString()) : null };
        }
        case 'write':
          // The first write of a key creates it.
          await zkUpsert(zk, path, data(op.value as number), t);
          return { type: 'ok' };
        case 'cas': {
          const [expected, next] = op.value as [number, number];
          const got = await zkGet(zk, path, t);
          if (!got || decodeValue(got.data.toString()) !== expected) {
            return { type: 'fail', error: 'value differs' };
          }
          await zkSet(zk, path, data(next), got.stat.version, t);
          return { type: 'ok' };
        }
      }
      return { type: 'fail', error: `unknown op ${op.f}` };
    } catch (err) {
      return zkFailure(err, op.f === 'read');
    }
  }
}
