/**
 * Online checking of a real run (`checking: online`): short in-process runs (db none, the
 * noop workload in set mode), each done twice with the same seed — batch and online — give
 * the same verdict and the same validity per checker; online, the run folder has every file
 * and the runner kept no op in memory. No nodes, no network.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { CheckResult } from '../../checkers/result.js';
import { readHistoryFile } from '../../src/history/codecs/index.js';
import { executePlan } from '../../src/run/execute.js';
import { type PlanInput, validatePlan } from '../../src/run/plan.js';
import type { RunOutcome } from '../../src/run/runner.js';

/** Every outcome the runner returned, to see what it kept in memory. */
const outcomes: RunOutcome[] = [];
vi.mock('../../src/run/runner.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/run/runner.js')>();
  return {
    ...original,
    runTest: async (...args: Parameters<typeof original.runTest>) => {
      const outcome = await original.runTest(...args);
      outcomes.push(outcome);
      return outcome;
    },
  };
});

const root = mkdtempSync(join(tmpdir(), 'faultline-online-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const quiet = { progress: false, out: () => undefined, echo: () => undefined, resultsDir: root } as const;

async function run(plan: PlanInput) {
  const result = await executePlan(validatePlan(plan as Record<string, unknown>), quiet);
  return { result, outcome: outcomes.at(-1)! };
}

/** Each checker's validity. */
function validities(result: CheckResult): Record<string, unknown> {
  const results = (result.results ?? {}) as Record<string, CheckResult>;
  return Object.fromEntries(Object.entries(results).map(([name, r]) => [name, r.valid]));
}

const base = {
  workload: 'noop',
  db: 'none',
  timeLimit: 0.5,
  quiet: 0,
  rate: 2000,
  concurrency: 4,
  seed: 11,
} as const;

describe('online checking of a run', () => {
  for (const [label, plan, verdict, atEnd] of [
    ['a clean set', { ...base, name: 'online-clean', workloadOptions: { mode: 'set' } }, true, 'none'],
    [
      'a set that loses adds',
      { ...base, name: 'online-lossy', workloadOptions: { mode: 'set', loseEvery: 7 } },
      false,
      'none',
    ],
    [
      'a set checked also by set-full (batch only, checked at the end)',
      {
        ...base,
        name: 'online-full',
        workloadOptions: { mode: 'set' },
        checkers: { set: {}, 'set-full': {} },
      },
      true,
      'set-full',
    ],
  ] as const) {
    it(`${label}: batch and online agree`, async () => {
      const batch = await run({ ...plan, checking: 'batch' });
      const online = await run({ ...plan, checking: 'online' });
      expect(batch.outcome.ops.length).toBe(batch.outcome.opCount);
      expect(online.outcome.ops).toEqual([]);
      expect(online.outcome.opCount).toBeGreaterThan(100);

      expect(batch.result.result.valid).toBe(verdict);
      expect(online.result.result.valid).toBe(verdict);
      expect(online.result.exitCode).toBe(batch.result.exitCode);
      expect(validities(online.result.result)).toEqual(validities(batch.result.result));

      for (const file of ['results.json', 'history.jsonl', 'history.edn', 'report.html']) {
        expect(existsSync(join(online.result.dir, file)), file).toBe(true);
      }
      // history.edn, streamed from history.jsonl, holds the same ops; the counts match them.
      const jsonl = await readHistoryFile(join(online.result.dir, 'history.jsonl'));
      const edn = await readHistoryFile(join(online.result.dir, 'history.edn'));
      expect(edn.length).toBe(jsonl.length);
      expect(jsonl.length).toBe(online.outcome.opCount);
      const results = JSON.parse(readFileSync(join(online.result.dir, 'results.json'), 'utf8'));
      expect(results.stats.ok).toBe(
        jsonl.ops.filter((o) => o.type === 'ok' && o.process !== 'nemesis').length,
      );
      expect(results.stats.invoke).toBe(online.result.stats.invoke);
      const log = readFileSync(join(online.result.dir, 'faultline.log'), 'utf8');
      expect(log).toContain(`checked online: set, perf, stats; at the end: ${atEnd}`);
    });
  }

  it('the lossy set is invalid either way, and online names the lost elements', async () => {
    const plan = { ...base, name: 'online-lost', workloadOptions: { mode: 'set', loseEvery: 5 } } as const;
    const batch = await run({ ...plan, checking: 'batch' });
    const online = await run({ ...plan, checking: 'online' });
    expect(batch.result.result.valid).toBe(false);
    expect(online.result.result.valid).toBe(false);
    const set = (r: CheckResult) => (r.results as Record<string, { lostCount: number }>).set!;
    expect(set(online.result.result).lostCount).toBeGreaterThan(0);
  });
});
