/**
 * `faultline heal` on faults a vanished controller left behind (partition, packet delay,
 * paused processes, running watchdogs with a long lease): afterwards no FAULTLINE rule, no
 * stopped process, no watchdog, no NFQUEUE helper, and every pair talks.
 */
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeadmanSwitch, healLeftovers } from '../../nemeses/deadman.js';
import { packetNemesis } from '../../nemeses/packet.js';
import { partitionNemesis } from '../../nemeses/partition.js';
import { STOPPED_PIDS_SCRIPT } from '../../nemeses/pause.js';
import { registerHeal } from '../../src/cli/heal.js';
import type { SshRemote } from '../../src/control/ssh.js';
import { ensembleDown, ensembleUp, localRemote } from '../../src/ensemble/index.js';
import {
  allPairs,
  ENSEMBLE,
  faultlineRules,
  measureReachability,
  nemesisContext,
  SUBNET,
} from '../nemeses/support/ensemble.js';

let remote: SshRemote;

beforeAll(async () => {
  await ensembleDown(ENSEMBLE);
  await ensembleUp({ name: ENSEMBLE, nodes: 3, subnet: SUBNET });
  remote = await localRemote(ENSEMBLE, { timeoutMs: 30_000 });
});

afterAll(async () => {
  if (remote) {
    await Promise.all(remote.nodes.map((n) => healLeftovers(remote, n).catch(() => '')));
    await remote.close();
  }
  await ensembleDown(ENSEMBLE);
});

async function count(node: string, script: string): Promise<number> {
  return (await remote.script(node, script)).stdout.split('\n').filter(Boolean).length;
}

describe('faultline heal', () => {
  it('undoes partition, packet faults, pauses and watchdogs left by a vanished controller', async () => {
    const deadman = new DeadmanSwitch(remote, { timeoutS: 3600 });
    const ctx = { ...nemesisContext(remote), deadman };
    await partitionNemesis().invoke(ctx, { f: 'start-partition', value: 'one' });
    await packetNemesis().invoke(ctx, { f: 'start-packet', value: { targets: 'all', delayMs: 30 } });
    // A paused process, as the pause nemesis leaves it: SIGSTOPped, its pid in a heal snippet.
    const started = await remote.script(
      'n2',
      "setsid -f bash -c 'echo $$ > /run/fl-sleeper.pid; exec sleep 1000' </dev/null >/dev/null 2>&1; sleep 0.2; cat /run/fl-sleeper.pid",
    );
    const pid = Number(started.stdout.trim());
    await remote.exec('n2', ['kill', '-STOP', String(pid)]);
    await deadman.arm('n2', 'pause', `kill -CONT ${pid} 2>/dev/null; true`);
    deadman.stopTimer(); // the controller vanishes; with a one-hour lease nothing heals by itself

    expect((await measureReachability(remote)).length).toBe(2);
    expect(await count('n2', STOPPED_PIDS_SCRIPT)).toBe(1);
    expect(await count('n1', 'pgrep -f "[f]aultline-nfqueue" || true')).toBe(1);

    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => {
      lines.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    try {
      const program = new Command('faultline').exitOverride();
      registerHeal(program);
      await program.parseAsync(['node', 'faultline', 'heal', '--ensemble', ENSEMBLE]);
    } finally {
      process.stdout.write = write;
    }
    console.log(lines.join(''));
    expect(lines.join('')).toMatch(/n2: network healed; .*ran pause.sh/);

    expect(Object.values(await faultlineRules(remote)).flat()).toEqual([]);
    expect(await measureReachability(remote)).toEqual(allPairs(remote.nodes));
    for (const n of remote.nodes) {
      expect(await count(n, STOPPED_PIDS_SCRIPT)).toBe(0);
      expect(await count(n, 'pgrep -f "[f]aultline-watchdog" || true')).toBe(0);
      expect(await count(n, 'pgrep -f "[f]aultline-nfqueue" || true')).toBe(0);
    }
    await remote.exec('n2', ['kill', String(pid)], { allowFailure: true });
  });
});
