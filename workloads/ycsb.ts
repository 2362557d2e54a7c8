import { KV_CLIENT, type KvClient } from '../src/client/kinds/kv.js';
import { count, type Options, positive } from '../src/client/options.js';
import type { Invocation } from '../src/client/types.js';
import { InputError } from '../src/errors.js';
import { type GenContext, type Generator, gen } from '../src/generator/index.js';
import { type CheckerSpec, unknownOp, type Workload } from './types.js';

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
 * Needs a {@link KvClient}.
 */
export const ycsb: Workload<KvClient> = {
  name: 'ycsb',
  description: 'YCSB-style key/value read/update mixes (A 50/50, B 95/5, C read-only) for benchmarks',
  client: KV_CLIENT,
  invoke: (client, op) => {
    if (op.f === 'read') return client.read(op.key as number);
    if (op.f === 'update') return client.update(op.key as number, op.value as string);
    return Promise.resolve(unknownOp(op));
  },
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
