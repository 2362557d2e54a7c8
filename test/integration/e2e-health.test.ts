/**
 * End to end, the checkers that look past the history, on real etcd in the local ensemble
 * `flchk` (10.113.0.0/24, its own): `crash` must catch a server that dies behind the run's back
 * (positive control: a fault module that SIGKILLs etcd without telling the run, so nothing
 * restarts it) and stay valid under the kill nemesis, which restarts what it kills (negative
 * control); `log-patterns` must find a plan's pattern in the real logs, with node, file and
 * line, and find nothing with etcd's own patterns on a healthy run; `stats` counts what ran.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensembleDown, ensembleUp } from '../../src/ensemble/index.js';
import { type ExecuteResult, executePlan } from '../../src/run/execute.js';
import { validatePlan } from '../../src/run/plan.js';

const ENSEMBLE = 'flchk';
const SUBNET = '10.113.0.0/24';

let dir: string;
let sneaky: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'faultline-health-'));
  // A fault that kills etcd on one node by its pid, behind the run's back (not through the db's
  // kill, so the run believes the node is up), and never restarts it: a crash, as the watch sees it.
  sneaky = join(dir, 'sneaky-kill.mjs');
  writeFileSync(
    sneaky,
    `export const nemesis = {
  name: 'sneaky-kill', description: 'SIGKILL etcd behind the run', requires: ['process'], inAll: false,
  effects: {}, style: { label: 'sneaky', fill: 'red', text: 'red' },
  schedule: () => ({ startOps: [{ f: 'sneaky-kill', value: null }], finalOps: [] }),
  create: () => {
    let done = false;
    return {
      name: 'sneaky-kill', fs: ['sneaky-kill'],
      async setup() {}, async heal() {}, async teardown() {},
      async invoke(ctx) {
        if (done) return { value: { skipped: true } };
        done = true;
        const node = ctx.nodes[ctx.nodes.length - 1];
        const pid = await ctx.db.pid(ctx.dbContext, node);
        await ctx.remote.exec(node, ['kill', '-9', String(pid)]);
        return { value: { node, pid } };
      },
    };
  },
};
`,
  );
  await ensembleDown(ENSEMBLE);
  await ensembleUp({ name: ENSEMBLE, nodes: 3, subnet: SUBNET });
}, 120_000);

afterAll(async () => {
  await ensembleDown(ENSEMBLE);
  rmSync(dir, { recursive: true, force: true });
}, 120_000);

async function runPlan(plan: Record<string, unknown>): Promise<ExecuteResult> {
  return executePlan(
    validatePlan({
      workload: 'register',
      db: 'etcd',
      timeLimit: 10,
      quiet: 2,
      concurrency: 6,
      rate: 50,
      opTimeout: 5,
      seed: 7,
      ...plan,
    }),
    { nodeFlags: { ensemble: ENSEMBLE }, resultsDir: dir, progress: false, out: () => {} },
  );
}

function checker(result: ExecuteResult, name: string): Record<string, unknown> {
  const r = (result.result as { results?: Record<string, Record<string, unknown>> }).results?.[name];
  expect(r, `checker ${name}`).toBeDefined();
  return r!;
}

describe.sequential('crash, log-patterns and stats on real runs', () => {
  it('a server killed behind the run is a crash: invalid, naming the node, with its last log lines', async () => {
    const r = await runPlan({ nemesis: [sneaky], nemesisOptions: { interval: 3 } });
    const crash = checker(r, 'crash') as {
      valid: unknown;
      crashes: { node: string; kind: string; logTail: string[]; op: number }[];
    };
    expect(crash.valid).toBe(false);
    expect(crash.crashes.map((c) => c.node)).toContain('n3');
    expect(crash.crashes[0]!.kind).toBe('exited');
    expect(crash.crashes[0]!.logTail.length).toBeGreaterThan(0);
    expect(r.result.valid).toBe(false);
    expect(r.exitCode).toBe(1);
  }, 180_000);

  it('the kill nemesis restarts what it kills: no crash; etcd logs match none of its failure patterns', async () => {
    const r = await runPlan({ nemesis: ['kill'], nemesisOptions: { interval: 3 } });
    expect(r.stats.nemesisOps).toBeGreaterThan(0);
    const crash = checker(r, 'crash') as { valid: unknown; probes: number };
    expect(crash.valid).toBe(true);
    expect(crash.probes).toBeGreaterThan(0);
    const logs = checker(r, 'log-patterns') as { valid: unknown; files: number; matchCount: number };
    expect(logs.matchCount).toBe(0);
    expect(logs.files).toBe(3);
    expect(logs.valid).toBe(true);
    const stats = checker(r, 'stats') as { valid: unknown; byF: Record<string, { ok: number }> };
    expect(stats.valid).toBe(true);
    expect(stats.byF.read!.ok).toBeGreaterThan(0);
  }, 180_000);

  it("a plan's log pattern that etcd's log does contain makes the run invalid, with node, file and line", async () => {
    const r = await runPlan({ timeLimit: 5, logPatterns: ['starting an etcd server'] });
    const logs = checker(r, 'log-patterns') as {
      valid: unknown;
      matches: { node: string; file: string; line: number; text: string }[];
    };
    expect(logs.valid).toBe(false);
    expect(logs.matches.map((m) => m.node).sort()).toEqual(['n1', 'n2', 'n3']);
    expect(logs.matches[0]!.file).toBe('etcd.log');
    expect(logs.matches[0]!.line).toBeGreaterThan(0);
    expect(logs.matches[0]!.text).toContain('starting an etcd server');
    expect(r.exitCode).toBe(1);
  }, 180_000);
});
