/**
 * End to end: real workloads on real etcd and ZooKeeper in the local ensemble `flrun`
 * (10.80.0.0/24, its own), through executePlan as `faultline run` does: db setup, clients on
 * one node each, nemesis, heal, final reads, store, checkers. Short runs (10-15 s each).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ExecuteResult } from '../../src/run/execute.js';
import { RUN_FILES } from '../../src/run/store.js';
import { checkerResult, e2eEnsemble } from '../support/e2e.js';

const runOnEnsemble = e2eEnsemble({
  name: 'flrun',
  subnet: '10.80.0.0/24',
  resultsPrefix: 'faultline-e2e-',
  planDefaults: { quiet: 2, concurrency: 10, rate: 50, opTimeout: 5, seed: 42 },
});

/** Runs a plan on `flrun` without a progress line; the verdict lines are kept. */
async function runPlan(plan: Record<string, unknown>): Promise<ExecuteResult> {
  const lines: string[] = [];
  const result = await runOnEnsemble(plan, (l) => lines.push(l));
  expect(lines.join('\n')).toContain(result.dir);
  expectRunFolder(result);
  return result;
}

/** Every file the store promises is there, and the history is whole JSON lines. */
function expectRunFolder(result: ExecuteResult): void {
  for (const file of Object.values(RUN_FILES)) {
    expect(existsSync(join(result.dir, file)), `${file} in ${result.dir}`).toBe(true);
  }
  expect(statSync(join(result.dir, RUN_FILES.logs)).isDirectory()).toBe(true);
  const lines = readFileSync(join(result.dir, RUN_FILES.historyJsonl), 'utf8').trim().split('\n');
  expect(lines.length).toBeGreaterThan(20);
  for (const line of lines) JSON.parse(line);
  expect(readFileSync(join(result.dir, RUN_FILES.historyEdn), 'utf8').length).toBeGreaterThan(100);
  const stored = JSON.parse(readFileSync(join(result.dir, RUN_FILES.results), 'utf8')) as { valid: unknown };
  expect(stored.valid).toEqual(result.result.valid);
  expect(result.error).toBeUndefined();
}

describe.sequential('workloads on etcd and ZooKeeper, end to end', () => {
  it('etcd register under partitions is linearizable', async () => {
    const r = await runPlan({
      db: 'etcd',
      workload: 'register',
      nemesis: ['partition'],
      timeLimit: 12,
      nemesisOptions: { interval: 4 },
    });
    expect(r.stats.ok).toBeGreaterThan(100);
    expect(r.stats.nemesisOps).toBeGreaterThan(0);
    const lin = checkerResult(r, 'linearizable');
    expect(lin.keys as number).toBeGreaterThan(1);
    expect(r.result.valid).toBe(true);
    expect(r.exitCode).toBe(0);
  }, 180_000);

  it('ZooKeeper register is checked: a verdict from the linearizability checker', async () => {
    const r = await runPlan({
      db: 'zookeeper',
      workload: 'register',
      nemesis: ['partition'],
      timeLimit: 10,
      nemesisOptions: { interval: 4 },
    });
    expect(r.stats.ok).toBeGreaterThan(50);
    const lin = checkerResult(r, 'linearizable');
    expect([true, false]).toContain(lin.valid);
  }, 180_000);

  it('etcd set under kills loses no acknowledged add', async () => {
    const r = await runPlan({
      db: 'etcd',
      workload: 'set',
      nemesis: ['kill'],
      timeLimit: 12,
      nemesisOptions: { interval: 4 },
    });
    const set = checkerResult(r, 'set');
    expect(set.acknowledgedCount as number).toBeGreaterThan(100);
    expect(set.lostCount).toBe(0);
    expect(set.valid).toBe(true);
  }, 180_000);

  it('etcd append under partitions gives transactions Elle analyses', async () => {
    const r = await runPlan({
      db: 'etcd',
      workload: 'append',
      nemesis: ['partition'],
      timeLimit: 10,
      nemesisOptions: { interval: 4 },
    });
    const elle = checkerResult(r, 'list-append');
    expect(elle.txns as number).toBeGreaterThan(50);
    expect(elle.valid).toBe(true);
  }, 180_000);

  it('etcd lock under pauses gives holds the lock checker analyses', async () => {
    const r = await runPlan({
      db: 'etcd',
      workload: 'lock',
      nemesis: ['pause'],
      timeLimit: 10,
      concurrency: 5,
      nemesisOptions: { interval: 4 },
    });
    const lock = checkerResult(r, 'lock');
    expect(lock.holdCount as number).toBeGreaterThan(0);
    expect([true, false]).toContain(lock.valid);
  }, 180_000);

  it('ZooKeeper election gives leaderships with terms the election checker analyses', async () => {
    const r = await runPlan({ db: 'zookeeper', workload: 'election', timeLimit: 10, concurrency: 5 });
    const election = checkerResult(r, 'election');
    expect(election.leadershipCount as number).toBeGreaterThan(1);
    expect(election.valid).toBe(true);
  }, 180_000);

  it('ZooKeeper append (multi with version checks) gives transactions Elle analyses', async () => {
    const r = await runPlan({ db: 'zookeeper', workload: 'append', timeLimit: 8 });
    const elle = checkerResult(r, 'list-append');
    expect(elle.txns as number).toBeGreaterThan(50);
    expect(elle.valid).toBe(true);
  }, 180_000);

  it('etcd wr gives transactions the rw-register checker analyses', async () => {
    const r = await runPlan({ db: 'etcd', workload: 'wr', timeLimit: 8 });
    const elle = checkerResult(r, 'rw-register');
    expect(elle.txns as number).toBeGreaterThan(50);
    expect(elle.valid).toBe(true);
  }, 180_000);

  it('ZooKeeper lock (the recipe) and etcd election give holds their checkers analyse', async () => {
    const lock = checkerResult(
      await runPlan({ db: 'zookeeper', workload: 'lock', timeLimit: 8, concurrency: 5 }),
      'lock',
    );
    expect(lock.holdCount as number).toBeGreaterThan(1);
    expect(lock.valid).toBe(true);
    const election = checkerResult(
      await runPlan({ db: 'etcd', workload: 'election', timeLimit: 8, concurrency: 5 }),
      'election',
    );
    expect(election.leadershipCount as number).toBeGreaterThan(1);
    expect(election.valid).toBe(true);
  }, 180_000);
});
