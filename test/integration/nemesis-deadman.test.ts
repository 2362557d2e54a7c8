/**
 * The node-side dead-man switch, for real: a separate controller process installs a
 * partition and a pause (SIGSTOP of etcd on a majority), keeps its leases for longer than N,
 * then is killed with SIGKILL. Within 2 × N seconds every node must have healed itself: no
 * FAULTLINE rules, no stopped process, every pair talks, no watchdog left.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healLeftovers } from '../../nemeses/deadman.js';
import { STOPPED_PIDS_SCRIPT } from '../../nemeses/pause.js';
import type { SshRemote } from '../../src/control/ssh.js';
import { etcd } from '../../src/db/etcd/index.js';
import type { DbContext } from '../../src/db/types.js';
import { ensembleDown, ensembleUp, localRemote } from '../../src/ensemble/index.js';
import {
  allPairs,
  ENSEMBLE,
  faultlineRules,
  measureReachability,
  SUBNET,
} from '../nemeses/support/ensemble.js';
import { requireBuilt } from '../support/cli.js';

const N = 6;
const ROOT = join(import.meta.dirname, '..', '..');
const CONTROLLER = join(ROOT, 'test', 'nemeses', 'support', 'controller.mjs');
let remote: SshRemote;
let dbContext: DbContext;
let child: ChildProcess | undefined;

beforeAll(async () => {
  // The controller runs as its own node process, on the compiled tree.
  requireBuilt();
  await ensembleDown(ENSEMBLE);
  await ensembleUp({ name: ENSEMBLE, nodes: 5, subnet: SUBNET });
  remote = await localRemote(ENSEMBLE, { timeoutMs: 30_000 });
  dbContext = { remote, nodes: remote.nodes, options: {} };
  await Promise.all(remote.nodes.map((n) => etcd.setup(dbContext, n)));
  await etcd.awaitHealthy(dbContext, 60_000);
});

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  if (remote) {
    await Promise.all(remote.nodes.map((n) => healLeftovers(remote, n).catch(() => '')));
    await Promise.all(remote.nodes.map((n) => etcd.teardown(dbContext, n).catch(() => {})));
    await remote.close();
  }
  await ensembleDown(ENSEMBLE);
});

async function stoppedProcesses(): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  await Promise.all(
    remote.nodes.map(async (n) => {
      out[n] = (await remote.script(n, STOPPED_PIDS_SCRIPT)).stdout.split('\n').filter(Boolean);
    }),
  );
  return out;
}

async function watchdogs(): Promise<string[]> {
  const out: string[] = [];
  await Promise.all(
    remote.nodes.map(async (n) => {
      const r = await remote.exec(n, [
        'sh',
        '-c',
        'ps -eo args= | grep -c "[f]aultline-watchdog.sh" || true',
      ]);
      if (r.stdout.trim() !== '0') out.push(n);
    }),
  );
  return out.sort();
}

function readyLine(proc: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    let err = '';
    proc.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const line = buf.split('\n').find((l) => l.startsWith('READY '));
      if (line) resolve(line.slice(6));
    });
    proc.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
    });
    proc.on('exit', (code) => reject(new Error(`controller exited ${code}: ${err}`)));
  });
}

describe('dead-man switch', () => {
  it(`heals partition and pause within 2 × ${N} s after the controller is SIGKILLed`, async () => {
    child = spawn(process.execPath, [CONTROLLER, ENSEMBLE, String(N)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const applied = JSON.parse(await readyLine(child)) as { pause: { nodes: string[] } };
    expect(applied.pause.nodes).toHaveLength(3);

    // While the controller lives, its renewals keep the faults in place past N seconds.
    await new Promise((r) => setTimeout(r, (N + 3) * 1000));
    expect((await measureReachability(remote)).length).toBe(8);
    const stopped = await stoppedProcesses();
    for (const n of applied.pause.nodes) expect(stopped[n]!.length).toBeGreaterThan(0);
    expect(Object.values(await faultlineRules(remote)).flat().length).toBeGreaterThan(0);
    expect(await watchdogs()).toEqual(remote.nodes);

    child.kill('SIGKILL');
    const killedAt = performance.now();
    let healedAfterMs = Number.POSITIVE_INFINITY;
    while (performance.now() - killedAt < 3 * N * 1000) {
      const rules = Object.values(await faultlineRules(remote)).flat();
      const still = Object.values(await stoppedProcesses()).flat();
      if (rules.length === 0 && still.length === 0) {
        healedAfterMs = performance.now() - killedAt;
        break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    console.log(`dead-man switch: healed ${(healedAfterMs / 1000).toFixed(1)} s after SIGKILL (N = ${N} s)`);
    expect(healedAfterMs).toBeLessThanOrEqual(2 * N * 1000);
    expect(healedAfterMs).toBeGreaterThanOrEqual((N - 2) * 1000);
    expect(await measureReachability(remote)).toEqual(allPairs(remote.nodes));
    expect(await watchdogs()).toEqual([]);
    // The resumed etcd cluster serves again.
    await etcd.awaitHealthy(dbContext, 30_000);
  });
});
