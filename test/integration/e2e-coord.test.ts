/**
 * End to end: the coordination workloads `watch` and `sequence` on real etcd and ZooKeeper in
 * the local ensemble `flcrd` (10.114.0.0/24, its own), through executePlan as `faultline run`
 * does, under partitions and kills: valid on healthy systems. And each checker fires on a real
 * run when a test-only option makes the client lie once (a watcher drops one event; a sequence
 * client reports a number twice). Short runs (8-15 s of workload each).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensembleDown, ensembleUp } from '../../src/ensemble/index.js';
import { type ExecuteResult, executePlan } from '../../src/run/execute.js';
import { validatePlan } from '../../src/run/plan.js';

const ENSEMBLE = 'flcrd';
const SUBNET = '10.114.0.0/24';

let resultsDir: string;

beforeAll(async () => {
  resultsDir = mkdtempSync(join(tmpdir(), 'faultline-coord-'));
  await ensembleDown(ENSEMBLE);
  await ensembleUp({ name: ENSEMBLE, nodes: 5, subnet: SUBNET });
}, 120_000);

afterAll(async () => {
  await ensembleDown(ENSEMBLE);
  rmSync(resultsDir, { recursive: true, force: true });
}, 120_000);

async function runPlan(plan: Record<string, unknown>): Promise<ExecuteResult> {
  return executePlan(
    validatePlan({
      quiet: 2,
      concurrency: 10,
      rate: 50,
      opTimeout: 8,
      seed: 42,
      finalTimeLimit: 30,
      ...plan,
    }),
    { nodeFlags: { ensemble: ENSEMBLE }, resultsDir, progress: false, out: () => undefined },
  );
}

/** The figures of a run, for the closing note: one line on stdout. */
function summarise(label: string, r: ExecuteResult, fields: Record<string, unknown>): void {
  console.info(
    `${label}: valid=${String(r.result.valid)} ops ok=${r.stats.ok} nemesis=${r.stats.nemesisOps} ${JSON.stringify(fields)}`,
  );
}

/** One checker's result inside the composed result. */
function checker(result: ExecuteResult, name: string): Record<string, unknown> {
  const results = (result.result as { results?: Record<string, Record<string, unknown>> }).results;
  const r = results?.[name];
  expect(r, `checker ${name} in ${JSON.stringify(result.result).slice(0, 600)}`).toBeDefined();
  return r!;
}

const FAULTS = { nemesis: ['partition', 'kill'], nemesisOptions: { interval: 4 } };

describe.sequential('watch and sequence on etcd and ZooKeeper, end to end', () => {
  for (const db of ['etcd', 'zookeeper']) {
    it(`${db} watch under partitions and kills: watchers see every change and converge`, async () => {
      const r = await runPlan({ db, workload: 'watch', timeLimit: 15, ...FAULTS });
      const watch = checker(r, 'watch');
      summarise(`${db} watch`, r, {
        writes: `${watch.acknowledgedWriteCount}/${watch.writeCount}`,
        watchers: watch.watcherCount,
        observations: watch.observationCount,
        anomalies: watch.anomalyTypes,
        maxLagMs: watch.maxLagMs,
      });
      expect(r.stats.nemesisOps).toBeGreaterThan(0);
      expect(watch.acknowledgedWriteCount as number).toBeGreaterThan(20);
      expect(watch.observationCount as number).toBeGreaterThan(20);
      expect(watch.lags as unknown[]).not.toHaveLength(0);
      expect(watch.anomalies).toEqual([]);
      expect(watch.valid).toBe(true);
      expect(r.exitCode).toBe(0);
    }, 240_000);

    it(`${db} sequence under partitions and kills: numbers unique and increasing`, async () => {
      const r = await runPlan({ db, workload: 'sequence', timeLimit: 12, ...FAULTS });
      const sequence = checker(r, 'sequence');
      summarise(`${db} sequence`, r, {
        acknowledged: sequence.acknowledgedCount,
        failed: sequence.failedCount,
        indefinite: sequence.indefiniteCount,
        gaps: sequence.gapCount,
      });
      expect(sequence.acknowledgedCount as number).toBeGreaterThan(50);
      expect(sequence.duplicated).toEqual([]);
      expect(sequence.outOfOrder).toEqual([]);
      expect(sequence.valid).toBe(true);
      expect(r.exitCode).toBe(0);
    }, 240_000);
  }

  it('etcd watch: a watcher that drops one event makes the run invalid, naming the missed version', async () => {
    const r = await runPlan({
      db: 'etcd',
      workload: 'watch',
      timeLimit: 8,
      workloadOptions: { testDropOneEvent: true },
    });
    const watch = checker(r, 'watch');
    expect(watch.valid).toBe(false);
    expect(watch.anomalyTypes).toEqual({ missed: 1 });
    expect(r.exitCode).toBe(1);
  }, 240_000);

  it('ZooKeeper watch: a watcher that drops one notification makes the run invalid', async () => {
    const r = await runPlan({
      db: 'zookeeper',
      workload: 'watch',
      timeLimit: 8,
      workloadOptions: { testDropOneEvent: true },
    });
    const watch = checker(r, 'watch');
    expect(watch.valid).toBe(false);
    expect(watch.anomalyTypes).toEqual({ missed: 1 });
  }, 240_000);

  it('ZooKeeper sequence: a client that reports a number twice makes the run invalid', async () => {
    const r = await runPlan({
      db: 'zookeeper',
      workload: 'sequence',
      timeLimit: 8,
      workloadOptions: { testDuplicateOnce: true },
    });
    const sequence = checker(r, 'sequence');
    expect(sequence.valid).toBe(false);
    expect(sequence.duplicatedCount).toBe(1);
    expect(r.exitCode).toBe(1);
  }, 240_000);
});
