/**
 * What the end-to-end suites that run plans on a local ensemble of their own share: the
 * ensemble brought up before the file's tests and torn down after them (with a results folder
 * of its own), plans run through executePlan as `faultline run` runs them, and one checker's
 * result read from the composed result.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { ensembleDown, ensembleUp } from '../../src/ensemble/index.js';
import { type ExecuteResult, executePlan } from '../../src/run/execute.js';
import { validatePlan } from '../../src/run/plan.js';

/** A suite's ensemble: its name and subnet (its own), and what its plans have in common. */
export interface E2eEnsembleOptions {
  name: string;
  subnet: string;
  /** Nodes in the ensemble (default 5). */
  nodes?: number;
  /** Prefix of the temporary results folder. */
  resultsPrefix: string;
  /** Plan fields every run gets unless the plan itself sets them. */
  planDefaults: Record<string, unknown>;
}

/** Runs a plan on the suite's ensemble without a progress line; `out` gets the lines the run prints. */
export type RunPlan = (plan: Record<string, unknown>, out?: (line: string) => void) => Promise<ExecuteResult>;

/**
 * Brings the ensemble up (fresh: whatever an earlier run left is torn down first) before the
 * calling file's tests and down after them; returns how to run a plan on it.
 */
export function e2eEnsemble(options: E2eEnsembleOptions): RunPlan {
  let resultsDir = '';

  beforeAll(async () => {
    resultsDir = mkdtempSync(join(tmpdir(), options.resultsPrefix));
    await ensembleDown(options.name);
    await ensembleUp({ name: options.name, nodes: options.nodes ?? 5, subnet: options.subnet });
  }, 120_000);

  afterAll(async () => {
    await ensembleDown(options.name);
    if (resultsDir) rmSync(resultsDir, { recursive: true, force: true });
  }, 120_000);

  return (plan, out = () => undefined) =>
    executePlan(validatePlan({ ...options.planDefaults, ...plan }), {
      nodeFlags: { ensemble: options.name },
      resultsDir,
      progress: false,
      out,
    });
}

/** One checker's result inside the composed result of a run (the assertion fails without it). */
export function checkerResult(result: ExecuteResult, name: string): Record<string, unknown> {
  const results = (result.result as { results?: Record<string, Record<string, unknown>> }).results;
  const r = results?.[name];
  expect(r, `checker ${name} in ${JSON.stringify(result.result).slice(0, 600)}`).toBeDefined();
  return r!;
}
