/** `faultline check --checker list-append|rw-register` with Elle's options, end to end. */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opToJsonl } from '../../src/history/codecs/index.js';
import { historyOf } from './cases/notation.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = join(ROOT, 'dist/src/cli/main.js');
const SOURCES = [
  'src/cli/elle-options.ts',
  'src/cli/check.ts',
  'checkers/elle/index.ts',
  'checkers/elle/models.ts',
];

function faultline(...args: string[]) {
  const r = spawnSync('node', [join(ROOT, 'bin/faultline.js'), ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

let dir: string;
let lostUpdate: string;
let readSkew: string;
beforeAll(async () => {
  const newest = Math.max(...SOURCES.map((f) => statSync(join(ROOT, f)).mtimeMs));
  if (!existsSync(MAIN) || statSync(MAIN).mtimeMs < newest) {
    spawnSync('npx', ['tsc', '-p', '.'], { cwd: ROOT, stdio: 'ignore' });
  }
  dir = await mkdtemp(join(tmpdir(), 'fl-elle-cli-'));
  const write = async (name: string, h: ReturnType<typeof historyOf>) => {
    const path = join(dir, name);
    await writeFile(path, `${h.ops.map((op) => opToJsonl(op)).join('\n')}\n`);
    return path;
  };
  // Elle's lost-update-test: G2-item only through the unobserved-append rule.
  lostUpdate = await write(
    'lost-update.jsonl',
    historyOf('list-append', {
      serial: [
        [0, 'ax0'],
        [0, 'rx0ax1'],
        [0, 'rx0ax2'],
      ],
    }),
  );
  // Elle's wfr test: G-single only when writes follow reads.
  readSkew = await write(
    'wfr.jsonl',
    historyOf('rw-register', {
      concurrent: [
        ['ok', 'wx1wy1'],
        ['ok', 'ry1wx2wy2'],
        ['ok', 'rx2ry1'],
      ],
    }),
  );
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('faultline check, Elle options', () => {
  it('asks for anomalies directly and prints the lattice answer in JSON', () => {
    const r = faultline('check', lostUpdate, '--checker', 'list-append', '--anomalies', 'G2', '--json');
    expect(r.status).toBe(1);
    const result = JSON.parse(r.stdout);
    expect(result['anomaly-types']).toEqual(['G2-item', 'lost-update']);
    expect(result['other-anomaly-types']).toEqual([]);
    expect(result.not).toEqual(['cursor-stability', 'update-atomic']);
    expect(result['strongest-satisfied'].length).toBeGreaterThan(0);
    expect(result.anomalies['G2-item'][0].txns.length).toBe(2);
    // Asked only about G0, the rest is reported apart and the history is valid.
    const g0 = faultline('check', lostUpdate, '--checker', 'list-append', '--anomalies', 'G0', '--json');
    expect(g0.status).toBe(0);
    expect(JSON.parse(g0.stdout)['other-anomaly-types']).toEqual(['G2-item', 'lost-update']);
  });

  it('accepts every model of the lattice: update-atomic forbids lost updates', () => {
    const r = faultline(
      'check',
      lostUpdate,
      '--checker',
      'list-append',
      '--consistency-models',
      'update-atomic',
    );
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('lost-update');
    expect(
      faultline('check', lostUpdate, '--checker', 'list-append', '--consistency-models', 'read-committed')
        .status,
    ).toBe(0);
  });

  it('turns writes-follow-reads on and off', () => {
    const on = faultline(
      'check',
      readSkew,
      '--checker',
      'rw-register',
      '--consistency-models',
      'serializable',
      '--wfr-keys',
    );
    const off = faultline(
      'check',
      readSkew,
      '--checker',
      'rw-register',
      '--consistency-models',
      'serializable',
      '--no-wfr-keys',
    );
    expect(on.status).toBe(1);
    expect(on.stdout).toContain('G-single-item');
    expect(off.status).toBe(0);
    const keys = faultline(
      'check',
      readSkew,
      '--checker',
      'rw-register',
      '--linearizable-keys',
      '--sequential-keys',
      '--json',
    );
    expect([0, 1, 2]).toContain(keys.status);
  });

  it('names an unknown model or anomaly, lists the known ones, and exits 254', () => {
    const model = faultline(
      'check',
      lostUpdate,
      '--checker',
      'list-append',
      '--consistency-models',
      'serialisable',
    );
    expect(model.status).toBe(254);
    expect(model.stderr).toMatch(
      /--consistency-models: unknown consistency model serialisable; known: .*update-atomic/,
    );
    expect(model.stderr.trim().split('\n')).toHaveLength(1);
    const anomaly = faultline('check', lostUpdate, '--checker', 'rw-register', '--anomalies', 'G-sngle');
    expect(anomaly.status).toBe(254);
    expect(anomaly.stderr).toMatch(/--anomalies: unknown anomaly G-sngle; known: .*G-single-item/);
    const misplaced = faultline('check', lostUpdate, '--checker', 'set', '--anomalies', 'G0');
    expect(misplaced.status).toBe(254);
    expect(misplaced.stderr).toContain('--anomalies');
  });
});
