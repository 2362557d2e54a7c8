/**
 * faultline's overhead against etcd: the same writes at the same concurrency, once as a bare
 * `etcd3` loop and once through the runner (register workload client, history streamed to
 * disk), alternated in one run on a 3-node etcd in its own local ensemble `flbench`
 * (10.81.0.0/24), which it brings up and always tears down. Needs root, like `cluster up`.
 * `node dist/bench/etcd-overhead.js` (after `npx tsc -p .`); BENCH_SECONDS sets each leg.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DBS, etcd } from '../src/db/index.js';
import type { DbContext } from '../src/db/types.js';
import { ensembleDown, ensembleUp, localRemote } from '../src/ensemble/index.js';
import { gen } from '../src/generator/index.js';
import { JsonlWriter } from '../src/history/codecs/index.js';
import { runTest } from '../src/run/runner.js';
import { bindClients } from '../workloads/bind.js';
import { register } from '../workloads/register.js';
import type { WorkloadContext } from '../workloads/types.js';
import { etcdPutLoop, type PutOf } from './support/etcd-puts.js';

const ENSEMBLE = 'flbench';
const SUBNET = '10.81.0.0/24';
/** The register workload's writes (values 0-4 on 8 keys) as plain etcd3 puts. */
const BARE_PUT: PutOf = (worker, n) => ({ key: `register/${worker % 8}`, value: String(n % 5) });

export interface EtcdOverheadFigures {
  nodes: number;
  concurrency: number;
  secondsPerLeg: number;
  /** Ok writes per second of each leg, in the order run. */
  bareOpsPerSecond: number[];
  faultlineOpsPerSecond: number[];
  /** Mean faultline throughput over mean bare throughput (the target is >= 0.9). */
  ratio: number;
}

export async function run(
  seconds = Number(process.env.BENCH_SECONDS ?? 10),
  concurrency = 20,
  nodeCount = 3,
): Promise<EtcdOverheadFigures> {
  const db = DBS.get('etcd');
  await ensembleDown(ENSEMBLE);
  await ensembleUp({ name: ENSEMBLE, nodes: nodeCount, subnet: SUBNET });
  const remote = await localRemote(ENSEMBLE);
  const ctx: DbContext = { remote, nodes: remote.nodes, options: {} };
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-etcd-'));
  try {
    await Promise.all(ctx.nodes.map((n) => db.setup(ctx, n)));
    await db.awaitHealthy(ctx, 120_000);
    const endpoints = ctx.nodes.map((n) => db.endpoint(ctx, n));
    const bare: number[] = [];
    const faultline: number[] = [];
    // Warm up (connections, etcd's first compactions), then alternate legs.
    await etcdPutLoop(endpoints, concurrency, 2, BARE_PUT);
    for (let round = 0; round < 2; round++) {
      bare.push(await etcdPutLoop(endpoints, concurrency, seconds, BARE_PUT));
      faultline.push(
        await runnerLoop(ctx.nodes, (n) => db.endpoint(ctx, n), concurrency, seconds, dir, round),
      );
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    return {
      nodes: nodeCount,
      concurrency,
      secondsPerLeg: seconds,
      bareOpsPerSecond: bare.map(Math.round),
      faultlineOpsPerSecond: faultline.map(Math.round),
      ratio: Math.round((mean(faultline) / mean(bare)) * 1000) / 1000,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await Promise.allSettled(ctx.nodes.map((n) => db.teardown(ctx, n)));
    await remote.close().catch(() => undefined);
    await ensembleDown(ENSEMBLE);
  }
}

/** The runner with the register workload's client doing the same writes, unthrottled. */
async function runnerLoop(
  nodes: readonly string[],
  endpoint: (node: string) => string,
  concurrency: number,
  seconds: number,
  dir: string,
  round: number,
): Promise<number> {
  const wctx: WorkloadContext = { options: {}, dbOptions: {}, concurrency, nodes, endpoint };
  const writer = JsonlWriter.open(join(dir, `history-${round}.jsonl`));
  let v = 0;
  const outcome = await runTest({
    concurrency,
    nodes,
    seed: round + 1,
    timeLimitS: seconds,
    opTimeoutMs: 5000,
    quietS: 0,
    finalTimeLimitS: 1,
    newClient: bindClients(register, etcd, wctx),
    generator: gen(() => ({ f: 'write', value: v++ % 5, key: v % 8 })),
    history: writer,
    log: () => undefined,
  });
  writer.close();
  let ok = 0;
  let first = Number.POSITIVE_INFINITY;
  let last = 0;
  for (const o of outcome.ops) {
    if (o.process === 'nemesis') continue;
    if (o.type === 'invoke') first = Math.min(first, o.time);
    if (o.type === 'ok') {
      ok++;
      last = Math.max(last, o.time);
    }
  }
  return ok / ((last - first) / 1e9);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await run(), null, 2));
}
