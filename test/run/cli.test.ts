import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readHistoryFile } from '../../src/history/codecs/index.js';
import { BIN, describeBuilt, needsBuild, requireBuilt } from '../support/cli.js';

const MAIN = BIN;

let dir: string;
beforeAll(() => {
  if (needsBuild) requireBuilt();
  dir = mkdtempSync(join(tmpdir(), 'faultline-cli-run-'));
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function faultline(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('node', [MAIN, ...args], { cwd: dir, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function plan(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describeBuilt('faultline test / run / test-all / analyze', () => {
  it('test: runs, prints the verdict and the folder, exits 0', () => {
    const r = faultline(
      'test',
      '--workload',
      'noop',
      '--time-limit',
      '0.5',
      '--quiet',
      '0',
      '--seed',
      '5',
      '--no-progress',
    );
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^noop: valid$/m);
    const folder = /results: (.*)/.exec(r.stdout)![1]!;
    expect(folder.startsWith(join(dir, 'results', 'noop'))).toBe(true);
    expect(existsSync(join(folder, 'results.json'))).toBe(true);
  });

  it('bad flags and plans exit 254 naming file, line and field', () => {
    expect(faultline('test', '--workload', 'noop', '--concurrency', 'x').status).toBe(254);
    const unknown = faultline('test', '--workload', 'nope');
    expect(unknown.status).toBe(254);
    expect(unknown.stderr).toMatch(/unknown workload "nope"/);
    const file = plan('bad.yaml', 'workload: noop\nrate: 10\ntimeLimit: soon\n');
    const r = faultline('run', file);
    expect(r.status).toBe(254);
    expect(r.stderr).toContain(`${file}:3:12: field timeLimit:`);
  });

  it('run: flags override the plan; a lost commit exits 1', () => {
    const file = plan(
      'lossy.yaml',
      'name: lossy\nworkload: noop\nworkloadOptions: {mode: set, loseEvery: 5}\ntimeLimit: 30\nquiet: 0\n',
    );
    const r = faultline(
      'run',
      file,
      '--time-limit',
      '0.4',
      '--results-dir',
      join(dir, 'elsewhere'),
      '--no-progress',
    );
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^lossy: INVALID$/m);
    expect(existsSync(join(dir, 'elsewhere', 'lossy', 'latest', 'history.edn'))).toBe(true);
    // The flag, not the plan's 30 s, is the time limit the run kept.
    const facts = JSON.parse(readFileSync(join(dir, 'elsewhere', 'lossy', 'latest', 'test.json'), 'utf8'));
    expect(facts.plan.timeLimit).toBe(0.4);
  });

  it('test-all: runs every plan and matrix variant, prints a table, exits with the worst code', () => {
    const plans = join(dir, 'plans');
    spawnSync('mkdir', ['-p', plans]);
    writeFileSync(join(plans, 'a.yaml'), 'name: good\nworkload: noop\ntimeLimit: 0.2\nquiet: 0\n');
    writeFileSync(
      join(plans, 'b.yaml'),
      'name: sets\nworkload: noop\ntimeLimit: 0.2\nquiet: 0\nworkloadOptions: {mode: set}\nmatrix:\n  concurrency: [1, 3]\n',
    );
    writeFileSync(
      join(plans, 'c.json'),
      '{"name": "nochecker", "workload": "noop", "timeLimit": 0.2, "quiet": 0, "checkers": {"zzz": {}}}',
    );
    const r = faultline('test-all', plans, '--no-progress');
    expect(r.status).toBe(2);
    expect(r.stdout).toMatch(/^test\s+verdict\s+exit/m);
    expect(r.stdout).toMatch(/^good\s+valid\s+0/m);
    expect(r.stdout).toMatch(/^sets-1\s+valid\s+0/m);
    expect(r.stdout).toMatch(/^sets-3\s+valid\s+0/m);
    expect(r.stdout).toMatch(/^nochecker\s+unknown\s+2/m);
  });

  it('analyze: re-checks a run and exits with its verdict', () => {
    const file = plan(
      'set.yaml',
      'name: an\nworkload: noop\nworkloadOptions: {mode: set, loseEvery: 3}\ntimeLimit: 0.3\nquiet: 0\n',
    );
    const r = faultline('run', file, '--no-progress');
    const folder = /results: (.*)/.exec(r.stdout)![1]!;
    const a = faultline('analyze', folder);
    expect(a.status).toBe(1);
    expect(a.stdout).toMatch(/^INVALID: \d+ ops checked by set/);
    expect(faultline('analyze', join(dir, 'no-such')).status).toBe(254);
  });
});

describeBuilt('Ctrl-C', () => {
  /** Starts a long run and resolves once its run folder is known. */
  function startLong(
    extra: string[],
  ): Promise<{ child: ReturnType<typeof spawn>; stderr: () => string; folder: string }> {
    const file = plan(
      'long.yaml',
      'name: long\nworkload: noop\nworkloadOptions: {hangEvery: 20}\ntimeLimit: 120\nrate: 500\nopTimeout: 30\nquiet: 0\n',
    );
    const child = spawn('node', [MAIN, 'run', file, ...extra], { cwd: dir });
    let err = '';
    child.stdout!.resume();
    return new Promise((resolve, reject) => {
      child.stderr!.on('data', (d: Buffer) => {
        err += d.toString();
        const m = /run folder (\S+)/.exec(err);
        if (m) setTimeout(() => resolve({ child, stderr: () => err, folder: m[1]! }), 700);
      });
      child.on('exit', () => reject(new Error(`exited early: ${err}`)));
    });
  }

  it('first SIGINT heals and writes everything; the exit code says unknown', async () => {
    const { child, stderr, folder } = await startLong(['--op-timeout', '1']);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    const code = await exited;
    expect(stderr()).toMatch(/SIGINT: stopping the generators/);
    expect(code).toBe(2);
    const results = JSON.parse(readFileSync(join(folder, 'results.json'), 'utf8'));
    expect(results.interrupted).toBe(true);
    expect(existsSync(join(folder, 'history.edn'))).toBe(true);
  });

  it('a second SIGINT aborts at once; the streamed history is on disk and analyzable', async () => {
    const { child, stderr, folder } = await startLong([]);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGINT'); // waits up to 30 s for the hung ops ...
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGINT'); // ... unless told again: 130 and the message, not a healed end
    expect(await exited).toBe(130);
    expect(stderr()).toMatch(/aborted without healing; the history so far is in .*history\.jsonl/);
    expect(existsSync(join(folder, 'results.json'))).toBe(false);
    const history = await readHistoryFile(join(folder, 'history.jsonl'));
    expect(history.length).toBeGreaterThan(100);
  });
});

describeBuilt('SIGKILL', () => {
  it('leaves a history that analyze checks', async () => {
    const file = plan(
      'killed.yaml',
      'name: killed\nworkload: noop\nworkloadOptions: {mode: set}\ntimeLimit: 120\nrate: 2000\nquiet: 0\n',
    );
    const child = spawn('node', [MAIN, 'run', file, '--no-progress'], { cwd: dir });
    child.stdout!.resume();
    let err = '';
    const folder = await new Promise<string>((resolve) => {
      child.stderr!.on('data', (d: Buffer) => {
        err += d.toString();
        const m = /run folder (\S+)/.exec(err);
        if (m) setTimeout(() => resolve(m[1]!), 2500);
      });
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    const history = await readHistoryFile(join(folder, 'history.jsonl'));
    expect(history.length).toBeGreaterThan(500);
    const a = faultline('analyze', folder);
    // The set checker needs the final read the run never made: unknown, exit 2.
    expect(a.status).toBe(2);
    expect(a.stdout).toMatch(/^unknown: \d+ ops checked by set/);
    expect(JSON.parse(readFileSync(join(folder, 'results.json'), 'utf8')).valid).toBe('unknown');
  });
});
