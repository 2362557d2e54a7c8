import type { Completion, Invocation } from '../src/client/types.js';
import { InputError } from '../src/errors.js';
import { type GenContext, type Generator, gen } from '../src/generator/index.js';
import { etcdFailure } from './clients/etcd.js';
import { count, flag, type Options, positive } from './clients/options.js';
import { EtcdSession, ZkSession } from './clients/session.js';
import { zkFailure, zkGet, zkUpsert } from './clients/zookeeper.js';
import type { CheckerSpec, Workload, WorkloadContext } from './types.js';

/** Read shares of the YCSB core mixes this workload knows: A (update heavy), B (read mostly), C (read only). */
export const YCSB_MIXES: Readonly<Record<string, number>> = { a: 0.5, b: 0.95, c: 1 };

/**
 * A YCSB-style key/value benchmark workload: `read` and `update` of `records` keys picked
 * uniformly or by a Zipf law, in a mix of reads and updates. It is for measuring (throughput,
 * latency, availability), so it asks no correctness checker; a registered `perf` checker runs.
 *
 * Options: `mix` (`a` 50/50, `b` 95/5, `c` read-only; default `a`), `readProportion` (overrides
 * the mix), `records` (default 1000), `valueSize` (bytes, default 100), `distribution`
 * (`uniform` or `zipfian`, default `zipfian` as YCSB), `callTimeoutMs` (default 3000); etcd:
 * `serializable` (member-local reads, default false); ZooKeeper reads are member-local.
 */
export const ycsb: Workload = {
  name: 'ycsb',
  description: 'YCSB-style key/value read/update mixes (A 50/50, B 95/5, C read-only) for benchmarks',
  dbs: ['etcd', 'zookeeper'],
  client: (ctx) => (ctx.db === 'zookeeper' ? new ZkKvClient(ctx) : new EtcdKvClient(ctx)),
  generator: (ctx) => ycsbGenerator(ctx.options),
  checkers: (): CheckerSpec => ({}),
};

/** The share of reads the options ask for. */
export function readProportion(options: Options): number {
  if (options.readProportion !== undefined) {
    const r = options.readProportion;
    if (typeof r !== 'number' || r < 0 || r > 1) {
      throw new InputError(`expected a number from 0 to 1, got ${JSON.stringify(r)}`, {
        field: 'workloadOptions.readProportion',
      });
    }
    return r;
  }
  const mix = String(options.mix ?? 'a').toLowerCase();
  const share = YCSB_MIXES[mix];
  if (share === undefined) {
    throw new InputError(`unknown mix ${JSON.stringify(options.mix)} (known: a, b, c)`, {
      field: 'workloadOptions.mix',
    });
  }
  return share;
}

/** Reads and updates of keys 0..records-1, in the options' mix and key distribution. */
export function ycsbGenerator(options: Options): Generator {
  const reads = readProportion(options);
  const records = Math.round(positive(options, 'records', 1000));
  const valueSize = count(options, 'valueSize', 100);
  const distribution = options.distribution ?? 'zipfian';
  if (distribution !== 'uniform' && distribution !== 'zipfian') {
    throw new InputError('expected uniform or zipfian', { field: 'workloadOptions.distribution' });
  }
  const pick = distribution === 'uniform' ? (u: number) => Math.floor(u * records) : zipf(records, 0.99);
  let version = 0;
  return gen((ctx: GenContext): Invocation => {
    const key = pick(ctx.random());
    if (ctx.random() < reads) return { f: 'read', value: null, key };
    return { f: 'update', value: paddedValue(version++, valueSize), key };
  });
}

/** Key picker by a Zipf law with exponent `s` over `n` keys (inverse CDF, binary search). */
function zipf(n: number, s: number): (u: number) => number {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) cdf[i] = sum += 1 / (i + 1) ** s;
  for (let i = 0; i < n; i++) cdf[i] = cdf[i]! / sum;
  return (u) => {
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

function paddedValue(version: number, size: number): string {
  const s = String(version);
  return s.length >= size ? s : s.padEnd(size, '.');
}

class EtcdKvClient extends EtcdSession {
  private readonly serializable: boolean;

  constructor(ctx: WorkloadContext) {
    super(ctx);
    this.serializable = flag(ctx.options, 'serializable', false);
  }

  async invoke(op: Invocation): Promise<Completion> {
    const etcd = this.etcd!;
    const key = `ycsb/${String(op.key)}`;
    try {
      if (op.f === 'read') {
        const v = await etcd.get(key).serializable(this.serializable).string();
        return { type: 'ok', value: v === null ? null : v.length };
      }
      if (op.f === 'update') {
        await etcd.put(key).value(op.value as string);
        return { type: 'ok' };
      }
      return { type: 'fail', error: `unknown op ${op.f}` };
    } catch (err) {
      return etcdFailure(err, op.f === 'read');
    }
  }
}

const ZK_ROOT = '/faultline-ycsb';

class ZkKvClient extends ZkSession {
  constructor(ctx: WorkloadContext) {
    super(ctx, ZK_ROOT);
  }

  async invoke(op: Invocation): Promise<Completion> {
    const zk = this.zk!;
    const path = `${ZK_ROOT}/${String(op.key)}`;
    const t = this.timeoutMs;
    try {
      if (op.f === 'read') {
        const got = await zkGet(zk, path, t);
        return { type: 'ok', value: got ? got.data.length : null };
      }
      if (op.f === 'update') {
        // The first update of a key creates it.
        await zkUpsert(zk, path, Buffer.from(op.value as string), t);
        return { type: 'ok' };
      }
      return { type: 'fail', error: `unknown op ${op.f}` };
    } catch (err) {
      return zkFailure(err, op.f === 'read');
    }
  }
}
