/**
 * Partitions on the real local ensemble: for every grudge, the reachability measured from
 * inside the nodes (TCP connects to each peer's sshd) must be exactly the grudge's; after
 * heal every pair talks again, and rules faultline did not make are left alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canTalk, type Grudge, type GrudgeKind } from '../../nemeses/grudge.js';
import { type PartitionApplied, partitionNemesis } from '../../nemeses/partition.js';
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
  await ensembleUp({ name: ENSEMBLE, nodes: 5, subnet: SUBNET });
  remote = await localRemote(ENSEMBLE, { timeoutMs: 20_000 });
});

afterAll(async () => {
  await remote?.close();
  await ensembleDown(ENSEMBLE);
});

function expectedReachability(grudge: Grudge, nodes: readonly string[]): string[] {
  return nodes
    .flatMap((a) => nodes.filter((b) => b !== a && canTalk(grudge, a, b)).map((b) => `${a}->${b}`))
    .sort();
}

describe('partition nemesis on the local ensemble', () => {
  const kinds: GrudgeKind[] = [
    'one',
    'halves',
    'random-halves',
    'majority',
    'minority-third',
    'majorities-ring',
    'bridge',
  ];

  it.each(kinds)(
    '%s: measured reachability is exactly the grudge, and heal restores all pairs',
    async (kind) => {
      const nemesis = partitionNemesis();
      const ctx = nemesisContext(remote, undefined, 7);
      await nemesis.setup(ctx);
      const out = await nemesis.invoke(ctx, { f: 'start-partition', value: kind });
      expect(out.error).toBeUndefined();
      const applied = out.value as PartitionApplied;
      expect(applied.kind).toBe(kind);
      expect(applied.mechanism).toBe('iptables');
      const measured = await measureReachability(remote);
      expect(measured).toEqual(expectedReachability(applied.grudge, remote.nodes));
      // Not trivially healed: every kind cuts something.
      expect(measured.length).toBeLessThan(20);
      await nemesis.invoke(ctx, { f: 'stop-partition', value: null });
      expect(await measureReachability(remote)).toEqual(allPairs(remote.nodes));
      expect(Object.values(await faultlineRules(remote)).flat()).toEqual([]);
    },
  );

  it('shapes as measured: halves is {n1,n2}|{n3,n4,n5}; a majorities ring leaves each node 2 peers', async () => {
    const nemesis = partitionNemesis();
    const ctx = nemesisContext(remote, undefined, 3);
    await nemesis.invoke(ctx, { f: 'start-partition', value: 'halves' });
    expect(await measureReachability(remote)).toEqual(
      ['n1->n2', 'n2->n1', 'n3->n4', 'n3->n5', 'n4->n3', 'n4->n5', 'n5->n3', 'n5->n4'].sort(),
    );
    await nemesis.invoke(ctx, { f: 'start-partition', value: 'majorities-ring' });
    const ring = await measureReachability(remote);
    for (const node of remote.nodes) expect(ring.filter((p) => p.startsWith(`${node}->`))).toHaveLength(2);
    await nemesis.heal(ctx);
    expect(await measureReachability(remote)).toEqual(allPairs(remote.nodes));
  });

  it('heal never touches rules it did not make', async () => {
    const foreign = [
      'iptables',
      '-w',
      '-A',
      'INPUT',
      '-p',
      'tcp',
      '--dport',
      '9',
      '-m',
      'comment',
      '--comment',
      'not-faultline',
      '-j',
      'ACCEPT',
    ];
    await remote.exec('n2', foreign);
    try {
      const nemesis = partitionNemesis();
      const ctx = nemesisContext(remote);
      await nemesis.invoke(ctx, { f: 'start-partition', value: { grudge: { n1: ['n2'], n2: ['n1'] } } });
      const during = (await remote.exec('n2', ['iptables', '-w', '-S'])).stdout;
      expect(during).toContain('-A FAULTLINE -s 10.79.0.11/32 -j DROP');
      expect(await measureReachability(remote)).toEqual(
        allPairs(remote.nodes).filter((p) => p !== 'n1->n2' && p !== 'n2->n1'),
      );
      await nemesis.heal(ctx);
      await nemesis.heal(ctx); // idempotent
      const after = (await remote.exec('n2', ['iptables', '-w', '-S'])).stdout;
      expect(after).toContain('not-faultline');
      expect(after).not.toContain('FAULTLINE');
    } finally {
      await remote.exec('n2', ['iptables', '-w', '-D', ...foreign.slice(3)], { allowFailure: true });
    }
  });
});
