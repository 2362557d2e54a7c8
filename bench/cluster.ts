/**
 * How fast the local ensemble and the databases on it come up and fail over: the figures the
 * integration tests used to assert as wall-clock bounds (cluster up ≤ 20 s, etcd healthy
 * ≤ 20 s, ZooKeeper serving ≤ 15 s, a new leader ≤ 5 s after a kill -9, exec over a kept-open
 * connection faster than over a fresh one). On its own ensemble `fltbench` (10.102.0.128/25),
 * which it brings up and always removes. Needs root, like `cluster up`.
 *
 *     npm run bench -- cluster
 */
import {
  type Db,
  type DbContext,
  etcd,
  type HasPrimaries,
  type Killable,
  zookeeper,
} from '../src/db/index.js';
import { ensembleDown, ensembleUp, localRemote } from '../src/ensemble/index.js';

const ENSEMBLE = 'fltbench';
const SUBNET = '10.102.0.128/25';

export interface ClusterFigures {
  ensembleUpMs: number;
  /** Mean of 50 execs of `true` over the kept-open connection; of 5 over fresh connections. */
  execKeptOpenMs: number;
  execFreshConnectionMs: number;
  etcd: DbFigures;
  zookeeper: DbFigures;
}

export interface DbFigures {
  nodes: number;
  /** From setup on every node to `awaitHealthy`. */
  healthyMs: number;
  /** From the kill -9 of the leader to one new leader. */
  failoverMs: number;
}

export async function run(): Promise<ClusterFigures> {
  await ensembleDown(ENSEMBLE);
  let started = performance.now();
  await ensembleUp({ name: ENSEMBLE, nodes: 5, subnet: SUBNET });
  const ensembleUpMs = Math.round(performance.now() - started);
  const remote = await localRemote(ENSEMBLE);
  try {
    await remote.exec('n5', ['true']);
    started = performance.now();
    for (let i = 0; i < 50; i++) await remote.exec('n5', ['true']);
    const execKeptOpenMs = round1((performance.now() - started) / 50);
    let fresh = 0;
    for (let i = 0; i < 5; i++) {
      const r = await localRemote(ENSEMBLE);
      started = performance.now();
      await r.exec('n5', ['true']);
      fresh += performance.now() - started;
      await r.close();
    }
    const execFreshConnectionMs = round1(fresh / 5);
    const etcdFigures = await dbFigures(etcd, { remote, nodes: remote.nodes, options: {} });
    const zookeeperFigures = await dbFigures(zookeeper, {
      remote,
      nodes: remote.nodes.slice(0, 3),
      options: {},
    });
    return {
      ensembleUpMs,
      execKeptOpenMs,
      execFreshConnectionMs,
      etcd: etcdFigures,
      zookeeper: zookeeperFigures,
    };
  } finally {
    await remote.close().catch(() => undefined);
    await ensembleDown(ENSEMBLE);
  }
}

async function dbFigures(db: Db & Killable & HasPrimaries, ctx: DbContext): Promise<DbFigures> {
  try {
    let started = performance.now();
    await Promise.all(ctx.nodes.map((n) => db.setup(ctx, n)));
    await db.awaitHealthy(ctx, 120_000);
    const healthyMs = Math.round(performance.now() - started);
    const [leader] = await db.primaries(ctx);
    if (!leader) throw new Error(`${db.name}: no leader`);
    started = performance.now();
    await db.kill(ctx, leader);
    for (;;) {
      const primaries = await db.primaries(ctx).catch(() => []);
      if (primaries.length === 1 && primaries[0] !== leader) break;
      if (performance.now() - started > 120_000) throw new Error(`${db.name}: no new leader within 120 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const failoverMs = Math.round(performance.now() - started);
    return { nodes: ctx.nodes.length, healthyMs, failoverMs };
  } finally {
    await Promise.allSettled(ctx.nodes.map((n) => db.teardown(ctx, n)));
  }
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
