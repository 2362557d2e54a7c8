/**
 * faultline used from outside: the example in examples/toy-db (a toy counter server, its db
 * adapter, client, workload and checker) copied into a package of its own in a temp folder,
 * depending on faultline by path, type-checked against the public API only, and run end to end
 * with `faultline run` on a local ensemble of its own.
 */
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensembleDown, ensembleUp } from '../../src/ensemble/index.js';
import { describeBuilt, needsBuild, ROOT, requireBuilt } from '../support/cli.js';

const ENSEMBLE = 'flapi';
const SUBNET = '10.103.0.0/24';
const EXAMPLE = join(ROOT, 'examples', 'toy-db');
let dir = '';

function run(
  command: string,
  args: readonly string[],
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(command, args, { cwd: dir, encoding: 'utf8', timeout: 170_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `faultline ARGS…` as the package's own bin, the way `npx faultline` would run it. */
const faultline = (...args: string[]) =>
  run(process.execPath, [join(dir, 'node_modules', 'faultline', 'bin', 'faultline.js'), ...args]);

beforeAll(async () => {
  if (!needsBuild) return;
  requireBuilt();
  dir = mkdtempSync(join(tmpdir(), 'faultline-toy-db-'));
  for (const entry of ['package.json', 'tsconfig.json', 'server.py', 'src', 'plan.yaml', 'kill.yaml']) {
    cpSync(join(EXAMPLE, entry), join(dir, entry), { recursive: true });
  }
  // What `npm install` makes of `"faultline": "file:../.."`: a link; no registry needed.
  mkdirSync(join(dir, 'node_modules', '@types'), { recursive: true });
  symlinkSync(ROOT, join(dir, 'node_modules', 'faultline'));
  symlinkSync(join(ROOT, 'node_modules', 'typescript'), join(dir, 'node_modules', 'typescript'));
  symlinkSync(join(ROOT, 'node_modules', '@types', 'node'), join(dir, 'node_modules', '@types', 'node'));
  await ensembleDown(ENSEMBLE);
  await ensembleUp({ name: ENSEMBLE, nodes: 3, subnet: SUBNET });
}, 180_000);

afterAll(async () => {
  if (!dir) return;
  await ensembleDown(ENSEMBLE);
  rmSync(dir, { recursive: true, force: true });
});

describeBuilt('an out-of-tree package built on the public API', () => {
  it('imports only faultline and its public subpaths', () => {
    const sources = readdirSync(join(dir, 'src')).map((f) => readFileSync(join(dir, 'src', f), 'utf8'));
    const specifiers = sources.flatMap((s) => [...s.matchAll(/from '([^']+)'/g)].map((m) => m[1]!));
    expect(specifiers.length).toBeGreaterThan(5);
    for (const spec of specifiers) expect(spec).toMatch(/^(faultline(\/[a-z]+)?|node:.*|\.\/.*\.js)$/);
  });

  it('type-checks and builds against the published types', () => {
    const r = run(process.execPath, [
      join(dir, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      'tsconfig.json',
    ]);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('refuses a plan whose module lacks what it must export: plan file, line, field, exit 254', () => {
    writeFileSync(
      join(dir, 'wrong.yaml'),
      'workload: ./dist/counter-workload.js\ndb: ./dist/counter-workload.js\n',
    );
    const r = faultline('run', 'wrong.yaml', '--ensemble', ENSEMBLE);
    expect(r.stderr.trim()).toMatch(
      /^faultline: wrong\.yaml:2:5: field db: .*counter-workload\.js exports no db/,
    );
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.status).toBe(254);
  });

  it('runs its plan on the local ensemble: the toy counter is valid', () => {
    const r = faultline(
      'run',
      'plan.yaml',
      '--ensemble',
      ENSEMBLE,
      '--results-dir',
      'results',
      '--no-progress',
    );
    expect(r.stdout).toMatch(/^toy-counter: valid$/m);
    expect(r.status).toBe(0);
    const results = JSON.parse(
      readFileSync(join(dir, 'results', 'toy-counter', 'latest', 'results.json'), 'utf8'),
    );
    expect(results.results.counter.valid).toBe(true);
    expect(results.results[join(dir, 'dist', 'monotonic-reads.js')].valid).toBe(true);
    expect(results.stats.ok).toBeGreaterThan(50);
  });

  it('finds the adds a killed primary forgot (the counter lives in memory): invalid, exit 1', () => {
    const r = faultline(
      'run',
      'kill.yaml',
      '--ensemble',
      ENSEMBLE,
      '--results-dir',
      'results',
      '--no-progress',
    );
    expect(r.stdout).toMatch(/^toy-counter-kill: INVALID$/m);
    expect(r.status).toBe(1);
    const results = JSON.parse(
      readFileSync(join(dir, 'results', 'toy-counter-kill', 'latest', 'results.json'), 'utf8'),
    );
    expect(results.results.counter.valid).toBe(false);
  });
});
