import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  truncateSync,
  unlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readHistoryFile } from '../../src/history/codecs/index.js';
import { analyzeRun } from '../../src/run/analyze.js';
import { executePlan } from '../../src/run/execute.js';
import { validatePlan } from '../../src/run/plan.js';
import { RunStore, resultsRoot } from '../../src/run/store.js';

const root = mkdtempSync(join(tmpdir(), 'faultline-store-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const quiet = { progress: false, out: () => undefined, echo: () => undefined, resultsDir: root } as const;

describe('run folders', () => {
  it('has every file, latest links, and a history in both formats', async () => {
    const plan = validatePlan({
      workload: 'noop',
      timeLimit: 0.5,
      quiet: 0,
      rate: 2000,
      concurrency: 4,
      seed: 9,
    });
    const r = await executePlan(plan, quiet);
    expect(r.exitCode).toBe(0);
    expect(r.dir.startsWith(join(root, 'noop'))).toBe(true);
    for (const f of ['history.jsonl', 'history.edn', 'test.json', 'results.json', 'faultline.log', 'logs']) {
      expect(existsSync(join(r.dir, f)), f).toBe(true);
    }
    expect(realpathSync(join(root, 'latest'))).toBe(realpathSync(r.dir));
    expect(realpathSync(join(root, 'noop', 'latest'))).toBe(realpathSync(r.dir));
    expect(readlinkSync(join(root, 'latest')).startsWith('/')).toBe(false);
    const jsonl = await readHistoryFile(join(r.dir, 'history.jsonl'));
    const edn = await readHistoryFile(join(r.dir, 'history.edn'));
    expect(jsonl.length).toBeGreaterThan(100);
    expect(edn.length).toBe(jsonl.length);
    const test = JSON.parse(readFileSync(join(r.dir, 'test.json'), 'utf8'));
    expect(test).toMatchObject({ seed: 9, workload: 'noop', db: 'none', plan: { concurrency: 4, seed: 9 } });
    const results = JSON.parse(readFileSync(join(r.dir, 'results.json'), 'utf8'));
    expect(results).toMatchObject({ valid: true, interrupted: false });
    expect(results.stats.ok).toBe(jsonl.ops.filter((o) => o.type === 'ok').length);
    expect(readFileSync(join(r.dir, 'faultline.log'), 'utf8')).toContain('verdict valid');
  });

  it('two runs of one test get two folders; latest follows the newer', async () => {
    const plan = validatePlan({ workload: 'noop', name: 'twice', timeLimit: 0.1, quiet: 0 });
    const a = await executePlan(plan, quiet);
    const b = await executePlan(plan, quiet);
    expect(a.dir).not.toBe(b.dir);
    expect(realpathSync(join(root, 'twice', 'latest'))).toBe(realpathSync(b.dir));
  });

  it('the results folder comes from the flag, else FAULTLINE_RESULTS, else ./results', () => {
    expect(resultsRoot('/x/y', {})).toBe('/x/y');
    expect(resultsRoot(undefined, { FAULTLINE_RESULTS: '/z' })).toBe('/z');
    expect(resultsRoot(undefined, {})).toBe(join(process.cwd(), 'results'));
  });

  it('checks with the workload checkers: a lost commit is invalid (exit 1)', async () => {
    const ok = await executePlan(
      validatePlan({
        workload: 'noop',
        name: 'set-ok',
        workloadOptions: { mode: 'set' },
        timeLimit: 0.3,
        quiet: 0,
      }),
      quiet,
    );
    expect(ok.result.valid).toBe(true);
    const lossy = await executePlan(
      validatePlan({
        workload: 'noop',
        name: 'set-lossy',
        workloadOptions: { mode: 'set', loseEvery: 10 },
        timeLimit: 0.3,
        quiet: 0,
      }),
      quiet,
    );
    expect(lossy.result.valid).toBe(false);
    expect(lossy.exitCode).toBe(1);
  });

  it('an unregistered checker gives unknown (exit 2)', async () => {
    const r = await executePlan(
      validatePlan({
        workload: 'noop',
        name: 'nochecker',
        checkers: { 'no-such': {} },
        timeLimit: 0.1,
        quiet: 0,
      }),
      quiet,
    );
    expect(r.result.valid).toBe('unknown');
    expect(r.exitCode).toBe(2);
  });

  it('an interrupted run writes everything and says so', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const plan = validatePlan({ workload: 'noop', name: 'stopped', timeLimit: 60, quiet: 0, rate: 1000 });
    const r = await executePlan(plan, { ...quiet, signal: controller.signal });
    expect(r.interrupted).toBe(true);
    expect(r.exitCode).toBe(2);
    const results = JSON.parse(readFileSync(join(r.dir, 'results.json'), 'utf8'));
    expect(results.interrupted).toBe(true);
    expect((await readHistoryFile(join(r.dir, 'history.jsonl'))).length).toBeGreaterThan(50);
  });
});

describe('analyze', () => {
  it('re-checks a history cut mid-line, and rewrites results.json', async () => {
    const r = await executePlan(
      validatePlan({
        workload: 'noop',
        name: 'cut',
        workloadOptions: { mode: 'set', loseEvery: 7 },
        timeLimit: 0.3,
        quiet: 0,
      }),
      quiet,
    );
    expect(r.result.valid).toBe(false);
    const file = join(r.dir, 'history.jsonl');
    const text = readFileSync(file, 'utf8');
    const lines = text.split('\n').filter(Boolean);
    // Cut in the middle of the main phase, as a killed controller would leave it.
    const cut = lines.slice(0, Math.floor(lines.length / 2)).join('\n').length + 1 + 17;
    truncateSync(file, cut);
    unlinkSync(join(r.dir, 'results.json'));
    const a = await analyzeRun(r.dir);
    expect(a.warnings.join(' ')).toMatch(/torn/);
    expect(a.ops).toBe(Math.floor(lines.length / 2));
    expect(a.checkers).toEqual({ set: {} });
    // Without the final read, lost commits cannot be told: unknown, not valid.
    expect(a.result.valid).toBe('unknown');
    const written = JSON.parse(readFileSync(join(r.dir, 'results.json'), 'utf8'));
    expect(written.valid).toBe('unknown');
    expect(written.warnings[0]).toMatch(/torn/);
  });

  it('takes --checker, and says when it does not know what to run', async () => {
    const r = await executePlan(
      validatePlan({ workload: 'noop', name: 'plain', timeLimit: 0.1, quiet: 0 }),
      quiet,
    );
    await expect(analyzeRun(r.dir)).rejects.toThrow(/--checker/);
    // An unknown checker is bad input, as in `faultline check` (it used to be a silent unknown).
    await expect(analyzeRun(r.dir, { checker: 'no-such' })).rejects.toThrow(/unknown checker "no-such"/);
    await expect(analyzeRun(join(root, 'nothing', 'here'))).rejects.toThrow(/no such run folder/);
  });

  it('RunStore.open finds the test name of a run folder', () => {
    const s = RunStore.open(join(root, 'abc', '20260101T000000.000Z'));
    expect(s.testName).toBe('abc');
  });
});
