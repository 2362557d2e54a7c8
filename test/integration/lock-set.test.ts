/**
 * Locks under client pauses, on the local ensemble `flpau` (10.112.0.0/24, its own): the
 * lock-set workload on etcd while the client holding the lock is stopped (SIGSTOP, each client
 * in a process of its own) for longer than its lease. Unfenced, the paused holder writes over
 * what the next holder added: lost elements (positive control); without the pauses the same
 * plan loses nothing; fenced on the lock key's revision, it stays valid. ZooKeeper's lock-set
 * runs end to end, valid. Through executePlan, as `faultline run` does; the client processes
 * run the compiled worker (npm run build).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SetResult } from '../../checkers/set.js';
import { ensembleDown, ensembleUp } from '../../src/ensemble/index.js';
import type { Op } from '../../src/history/op.js';
import { type ExecuteResult, executePlan } from '../../src/run/execute.js';
import { loadPlanFile, type PlanOverrides } from '../../src/run/plan.js';
import { RUN_FILES } from '../../src/run/store.js';
import { requireBuilt } from '../support/cli.js';
import { REPO_ROOT } from '../support/paths.js';

const ENSEMBLE = 'flpau';
const SUBNET = '10.112.0.0/24';
const PLAN = 'etcd-lock-client-pause.yaml';
/** The plan's own options, for overrides that change one of them. */
const OPTIONS = { ttl: 2, holdMs: 200 };

let resultsDir: string;

beforeAll(async () => {
  requireBuilt();
  resultsDir = mkdtempSync(join(tmpdir(), 'faultline-lock-set-'));
  await ensembleDown(ENSEMBLE);
  await ensembleUp({ name: ENSEMBLE, nodes: 3, subnet: SUBNET });
}, 180_000);

afterAll(async () => {
  await ensembleDown(ENSEMBLE);
  if (resultsDir) rmSync(resultsDir, { recursive: true, force: true });
}, 180_000);

async function runPlan(overrides: PlanOverrides): Promise<ExecuteResult> {
  const plan = await loadPlanFile(join(REPO_ROOT, 'plans', PLAN), { timeLimit: 25, seed: 1, ...overrides });
  return executePlan(plan, { nodeFlags: { ensemble: ENSEMBLE }, resultsDir, progress: false, out: () => {} });
}

function setResult(r: ExecuteResult): SetResult {
  const results = (r.result as { results?: Record<string, SetResult> }).results;
  expect(results?.set, 'the set checker ran').toBeDefined();
  return results!.set!;
}

function historyOf(r: ExecuteResult): Op[] {
  return readFileSync(join(r.dir, RUN_FILES.historyJsonl), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Op);
}

/** `pause-client` completions that stopped a client holding the lock. */
function holderPauses(ops: readonly Op[]): Op[] {
  return ops.filter(
    (o) =>
      o.process === 'nemesis' &&
      o.type === 'info' &&
      o.f === 'pause-client' &&
      (o.value as { holding?: boolean }).holding === true,
  );
}

describe.sequential('lock-set under client pauses', () => {
  it('etcd, unfenced: the holder paused past its lease writes over another holder’s element (lost)', async () => {
    const r = await runPlan({});
    expect(r.error).toBeUndefined();
    expect(holderPauses(historyOf(r)).length).toBeGreaterThan(0);
    const set = setResult(r);
    expect(set.acknowledgedCount).toBeGreaterThan(10);
    expect(set.lostCount).toBeGreaterThan(0);
    expect(set.lostAdds.length).toBeGreaterThan(0);
    expect(r.exitCode).toBe(1);
  }, 400_000);

  it('etcd, unfenced, without the pauses: nothing is lost (the fault is what loses elements)', async () => {
    const r = await runPlan({ nemesis: [] });
    expect(r.error).toBeUndefined();
    const set = setResult(r);
    expect(set.acknowledgedCount).toBeGreaterThan(10);
    expect(set.lostCount).toBe(0);
    expect(r.exitCode).toBe(0);
  }, 400_000);

  it('etcd, fenced on the lock key revision: the same pauses lose nothing', async () => {
    const r = await runPlan({
      name: 'etcd-lock-client-pause-fenced',
      workloadOptions: { ...OPTIONS, fencing: true },
    });
    expect(r.error).toBeUndefined();
    expect(holderPauses(historyOf(r)).length).toBeGreaterThan(0);
    const set = setResult(r);
    expect(set.acknowledgedCount).toBeGreaterThan(10);
    expect(set.lostCount).toBe(0);
    expect(r.exitCode).toBe(0);
  }, 400_000);

  it('ZooKeeper: the lock recipe lock-set runs end to end, valid', async () => {
    const r = await runPlan({ name: 'zookeeper-lock-set', db: 'zookeeper', nemesis: [], timeLimit: 15 });
    expect(r.error).toBeUndefined();
    const set = setResult(r);
    expect(set.acknowledgedCount).toBeGreaterThan(10);
    expect(set.lostCount).toBe(0);
    expect(r.exitCode).toBe(0);
  }, 400_000);
});
