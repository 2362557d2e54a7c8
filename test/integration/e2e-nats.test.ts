/**
 * End to end on NATS JetStream: the register, set and queue workloads on a real 3-node
 * JetStream cluster (R3 streams and KV bucket) in the local ensemble `flnats`
 * (10.105.0.0/24, its own), through executePlan as `faultline run` does, with kills and
 * partitions. Short runs (12 s each). Throughput goes to stdout, not into assertions.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensembleDown, ensembleUp } from '../../src/ensemble/index.js';
import { type ExecuteResult, executePlan } from '../../src/run/execute.js';
import { validatePlan } from '../../src/run/plan.js';
import { NATS_ENSEMBLE, NATS_SUBNET } from '../db/nats-fixture.js';

const report = (line: string) => console.log(`[e2e-nats] ${line}`);
let resultsDir: string;

beforeAll(async () => {
  resultsDir = mkdtempSync(join(tmpdir(), 'faultline-e2e-nats-'));
  await ensembleDown(NATS_ENSEMBLE);
  await ensembleUp({ name: NATS_ENSEMBLE, nodes: 3, subnet: NATS_SUBNET });
}, 120_000);

afterAll(async () => {
  await ensembleDown(NATS_ENSEMBLE);
  rmSync(resultsDir, { recursive: true, force: true });
}, 120_000);

async function runPlan(plan: Record<string, unknown>): Promise<ExecuteResult> {
  const result = await executePlan(
    validatePlan({ db: 'nats', quiet: 2, concurrency: 10, rate: 100, opTimeout: 5, seed: 42, ...plan }),
    { nodeFlags: { ensemble: NATS_ENSEMBLE }, resultsDir, progress: false, out: () => undefined },
  );
  expect(result.error).toBeUndefined();
  const s = result.stats;
  report(
    `${String(plan.workload)} (${String(plan.nemesis)}): ${s.ok} ok, ${s.fail} fail, ${s.info} info, ` +
      `${s.okPerSecond} ok/s, ${s.nemesisOps} nemesis ops, valid ${String(result.result.valid)}; ${result.dir}`,
  );
  return result;
}

/** One checker's result inside the composed result. */
function checker(result: ExecuteResult, name: string): Record<string, unknown> {
  const results = (result.result as { results?: Record<string, Record<string, unknown>> }).results;
  const r = results?.[name];
  expect(r, `checker ${name} in ${JSON.stringify(result.result).slice(0, 300)}`).toBeDefined();
  return r!;
}

describe.sequential('workloads on NATS JetStream, end to end', () => {
  it('register on a KV bucket under partitions and kills gets a linearizability verdict', async () => {
    const r = await runPlan({
      workload: 'register',
      nemesis: ['partition', 'kill'],
      timeLimit: 12,
      nemesisOptions: { interval: 4 },
    });
    expect(r.stats.ok).toBeGreaterThan(100);
    expect(r.stats.nemesisOps).toBeGreaterThan(0);
    const lin = checker(r, 'linearizable');
    expect(lin.keys as number).toBeGreaterThan(1);
    // A decided verdict. nats-server 2.9.10 at times acknowledges a cas (an update guarded by
    // the revision read) that a concurrent acknowledged write should have failed, or answers a
    // leader read stale, even without faults (seed 42, see the closing note): reported.
    expect(lin.valid).not.toBe('unknown');
    report(`register: linearizable ${String(lin.valid)} (${String(lin.failedKeys ?? 0)} keys failed)`);
  }, 240_000);

  it('set on a stream under kills loses no acknowledged message', async () => {
    const r = await runPlan({
      workload: 'set',
      nemesis: ['kill'],
      timeLimit: 12,
      nemesisOptions: { interval: 4 },
    });
    const set = checker(r, 'set');
    expect(set.acknowledgedCount as number).toBeGreaterThan(100);
    expect(set.lostCount).toBe(0);
    expect(r.result.valid).toBe(true);
  }, 240_000);

  it('queue without faults: every acknowledged enqueue comes out once and the drains see it empty', async () => {
    const r = await runPlan({ workload: 'queue', nemesis: [], timeLimit: 8, opTimeout: 30 });
    const q = checker(r, 'queue');
    expect(q.acknowledgedCount as number).toBeGreaterThan(100);
    expect(q.lostCount).toBe(0);
    expect(q.duplicatedCount).toBe(0);
    expect(q.lastSeenEmpty).not.toBeNull();
    expect(r.result.valid).toBe(true);
  }, 240_000);

  it('queue under partitions and kills: a verdict, with lost and duplicated elements reported', async () => {
    const r = await runPlan({
      workload: 'queue',
      nemesis: ['partition', 'kill'],
      timeLimit: 12,
      opTimeout: 30,
      nemesisOptions: { interval: 4 },
    });
    const q = checker(r, 'queue');
    expect(q.acknowledgedCount as number).toBeGreaterThan(50);
    expect(q.unexpectedCount).toBe(0);
    // NATS 2.9.10 redelivered an element whose ack it had confirmed (seed 42, see the closing
    // note): a finding, reported here rather than asserted away or asserted absent.
    report(
      `queue after faults: valid ${String(r.result.valid)}, ${q.lostCount} lost (${q.confirmedLostCount} confirmed), ` +
        `${q.duplicatedCount} duplicated ${JSON.stringify(q.duplicated)}`,
    );
  }, 240_000);

  it('register and set without faults (throughput figures)', async () => {
    const register = await runPlan({ workload: 'register', nemesis: [], timeLimit: 8, rate: 1000 });
    expect(checker(register, 'linearizable').valid).not.toBe('unknown');
    const set = await runPlan({ workload: 'set', nemesis: [], timeLimit: 8, rate: 1000 });
    expect(set.result.valid).toBe(true);
  }, 240_000);

  it('unique-ids from stream sequences under kills hands out no id twice', async () => {
    const r = await runPlan({
      workload: 'unique-ids',
      nemesis: ['kill'],
      timeLimit: 12,
      nemesisOptions: { interval: 4 },
    });
    const ids = checker(r, 'unique-ids');
    expect(ids.acknowledgedCount as number).toBeGreaterThan(100);
    expect(ids.duplicatedCount).toBe(0);
    expect(r.result.valid).toBe(true);
  }, 240_000);

  it('a workload NATS has no client for is refused at plan time, naming both', async () => {
    await expect(runPlan({ workload: 'append', timeLimit: 1 })).rejects.toThrow(
      /workload append has no client for db nats/,
    );
  });
});
