/**
 * End to end: the coordination workloads `watch` and `sequence` on real etcd and ZooKeeper in
 * the local ensemble `flcrd` (10.114.0.0/24, its own), through executePlan as `faultline run`
 * does, under partitions and kills: valid on healthy systems. And each checker fires on a real
 * run when a test-only option makes the client lie once (a watcher drops one event; a sequence
 * client reports a number twice). Short runs (8-15 s of workload each).
 */
import { describe, expect, it } from 'vitest';
import type { ExecuteResult } from '../../src/run/execute.js';
import { checkerResult, e2eEnsemble } from '../support/e2e.js';

const runPlan = e2eEnsemble({
  name: 'flcrd',
  subnet: '10.114.0.0/24',
  resultsPrefix: 'faultline-coord-',
  planDefaults: { quiet: 2, concurrency: 10, rate: 50, opTimeout: 8, seed: 42, finalTimeLimit: 30 },
});

/** The figures of a run, for the closing note: one line on stdout. */
function summarise(label: string, r: ExecuteResult, fields: Record<string, unknown>): void {
  console.info(
    `${label}: valid=${String(r.result.valid)} ops ok=${r.stats.ok} nemesis=${r.stats.nemesisOps} ${JSON.stringify(fields)}`,
  );
}

const FAULTS = { nemesis: ['partition', 'kill'], nemesisOptions: { interval: 4 } };

describe.sequential('watch and sequence on etcd and ZooKeeper, end to end', () => {
  for (const db of ['etcd', 'zookeeper']) {
    it(`${db} watch under partitions and kills: watchers see every change and converge`, async () => {
      const r = await runPlan({ db, workload: 'watch', timeLimit: 15, ...FAULTS });
      const watch = checkerResult(r, 'watch');
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
      const sequence = checkerResult(r, 'sequence');
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

  /** Runs in which a test-only option makes the client lie once, and what the checker must say. */
  const lies = [
    {
      title: 'etcd watch: a watcher that drops one event makes the run invalid, naming the missed version',
      plan: { db: 'etcd', workload: 'watch', workloadOptions: { testDropOneEvent: true } },
      checker: 'watch',
      evidence: { anomalyTypes: { missed: 1 } },
      exitCode: 1,
    },
    {
      title: 'ZooKeeper watch: a watcher that drops one notification makes the run invalid',
      plan: { db: 'zookeeper', workload: 'watch', workloadOptions: { testDropOneEvent: true } },
      checker: 'watch',
      evidence: { anomalyTypes: { missed: 1 } },
    },
    {
      title: 'ZooKeeper sequence: a client that reports a number twice makes the run invalid',
      plan: { db: 'zookeeper', workload: 'sequence', workloadOptions: { testDuplicateOnce: true } },
      checker: 'sequence',
      evidence: { duplicatedCount: 1 },
      exitCode: 1,
    },
  ];
  for (const lie of lies) {
    it(lie.title, async () => {
      const r = await runPlan({ ...lie.plan, timeLimit: 8 });
      const result = checkerResult(r, lie.checker);
      expect(result.valid).toBe(false);
      for (const [field, value] of Object.entries(lie.evidence)) expect(result[field], field).toEqual(value);
      if (lie.exitCode !== undefined) expect(r.exitCode).toBe(lie.exitCode);
    }, 240_000);
  }
});
