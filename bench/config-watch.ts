/**
 * Configuration management under faults: plans/zookeeper-config-watch.yaml (one config key
 * every client watches, partitions and kills) on ZooKeeper and on etcd, on its own local
 * ensemble `flcrdb` (10.114.1.0/24), which it brings up and always removes. The figures are
 * the watchers' lag to the last written value after the last fault, and the verdicts. Needs
 * root, like `cluster up`. BENCH_SECONDS sets each run's time limit (default: the plan's 60 s).
 *
 *     npm run bench -- config-watch
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensembleDown, ensembleUp } from '../src/ensemble/index.js';
import { executePlan } from '../src/run/execute.js';
import { loadPlanFile } from '../src/run/plan.js';

const ENSEMBLE = 'flcrdb';
const SUBNET = '10.114.1.0/24';
const PLAN = fileURLToPath(new URL('../../plans/zookeeper-config-watch.yaml', import.meta.url));

export interface ConfigWatchFigures {
  /** Per db: the verdict, watchers, observations, and the longest and median lag after the last fault. */
  [db: string]: {
    valid: unknown;
    watchers: number;
    observations: number;
    maxLagMs: number | null;
    medianLagMs: number | null;
  };
}

export async function run(): Promise<ConfigWatchFigures> {
  const seconds = process.env.BENCH_SECONDS ? Number(process.env.BENCH_SECONDS) : undefined;
  const resultsDir = mkdtempSync(join(tmpdir(), 'faultline-bench-config-'));
  const figures: ConfigWatchFigures = {};
  await ensembleDown(ENSEMBLE);
  try {
    await ensembleUp({ name: ENSEMBLE, nodes: 5, subnet: SUBNET });
    for (const db of ['zookeeper', 'etcd']) {
      const plan = await loadPlanFile(PLAN, { db, ...(seconds ? { timeLimit: seconds } : {}) });
      const r = await executePlan(plan, {
        nodeFlags: { ensemble: ENSEMBLE },
        resultsDir,
        progress: false,
        out: () => undefined,
      });
      const results = (r.result as { results?: Record<string, Record<string, unknown>> }).results ?? {};
      const watch = results.watch ?? {};
      const lags = ((watch.lags as { lagMs: number | null }[] | undefined) ?? [])
        .map((l) => l.lagMs)
        .filter((l): l is number => l !== null)
        .sort((a, b) => a - b);
      figures[db] = {
        valid: r.result.valid,
        watchers: Number(watch.watcherCount ?? 0),
        observations: Number(watch.observationCount ?? 0),
        maxLagMs: lags.length ? lags[lags.length - 1]! : null,
        medianLagMs: lags.length ? lags[Math.floor(lags.length / 2)]! : null,
      };
    }
  } finally {
    await ensembleDown(ENSEMBLE);
    rmSync(resultsDir, { recursive: true, force: true });
  }
  return figures;
}
