/**
 * End to end: register and set workloads on etcd and ZooKeeper while the membership nemesis
 * grows and shrinks the cluster (3 of 5 nodes to begin with, one change at a time, a majority
 * stays) in the local ensemble `flmem` (10.111.0.0/24, shared with db-members.test.ts: files
 * run one at a time). Each run makes at least 10 membership changes in a 30 s main phase (the
 * nemesis starts the next change about 0.1 s after the last one ended) and stays valid.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensembleDown, ensembleUp } from '../../src/ensemble/index.js';
import type { Op } from '../../src/history/op.js';
import { type ExecuteResult, executePlan } from '../../src/run/execute.js';
import { validatePlan } from '../../src/run/plan.js';
import { RUN_FILES } from '../../src/run/store.js';

const ENSEMBLE = 'flmem';
const SUBNET = '10.111.0.0/24';

let resultsDir: string;

beforeAll(async () => {
  resultsDir = mkdtempSync(join(tmpdir(), 'faultline-membership-'));
  await ensembleDown(ENSEMBLE);
  await ensembleUp({ name: ENSEMBLE, nodes: 5, subnet: SUBNET });
}, 180_000);

let failed = false;

afterEach((context) => {
  if (context.task.result?.state === 'fail') failed = true;
});

afterAll(async () => {
  await ensembleDown(ENSEMBLE);
  // Run folders of a failed test stay, for a look at the history and the checkers' evidence.
  if (failed) report(`run folders kept in ${resultsDir}`);
  else rmSync(resultsDir, { recursive: true, force: true });
}, 180_000);

const report = (line: string) => console.log(`[e2e-membership] ${line}`);

async function runPlan(plan: Record<string, unknown>): Promise<ExecuteResult> {
  return executePlan(
    validatePlan({
      quiet: 2,
      concurrency: 10,
      rate: 50,
      opTimeout: 5,
      finalTimeLimit: 15,
      seed: 15,
      nemesis: ['membership'],
      nemesisOptions: { interval: 0.1 },
      ...plan,
    }),
    { nodeFlags: { ensemble: ENSEMBLE }, resultsDir, progress: false, out: () => undefined },
  );
}

interface MembershipValue {
  outcome?: string;
  added?: string[];
  removed?: string[];
  members?: string[] | null;
}

/** The membership ops of a run (completions), and how many nodes they added or removed with outcome ok. */
function membershipChanges(result: ExecuteResult): { ops: Op[]; changes: number; outcomes: string[] } {
  const lines = readFileSync(join(result.dir, RUN_FILES.historyJsonl), 'utf8').trim().split('\n');
  const ops = lines
    .map((l) => JSON.parse(l) as Op)
    .filter(
      (op) =>
        op.process === 'nemesis' &&
        op.type === 'info' &&
        ['grow', 'shrink', 'restore-membership'].includes(op.f),
    );
  let changes = 0;
  const outcomes: string[] = [];
  for (const op of ops) {
    const v = (op.value ?? {}) as MembershipValue;
    outcomes.push(`${op.f}:${v.outcome}`);
    if (v.outcome === 'ok') changes += (v.added?.length ?? 0) + (v.removed?.length ?? 0);
  }
  return { ops, changes, outcomes };
}

describe.sequential('workloads stay valid through membership changes', () => {
  for (const db of ['etcd', 'zookeeper']) {
    for (const workload of ['register', 'set']) {
      it(`${db} ${workload}: ≥ 10 membership changes, valid`, async () => {
        // Idle, a change takes about 1-2 s on either db; etcd refuses one until every member
        // has been connected for 5 s (its strict reconfig check), so a change right after a
        // member joined waits. On a loaded machine JVM starts (ZooKeeper) and SSH calls slow down.
        const started = performance.now();
        const r = await runPlan({ db, workload, timeLimit: 30, dbOptions: { members: 3 } });
        const wallS = Math.round((performance.now() - started) / 1000);
        const { ops, changes, outcomes } = membershipChanges(r);
        const results = (r.result as { results?: Record<string, { valid: unknown; expectedCount?: number }> })
          .results;
        const verdicts = Object.entries(results ?? {}).map(([name, c]) => `${name}=${String(c.valid)}`);
        const expectedLines = results?.['log-patterns']?.expectedCount ?? 0;
        report(
          `${db} ${workload} (seed 15, 30 s main phase, ${wallS} s in all): ${changes} changes in ` +
            `${ops.length} ops (${outcomes.join(' ')}); ok ops ${r.stats.ok}; verdict ` +
            `${String(r.result.valid)} (${verdicts.join(', ')}); expected log lines ${expectedLines}; ${r.dir}`,
        );
        expect(r.error).toBeUndefined();
        expect(changes).toBeGreaterThanOrEqual(10);
        // The last op restores the membership the run began with.
        const last = ops.at(-1)!.value as MembershipValue;
        expect(last).toMatchObject({ outcome: 'ok', members: ['n1', 'n2', 'n3'] });
        expect(r.stats.ok).toBeGreaterThan(100);
        expect(r.result.valid).toBe(true);
        expect(r.exitCode).toBe(0);
      });
    }
  }
});
