/**
 * Clients hosted in processes of their own really stop: a SIGSTOPped client process is in
 * state T and answers nothing until SIGCONT, then answers as if nothing happened; shutdown
 * ends every process the pool started. Runs the compiled worker (dist/), with the in-process
 * `noop` workload (no db), so no ensemble is needed.
 */
import { readFileSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import type { Completion } from '../../src/client/types.js';
import { ClientProcessPool } from '../../src/run/client-host.js';
import { describeBuilt, requireBuilt } from '../support/cli.js';

function state(pid: number): string {
  // /proc/<pid>/stat: "pid (comm) S ..."; comm may hold spaces, so read after the last ')'.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}

/** The state once it settles: a signal is delivered after kill() returns, not during it. */
async function settledState(pid: number, want: (s: string) => boolean): Promise<string> {
  for (let i = 0; i < 100 && !want(state(pid)); i++) await new Promise((r) => setTimeout(r, 20));
  return state(pid);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const ctx = (process: number) => ({ process, signal: new AbortController().signal });

let pool: ClientProcessPool | undefined;
afterEach(async () => {
  await pool?.shutdown();
  pool = undefined;
});

describeBuilt('client processes', () => {
  it('run the workload client in a child that SIGSTOP freezes and SIGCONT resumes', async () => {
    requireBuilt();
    pool = new ClientProcessPool({
      workload: 'noop',
      db: 'none',
      options: { latencyMs: 50 },
      dbOptions: {},
      concurrency: 1,
      nodes: [],
      endpoints: {},
    });
    const client = pool.newClient();
    await client.open('local');
    expect(await client.invoke({ f: 'write', value: 1 }, ctx(0))).toEqual({ type: 'ok' });
    const [hosted] = pool.list();
    expect(hosted).toMatchObject({ process: 0, holding: false, paused: false });
    const pid = hosted!.pid;
    expect(pid).not.toBe(process.pid);

    expect(pool.pause(pid)).toBe(true);
    expect(await settledState(pid, (s) => s === 'T')).toBe('T');
    expect(pool.list()[0]).toMatchObject({ pid, paused: true });
    let answer: Completion | undefined;
    const read = client.invoke({ f: 'read', value: null }, ctx(0)).then((c) => {
      answer = c;
    });
    // Many times its latency: a running client would have answered long ago.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(answer).toBeUndefined();

    expect(pool.resume(pid)).toBe(true);
    await read;
    expect(answer).toEqual({ type: 'ok', value: 1 });
    expect(await settledState(pid, (s) => s !== 'T')).not.toBe('T');

    await client.close();
    expect(pool.list()).toEqual([]);
    await pool.shutdown();
    expect(alive(pid)).toBe(false);
  });

  it('shutdown resumes and ends a process that is still paused', async () => {
    requireBuilt();
    pool = new ClientProcessPool({
      workload: 'noop',
      db: 'none',
      options: {},
      dbOptions: {},
      concurrency: 1,
      nodes: [],
      endpoints: {},
    });
    const client = pool.newClient();
    await client.open('local');
    const pid = pool.list()[0]!.pid;
    pool.pause(pid);
    await pool.shutdown();
    expect(alive(pid)).toBe(false);
  });
});
