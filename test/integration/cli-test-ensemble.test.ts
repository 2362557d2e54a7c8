/**
 * `faultline test --db etcd …` without `--nodes`: with the default local ensemble down, the
 * command brings it up (as `faultline start` does, saying so on stderr) and runs; a named
 * ensemble that is not up is bad input naming the command that makes it. It used to end in
 * "internal error" (exit 255) either way. Drives the real CLI command in-process and builds
 * the real default ensemble (`fl`, 10.77.0.0/24), which it takes down again.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerTest } from '../../src/cli/test.js';
import { ensembleDown, ensembleStatus } from '../../src/ensemble/index.js';
import { InputError } from '../../src/errors.js';

let results: string;
let builtHere = false;

beforeAll(async () => {
  results = await mkdtemp(join(tmpdir(), 'flf-cli-test-'));
});

afterAll(async () => {
  if (builtHere) await ensembleDown('fl');
  await rm(results, { recursive: true, force: true });
});

async function faultlineTest(args: string[]): Promise<{ exitCode: number | undefined; stderr: string }> {
  const program = new Command().exitOverride();
  registerTest(program);
  const lines: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  const before = process.exitCode;
  try {
    await program.parseAsync(['test', ...args, '--results-dir', results, '--no-progress'], { from: 'user' });
    return {
      exitCode: process.exitCode === undefined ? undefined : Number(process.exitCode),
      stderr: lines.join(''),
    };
  } finally {
    spy.mockRestore();
    process.exitCode = before;
  }
}

describe('faultline test without --nodes', () => {
  it('a named ensemble that is not up is bad input naming `faultline cluster up`', async () => {
    const run = faultlineTest(['--db', 'etcd', '--ensemble', 'flfnone', '--time-limit', '1']);
    await expect(run).rejects.toBeInstanceOf(InputError);
    await expect(run).rejects.toThrow(/faultline cluster up --name flfnone/);
  });

  it('brings the default local ensemble up, says so on stderr, and runs the test', async () => {
    const before = await ensembleStatus('fl');
    if (before.exists) {
      throw new Error('the default ensemble fl is up: this test needs it down (`faultline cluster down`)');
    }
    builtHere = true;
    const out = await faultlineTest([
      '--db',
      'etcd',
      '--workload',
      'register',
      '--nemesis',
      'none',
      // Long enough that some cas succeeds (over ten keys, 2 s at 20 ops/s often had none, and the
      // stats checker rightly calls such a run unknown).
      '--time-limit',
      '6',
      '--quiet',
      '0',
      '--concurrency',
      '2',
      '--rate',
      '50',
    ]);
    expect(out.stderr).toMatch(/bringing it up/);
    expect(out.exitCode ?? 0).toBe(0);
    const after = await ensembleStatus('fl');
    expect(after.nodes.length).toBe(5);
    expect(after.nodes.every((n) => n.sshReachable)).toBe(true);
  });
});
