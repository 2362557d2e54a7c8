/**
 * End to end: the `ephemeral` workload on real etcd and ZooKeeper in the local ensemble
 * `fleph` (10.115.0.0/24, its own), through executePlan as `faultline run` does, under server
 * kills and partitions; members also die and are cut off by themselves. Then, on each, a run whose
 * members delete their own node while alive (a test-only client option): the checker must fire.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EphemeralResult } from '../../checkers/ephemeral.js';
import type { StatsResult } from '../../checkers/stats.js';
import { ensembleDown, ensembleUp } from '../../src/ensemble/index.js';
import { type ExecuteResult, executePlan } from '../../src/run/execute.js';
import { validatePlan } from '../../src/run/plan.js';

const ENSEMBLE = 'fleph';
const SUBNET = '10.115.0.0/24';

let resultsDir: string;

beforeAll(async () => {
  resultsDir = mkdtempSync(join(tmpdir(), 'faultline-ephemeral-'));
  await ensembleDown(ENSEMBLE);
  await ensembleUp({ name: ENSEMBLE, nodes: 3, subnet: SUBNET });
}, 120_000);

let failed = false;

afterEach((context) => {
  if (context.task.result?.state === 'fail') failed = true;
});

afterAll(async () => {
  await ensembleDown(ENSEMBLE);
  // Run folders of a failed test stay, for a look at the history, the logs and the evidence.
  if (failed) console.info(`run folders kept in ${resultsDir}`);
  else rmSync(resultsDir, { recursive: true, force: true });
}, 120_000);

async function runPlan(plan: Record<string, unknown>): Promise<ExecuteResult> {
  return executePlan(
    validatePlan({
      workload: 'ephemeral',
      quiet: 2,
      concurrency: 6,
      rate: 0,
      opTimeout: 5,
      seed: 7,
      ...plan,
    }),
    { nodeFlags: { ensemble: ENSEMBLE }, resultsDir, progress: false, out: () => undefined },
  );
}

function ephemeralResult(r: ExecuteResult): EphemeralResult {
  const results = (r.result as { results?: Record<string, EphemeralResult> }).results;
  const e = results?.ephemeral;
  expect(e, `ephemeral in ${JSON.stringify(r.result).slice(0, 300)}`).toBeDefined();
  // The figures of the run, for the record.
  const { memberTimelines: _t, breaches: _b, ...figures } = e!;
  console.info(`${r.dir}: ${JSON.stringify({ ...figures, nemesisOps: r.stats.nemesisOps })}`);
  return e!;
}

/** What a run is told, so a failing assertion shows the breaches and the run folder. */
function about(r: ExecuteResult, e: EphemeralResult): string {
  return `${r.dir}: ${JSON.stringify(e.breaches.slice(0, 3))}`;
}

/** Each checker's verdict and reason, and the stats checker's counts, for a failing assertion. */
function verdicts(r: ExecuteResult): string {
  const results =
    (r.result as { results?: Record<string, { valid: unknown; reason?: string }> }).results ?? {};
  const each = Object.entries(results).map(
    ([name, c]) => `${name}: ${c.valid}${c.reason ? ` (${c.reason})` : ''}`,
  );
  return `${r.dir}: ${each.join('; ')}; ${JSON.stringify(statsOf(r).byF)}`;
}

function statsOf(r: ExecuteResult): StatsResult {
  const s = (r.result as { results?: Record<string, StatsResult> }).results?.stats;
  expect(s, `stats in ${JSON.stringify(r.result).slice(0, 300)}`).toBeDefined();
  return s!;
}

describe.sequential('ephemeral nodes and leases, end to end', () => {
  for (const db of ['etcd', 'zookeeper'] as const) {
    it(`${db}: members' nodes live as long as their sessions, under kills and partitions`, async () => {
      const r = await runPlan({
        db,
        nemesis: ['partition', 'kill'],
        nemesisOptions: { interval: 5 },
        timeLimit: 25,
      });
      expect(r.error).toBeUndefined();
      const e = ephemeralResult(r);
      const byF = statsOf(r).byF;
      console.info(
        `${db}: ${r.result.valid}, exit ${r.exitCode}, ${r.stats.durationS} s; ok: ${e.registeredCount} of ${
          byF.register?.invoke
        } registrations, ${byF.heartbeat?.ok} of ${byF.heartbeat?.invoke} heartbeats, ${e.listCount} of ${byF.list?.invoke} lists`,
      );
      expect(r.stats.nemesisOps).toBeGreaterThan(0);
      // Every member thread registers and heart-beats in the first interval, before any fault;
      // a kill of every node may then hold them down to the end of the run.
      expect(e.registeredCount, about(r, e)).toBeGreaterThanOrEqual(4);
      expect(byF.heartbeat?.ok).toBeGreaterThanOrEqual(4);
      expect(e.listCount).toBeGreaterThan(20);
      // Members died or were cut off, and a later list judged each of them.
      expect(e.deaths).toBeGreaterThan(0);
      expect(e.unverifiedDeaths).toBe(0);
      expect(e.valid, about(r, e)).toBe(true);
      // Every checker of the run (also stats, crash and log-patterns) finds it valid.
      expect(r.result.valid, verdicts(r)).toBe(true);
      expect(r.exitCode).toBe(0);
    }, 240_000);
  }

  it.each(['etcd', 'zookeeper'] as const)(
    '%s: a member deleting its own node while its session is alive makes the run invalid',
    async (db) => {
      const r = await runPlan({
        db,
        timeLimit: 10,
        workloadOptions: { testOnlyDeleteOwnNode: true },
      });
      const e = ephemeralResult(r);
      expect(e.valid, about(r, e)).toBe(false);
      expect(e.breachCounts['deleted-while-alive']).toBeGreaterThan(0);
      expect(e.breaches[0]!.explanation).toMatch(/heartbeat op \d+/);
      expect(r.exitCode).toBe(1);
    },
    240_000,
  );
});
