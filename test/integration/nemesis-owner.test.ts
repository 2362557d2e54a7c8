/**
 * The faults' safety net with two controllers and a bad network, on a real ensemble
 * (`flfown`, 3 nodes, 10.101.0.0/24, no db):
 * - owner tokens: a second run on nodes holding a live run's faults is refused naming that
 *   run, heals nothing of it, cannot stop its watchdog; `--force` takes the nodes over;
 * - packet faults leave the controller's SSH connection alone (its own htb class and iptables
 *   RETURN rules), so lease renewals get through an 8 kbit/s rate limit that peers do feel;
 * - a renewal that fails (the node's sshd unreachable) is recorded as the end of the node's
 *   faults, and the node does heal itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { combinedNemesis } from '../../nemeses/combined.js';
import { DeadmanSwitch, ForeignOwnerError, healLeftovers } from '../../nemeses/deadman.js';
import { packetNemesis } from '../../nemeses/packet.js';
import { partitionNemesis } from '../../nemeses/partition.js';
import type { NemesisContext } from '../../nemeses/types.js';
import type { SshRemote } from '../../src/control/ssh.js';
import { host } from '../../src/ensemble/host.js';
import { ensembleDown, ensembleStatus, ensembleUp, localRemote } from '../../src/ensemble/index.js';
import { faultlineRules, nemesisContext } from '../nemeses/support/ensemble.js';

const ENSEMBLE = 'flfown';
const SUBNET = '10.101.0.0/24';
let remote: SshRemote;

beforeAll(async () => {
  await ensembleDown(ENSEMBLE);
  await ensembleUp({ name: ENSEMBLE, nodes: 3, subnet: SUBNET });
  remote = await localRemote(ENSEMBLE, { timeoutMs: 20_000 });
});

afterAll(async () => {
  if (remote) {
    await Promise.all(remote.nodes.map((n) => healLeftovers(remote, n).catch(() => '')));
    await remote.close();
  }
  await ensembleDown(ENSEMBLE);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function watchdogRunning(node: string): Promise<boolean> {
  const r = await remote.exec(node, ['sh', '-c', 'ps -eo args= | grep -c "[f]aultline-watchdog.sh" || true']);
  return r.stdout.trim() !== '0';
}

function context(deadman: DeadmanSwitch, recorded?: { f: string; value: unknown }[]): NemesisContext {
  return {
    ...nemesisContext(remote),
    deadman,
    ...(recorded && { record: (f: string, value: unknown) => recorded.push({ f, value }) }),
  };
}

describe('owner tokens: two controllers on the same nodes', () => {
  it("refuses a second run on another live run's faults, naming it; --force takes over", async () => {
    const first = new DeadmanSwitch(remote, { timeoutS: 30, owner: 'first run (test)' });
    const firstCtx = context(first);
    const partition = partitionNemesis();
    await partition.invoke(firstCtx, { f: 'start-partition', value: 'halves' });
    const rulesBefore = await faultlineRules(remote);
    expect(Object.values(rulesBefore).flat().length).toBeGreaterThan(0);

    // A second run's combined nemesis: refused at setup, and its heal leaves the first's faults.
    const second = combinedNemesis(['partition', 'packet']);
    const secondCtx = nemesisContext(remote);
    const refused = second.setup(secondCtx);
    await expect(refused).rejects.toBeInstanceOf(ForeignOwnerError);
    await expect(refused).rejects.toThrow(/first run \(test\)/);
    await second.heal(secondCtx);
    await second.teardown(secondCtx);
    expect(await faultlineRules(remote)).toEqual(rulesBefore);

    // Its switch cannot arm there, nor stop the first's watchdogs by disarming.
    const secondSwitch = secondCtx.deadman!;
    await expect(secondSwitch.arm('n1', 'packet', 'true')).rejects.toThrow(/first run \(test\)/);
    await secondSwitch.disarm('n1', 'partition');
    for (const n of remote.nodes) expect(await watchdogRunning(n)).toBe(true);

    // With --force the nodes are taken over.
    const forced = new DeadmanSwitch(remote, { timeoutS: 30, owner: 'forced run', force: true });
    await forced.claim(remote.nodes);
    await forced.arm('n1', 'packet', 'true');
    await forced.disarm('n1', 'packet');

    // n1 is the forced run's now: the first run's heal leaves it, `faultline heal` clears it.
    await partition.heal(firstCtx);
    expect(await watchdogRunning('n2')).toBe(false);
    expect(await watchdogRunning('n1')).toBe(true);
    await Promise.all(remote.nodes.map((n) => healLeftovers(remote, n)));
    for (const n of remote.nodes) expect(await watchdogRunning(n)).toBe(false);
    await new DeadmanSwitch(remote).claim(remote.nodes);
  });
});

describe('packet faults exempt the control connection', () => {
  it('lease renewals pass an 8 kbit/s rate limit that traffic between peers goes through', async () => {
    const lost: string[] = [];
    const deadman = new DeadmanSwitch(remote, { timeoutS: 3, onLeaseLost: (node) => lost.push(node) });
    const ctx = context(deadman);
    const packet = packetNemesis();
    try {
      const out = await packet.invoke(ctx, { f: 'start-packet', value: { targets: 'all', rateKbit: 8 } });
      expect(out.error).toBeUndefined();
      // Three lease timeouts: renewals (1 s budget each) must all get through.
      await sleep(9_000);
      expect(lost).toEqual([]);
      for (const n of remote.nodes) expect(await watchdogRunning(n)).toBe(true);
      // Peer traffic is shaped (the default class), the controller's SSH is not (class 1:10).
      const peer = remote.address('n2');
      await remote.exec('n1', ['ping', '-c', '3', '-i', '0.2', '-W', '1', peer], { allowFailure: true });
      const stats = await remote.exec('n1', [
        'sh',
        '-c',
        'tc -s class show dev "$(cat /run/faultline/n1/qdisc.dev)"',
      ]);
      const sent = (cls: string): number =>
        Number(new RegExp(`class htb ${cls} [^\\n]*\\n\\s*Sent (\\d+) bytes`).exec(stats.stdout)?.[1] ?? 0);
      expect(sent('1:20')).toBeGreaterThan(0);
      expect(sent('1:10')).toBeGreaterThan(0);
    } finally {
      await packet.heal(ctx);
    }
  });
});

describe('a failed lease renewal', () => {
  it('is recorded as the end of the node’s faults, and the node heals itself', async () => {
    const recorded: { f: string; value: unknown }[] = [];
    const nemesis = combinedNemesis(['partition'], { deadmanTimeoutS: 3 });
    const ctx: NemesisContext = {
      ...nemesisContext(remote),
      record: (f, value) => recorded.push({ f, value }),
    };
    await nemesis.setup(ctx);
    await nemesis.invoke(ctx, { f: 'start-partition', value: 'halves' });
    const rules = await faultlineRules(remote);
    const victim = remote.nodes.find((n) => (rules[n] ?? []).length > 0)!;
    const netns = (await ensembleStatus(ENSEMBLE)).nodes.find((n) => n.name === victim)!.netns;
    // The controller loses the victim's sshd (as a controller cut off from a node would).
    const block = ['INPUT', '1', '-p', 'tcp', '--dport', '22', '-j', 'DROP'];
    await host(['ip', 'netns', 'exec', netns, 'iptables', '-w', '-I', ...block]);
    try {
      for (let i = 0; i < 20 && recorded.length === 0; i++) await sleep(500);
      expect(recorded).toEqual([
        {
          f: 'stop-partition',
          value: { nodes: [victim], cause: 'dead-man lease lost; the node heals itself' },
        },
      ]);
      // The node's watchdog heals it within the lease (3 s) of the last renewal.
      await sleep(5_000);
    } finally {
      await host(['ip', 'netns', 'exec', netns, 'iptables', '-w', '-D', ...block.filter((x) => x !== '1')]);
    }
    const check = await host([
      'ip',
      'netns',
      'exec',
      netns,
      'sh',
      '-c',
      'iptables -w -S | grep -c FAULTLINE || true',
    ]);
    expect(check.stdout.trim()).toBe('0');
    await nemesis.heal(ctx);
  });
});
