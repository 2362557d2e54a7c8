/**
 * The daemon script's kill, run by bash on this machine (a Remote whose `script` runs locally):
 * it ends the process and, when asked, removes the data dir in the same call.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExecResult, Remote } from '../../src/control/types.js';
import { daemonPid, killDaemon } from '../../src/db/daemon.js';

const local = {
  async script(_node: string, script: string, args: readonly string[] = []): Promise<ExecResult> {
    const r = spawnSync('bash', ['-c', script, 'bash', ...args], { encoding: 'utf8' });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  },
} as unknown as Remote;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'faultline-daemon-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('killDaemon', () => {
  it('kills the daemon, then removes the data dir when given one', async () => {
    const ref = { pidFile: join(dir, 'd.pid'), comm: 'sleep' };
    const data = join(dir, 'data');
    mkdirSync(join(data, 'member'), { recursive: true });
    writeFileSync(join(data, 'member', 'wal'), 'x');
    const child = spawn('sleep', ['300'], { stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    writeFileSync(ref.pidFile, String(child.pid));
    expect(await daemonPid(local, 'n1', ref)).toBe(child.pid);

    expect(await killDaemon(local, 'n1', ref, 0, data)).toBe(child.pid);
    await exited;
    expect(existsSync(data)).toBe(false);
    expect(existsSync(ref.pidFile)).toBe(false);

    // Nothing running: the data dir still goes, and the call says no pid.
    mkdirSync(data);
    expect(await killDaemon(local, 'n1', ref, 0, data)).toBeNull();
    expect(existsSync(data)).toBe(false);
    // Without a data dir, kill leaves files alone.
    mkdirSync(data);
    expect(await killDaemon(local, 'n1', ref)).toBeNull();
    expect(existsSync(data)).toBe(true);
  });
});
