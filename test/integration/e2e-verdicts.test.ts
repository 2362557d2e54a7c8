/**
 * End to end, verdicts a real database must earn: etcd with serializable (member-local) reads
 * while one member is cut off serves stale reads, and the run must come out INVALID; and the
 * quick start's plan must measure the recovery after its last heal. Through executePlan, as
 * `faultline run` does, on the local ensemble `fltver` (10.102.0.0/25, its own).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRASH_F, STATUS_F } from '../../checkers/crash.js';
import type { PerfResult } from '../../checkers/perf.js';
import { ensembleDown, ensembleUp } from '../../src/ensemble/index.js';
import type { Op } from '../../src/history/op.js';
import { buildReportData } from '../../src/report/index.js';
import { type ExecuteResult, executePlan } from '../../src/run/execute.js';
import { loadPlanFile, type PlanOverrides } from '../../src/run/plan.js';
import { RUN_FILES } from '../../src/run/store.js';
import { REPO_ROOT } from '../support/paths.js';

const ENSEMBLE = 'fltver';
const SUBNET = '10.102.0.0/25';

let resultsDir: string;

beforeAll(async () => {
  resultsDir = mkdtempSync(join(tmpdir(), 'faultline-verdicts-'));
  await ensembleDown(ENSEMBLE);
  await ensembleUp({ name: ENSEMBLE, nodes: 5, subnet: SUBNET });
}, 180_000);

afterAll(async () => {
  await ensembleDown(ENSEMBLE);
  rmSync(resultsDir, { recursive: true, force: true });
}, 180_000);

async function runPlanFile(file: string, overrides: PlanOverrides): Promise<ExecuteResult> {
  const plan = await loadPlanFile(join(REPO_ROOT, 'plans', file), overrides);
  return executePlan(plan, {
    nodeFlags: { ensemble: ENSEMBLE },
    resultsDir,
    progress: false,
    out: () => {},
  });
}

function checkerResult(r: ExecuteResult, name: string): Record<string, unknown> {
  const results = (r.result as { results?: Record<string, Record<string, unknown>> }).results;
  expect(results?.[name], `checker ${name}`).toBeDefined();
  return results![name]!;
}

function historyOf(r: ExecuteResult): Op[] {
  return readFileSync(join(r.dir, RUN_FILES.historyJsonl), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Op);
}

describe.sequential('verdicts of real runs', () => {
  it('etcd with serializable reads under a partition is NOT linearizable: a stale read', async () => {
    // plans/etcd-register-serializable.yaml, made shorter and surer: one member cut off at a
    // time, 4 clients per member, and a 1 s op timeout (a write blocked on the cut-off member
    // frees its client for more stale reads sooner). The checker's time limit keeps a key with
    // many crashed writes from holding the run; another key's stale read decides it first.
    const r = await runPlanFile('etcd-register-serializable.yaml', {
      timeLimit: 30,
      concurrency: 20,
      opTimeout: 1,
      quiet: 0,
      nemesisOptions: { interval: 6, partitions: ['one'] },
      checkers: { linearizable: { model: 'cas-register', independent: true, timeLimitMs: 120_000 } },
      seed: 7,
    });
    expect(r.error).toBeUndefined();
    expect(r.stats.nemesisOps).toBeGreaterThan(0);
    const lin = checkerResult(r, 'linearizable');
    expect(lin.valid).toBe(false);
    expect(r.result.valid).toBe(false);
    expect(r.exitCode).toBe(1);
    // The op that cannot be linearized is a read: what serializable reads give up.
    const failures = lin.failures as { result: { failures: { op?: { f: string } }[] } }[];
    expect(failures.flatMap((f) => f.result.failures.map((x) => x.op?.f))).toContain('read');
  }, 400_000);

  it('the quick start plan measures the recovery after every heal, the last one too', async () => {
    const r = await runPlanFile('etcd-register.yaml', {
      timeLimit: 20,
      nemesisOptions: { interval: 5 },
      seed: 7,
    });
    expect(r.error).toBeUndefined();
    const perf = checkerResult(r, 'perf') as unknown as PerfResult;
    expect(perf.recoveries.length).toBeGreaterThan(0);
    for (const recovery of perf.recoveries) expect(recovery).toMatchObject({ measured: true });
    const last = perf.recoveries.at(-1)!;
    expect(last.recoverS).not.toBeNull();
    // The final reads ran after the last heal: client ops after the last nemesis op.
    const ops = historyOf(r);
    // The node watch's observations are nemesis-process events too, but they change nothing.
    const lastNemesis = ops.findLastIndex(
      (o) => o.process === 'nemesis' && o.f !== STATUS_F && o.f !== CRASH_F,
    );
    const after = ops.slice(lastNemesis + 1).filter((o) => o.type === 'ok');
    expect(after.filter((o) => o.f === 'read').length).toBeGreaterThanOrEqual(10);
    const report = buildReportData(ops, r.result, {});
    expect(report.recoveryText).toHaveLength(perf.recoveries.length);
    expect(report.recoveryText.every((t) => / s$/.test(t))).toBe(true);
  }, 400_000);
});
