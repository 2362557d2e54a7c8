/**
 * etcd's write throughput with its data dir on lossyfs against a plain directory, in one run
 * on a 3-node etcd in its own local ensemble `flpowb` (10.110.0.128/25), which it brings up
 * and always tears down. The legs alternate (plain, lossyfs honest, lossyfs with fsync lies),
 * each on a fresh cluster, so that a drift of the machine hits all of them alike. Needs root.
 * `npm run bench -- lossyfs`; BENCH_SECONDS sets each leg (default 10), BENCH_ROUNDS the
 * rounds (default 2).
 */
import { fileURLToPath } from 'node:url';
import { etcd } from '../src/db/index.js';
import type { DbContext } from '../src/db/types.js';
import { ensembleDown, ensembleUp, localRemote } from '../src/ensemble/index.js';
import { etcdPutLoop, type PutOf } from './support/etcd-puts.js';

const ENSEMBLE = 'flpowb';
const SUBNET = '10.110.0.128/25';

const LEGS = {
  plain: {},
  lossyfs: { lossyDataDir: true },
  lossyfsFsyncLies: { lossyDataDir: { fsync: 'lies' } },
} as const;

type Leg = keyof typeof LEGS;

/** What each worker puts: 8 keys, each value new. */
const PUT: PutOf = (worker, n) => ({ key: `bench/${worker % 8}`, value: String(n) });

export interface LossyfsFigures {
  nodes: number;
  concurrency: number;
  secondsPerLeg: number;
  /** Ok puts per second of each leg, per round. */
  plainOpsPerSecond: number[];
  lossyfsOpsPerSecond: number[];
  lossyfsFsyncLiesOpsPerSecond: number[];
  /** Mean lossyfs (honest fsync) throughput over mean plain throughput. */
  lossyfsRatio: number;
}

export async function run(
  seconds = Number(process.env.BENCH_SECONDS ?? 10),
  rounds = Number(process.env.BENCH_ROUNDS ?? 2),
  concurrency = 20,
  nodeCount = 3,
): Promise<LossyfsFigures> {
  await ensembleDown(ENSEMBLE);
  await ensembleUp({ name: ENSEMBLE, nodes: nodeCount, subnet: SUBNET });
  const remote = await localRemote(ENSEMBLE);
  const figures: Record<Leg, number[]> = { plain: [], lossyfs: [], lossyfsFsyncLies: [] };
  let ctx: DbContext = { remote, nodes: remote.nodes, options: {} };
  try {
    for (let round = 0; round < rounds; round++) {
      for (const leg of Object.keys(LEGS) as Leg[]) {
        ctx = { remote, nodes: remote.nodes, options: { ...LEGS[leg] } };
        await Promise.all(ctx.nodes.map((n) => etcd.setup(ctx, n)));
        await etcd.awaitHealthy(ctx, 120_000);
        const endpoints = ctx.nodes.map((n) => etcd.endpoint(ctx, n));
        await etcdPutLoop(endpoints, concurrency, 2, PUT); // warm up
        figures[leg].push(Math.round(await etcdPutLoop(endpoints, concurrency, seconds, PUT)));
        await Promise.all(ctx.nodes.map((n) => etcd.teardown(ctx, n)));
      }
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    return {
      nodes: nodeCount,
      concurrency,
      secondsPerLeg: seconds,
      plainOpsPerSecond: figures.plain,
      lossyfsOpsPerSecond: figures.lossyfs,
      lossyfsFsyncLiesOpsPerSecond: figures.lossyfsFsyncLies,
      lossyfsRatio: Math.round((mean(figures.lossyfs) / mean(figures.plain)) * 1000) / 1000,
    };
  } finally {
    await Promise.allSettled(ctx.nodes.map((n) => etcd.teardown(ctx, n)));
    await remote.close().catch(() => undefined);
    await ensembleDown(ENSEMBLE);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await run(), null, 2));
}
