/**
 * Power failures for real (nemesis `power`, lossyfs under the data dirs), on the local
 * ensemble `flpow` (10.110.0.0/25, its own). Positive controls: a db that acknowledges writes
 * before they are durable loses acknowledged `set` adds under `lose-unsynced all` and the set
 * checker says lost; the same db under a plain kill stays valid (so the loss is the fault's
 * doing); the default, fsyncing db stays valid under the same power failures. etcd 3.4.23 has
 * no `--unsafe-no-fsync`, so its unsafe setting is lossyfs's own `fsync: lies` (fsync returns
 * at once, data becomes durable only by a writeback every 2 s, like the kernel's). ZooKeeper's
 * is its own `forceSync=no`; both ZooKeeper runs write everything back every 2 s (ZooKeeper
3.8.0 does not fsync the snapshot it takes at start, and without any writeback cannot restart). No lossyfs mount may be left behind on any node.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensembleDown, ensembleUp, localRemote } from '../../src/ensemble/index.js';
import { type ExecuteResult, executePlan } from '../../src/run/execute.js';
import { loadPlanFile, type PlanOverrides } from '../../src/run/plan.js';
import { REPO_ROOT } from '../support/paths.js';

const ENSEMBLE = 'flpow';
const SUBNET = '10.110.0.0/25';
const LIES = { fsync: 'lies', writebackMs: 2000 };

let resultsDir: string;

beforeAll(async () => {
  resultsDir = mkdtempSync(join(tmpdir(), 'faultline-power-'));
  await ensembleDown(ENSEMBLE);
  await ensembleUp({ name: ENSEMBLE, nodes: 3, subnet: SUBNET });
}, 180_000);

afterAll(async () => {
  await ensembleDown(ENSEMBLE);
  rmSync(resultsDir, { recursive: true, force: true });
}, 180_000);

async function run(file: string, overrides: PlanOverrides): Promise<ExecuteResult> {
  const plan = await loadPlanFile(join(REPO_ROOT, 'plans', file), {
    timeLimit: 20,
    quiet: 3,
    seed: 42,
    nemesisOptions: { interval: 5, targets: ['all'] },
    ...overrides,
  });
  return executePlan(plan, { nodeFlags: { ensemble: ENSEMBLE }, resultsDir, progress: false, out: () => {} });
}

function setResult(r: ExecuteResult): { valid: unknown; lostCount: number; okCount?: number } {
  const results = (r.result as { results?: Record<string, { valid: unknown; lostCount: number }> }).results;
  expect(results?.set, 'set checker').toBeDefined();
  return results!.set!;
}

/** The lossyfs mounts left on the ensemble's nodes (their own mount namespaces). */
async function lossyMounts(): Promise<string[]> {
  const remote = await localRemote(ENSEMBLE, { timeoutMs: 30_000 });
  try {
    const found: string[] = [];
    for (const node of remote.nodes) {
      const r = await remote.exec(node, ['cat', '/proc/self/mounts']);
      for (const line of r.stdout.split('\n')) if (line.includes('lossyfs')) found.push(`${node}: ${line}`);
    }
    return found;
  } finally {
    await remote.close();
  }
}

describe.sequential('power failures (lossyfs) on the local ensemble', () => {
  it('etcd with fsync lying loses acknowledged adds under lose-unsynced all', async () => {
    const r = await run('etcd-set-power.yaml', { dbOptions: { lossyDataDir: LIES } });
    expect(r.error).toBeUndefined();
    expect(r.stats.nemesisOps).toBeGreaterThan(0);
    const set = setResult(r);
    expect(set.lostCount).toBeGreaterThan(0);
    expect(set.valid).toBe(false);
    expect(r.exitCode).toBe(1);
    expect(await lossyMounts()).toEqual([]);
  }, 400_000);

  it('the same etcd under a plain kill of all nodes stays valid', async () => {
    const r = await run('etcd-set-power.yaml', { dbOptions: { lossyDataDir: LIES }, nemesis: 'kill' });
    expect(r.error).toBeUndefined();
    expect(r.stats.nemesisOps).toBeGreaterThan(0);
    expect(setResult(r)).toMatchObject({ valid: true, lostCount: 0 });
    expect(await lossyMounts()).toEqual([]);
  }, 400_000);

  it('default etcd (honest fsync) stays valid under lose-unsynced all', async () => {
    const r = await run('etcd-set-power.yaml', {});
    expect(r.error).toBeUndefined();
    expect(r.stats.nemesisOps).toBeGreaterThan(0);
    expect(setResult(r)).toMatchObject({ valid: true, lostCount: 0 });
    expect(r.exitCode).toBe(0);
    expect(await lossyMounts()).toEqual([]);
  }, 400_000);

  it('ZooKeeper with forceSync=no loses acknowledged adds under lose-unsynced all', async () => {
    const r = await run('zookeeper-set-power.yaml', {
      dbOptions: { lossyDataDir: { writebackMs: 2000 }, extraConfig: { forceSync: 'no' } },
    });
    expect(r.error).toBeUndefined();
    const set = setResult(r);
    expect(set.lostCount).toBeGreaterThan(0);
    expect(set.valid).toBe(false);
    expect(await lossyMounts()).toEqual([]);
  }, 400_000);

  it('default ZooKeeper (forceSync=yes) stays valid under lose-unsynced all', async () => {
    const r = await run('zookeeper-set-power.yaml', {});
    expect(r.error).toBeUndefined();
    expect(r.stats.nemesisOps).toBeGreaterThan(0);
    expect(setResult(r)).toMatchObject({ valid: true, lostCount: 0 });
    expect(await lossyMounts()).toEqual([]);
  }, 400_000);
});
