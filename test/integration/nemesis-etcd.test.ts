/**
 * A real 5-node etcd under every partition kind: writes through nodes on the majority side
 * commit, writes through the minority fail; after heal every member converges on the same
 * data, with every acknowledged write present. Clients talk to one node each, without retries.
 */
import { noop } from 'cockatiel';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GrudgeKind } from '../../nemeses/grudge.js';
import { type PartitionApplied, partitionNemesis } from '../../nemeses/partition.js';
import type { SshRemote } from '../../src/control/ssh.js';
import { etcd } from '../../src/db/etcd/index.js';
import type { DbContext } from '../../src/db/types.js';
import { ensembleDown, ensembleUp, localRemote } from '../../src/ensemble/index.js';
import { ENSEMBLE, nemesisContext, SUBNET } from '../nemeses/support/ensemble.js';

let remote: SshRemote;
let dbContext: DbContext;
const clients = new Map<string, Etcd3>();
/** Every write an etcd node acknowledged: key -> value. */
const acknowledged = new Map<string, string>();

beforeAll(async () => {
  await ensembleDown(ENSEMBLE);
  await ensembleUp({ name: ENSEMBLE, nodes: 5, subnet: SUBNET });
  remote = await localRemote(ENSEMBLE, { timeoutMs: 30_000 });
  dbContext = { remote, nodes: remote.nodes, options: { preVote: true } };
  await Promise.all(remote.nodes.map((n) => etcd.setup(dbContext, n)));
  await etcd.awaitHealthy(dbContext, 60_000);
  for (const node of remote.nodes) {
    clients.set(
      node,
      new Etcd3({
        hosts: `http://${etcd.endpoint(dbContext, node)}`,
        dialTimeout: 1500,
        faultHandling: { host: () => noop, global: noop },
        defaultCallOptions: () => ({ deadline: Date.now() + 2000 }),
      }),
    );
  }
});

afterAll(async () => {
  for (const c of clients.values()) c.close();
  if (remote) {
    await partitionNemesis()
      .heal(nemesisContext(remote))
      .catch(() => {});
    await Promise.all(remote.nodes.map((n) => etcd.teardown(dbContext, n).catch(() => {})));
    await remote.close();
  }
  await ensembleDown(ENSEMBLE);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Writes through every node, again and again, for `ms`: returns the nodes through which at
 * least one write was acknowledged.
 */
async function writesThrough(
  kind: string,
  ms: number,
  stopEarly: (ok: Set<string>) => boolean,
): Promise<Set<string>> {
  const ok = new Set<string>();
  const start = Date.now();
  let round = 0;
  while (Date.now() - start < ms) {
    round++;
    await Promise.all(
      remote.nodes.map(async (node) => {
        const key = `k-${kind}-${node}-${round}`;
        const value = `${Date.now()}`;
        try {
          await clients.get(node)!.put(key).value(value);
          ok.add(node);
          acknowledged.set(key, value);
        } catch {
          // Refused or timed out: this node cannot commit now.
        }
      }),
    );
    if (Date.now() - start > 6000 && stopEarly(ok)) break;
    await sleep(300);
  }
  return ok;
}

describe('5-node etcd under partitions', () => {
  const clean: GrudgeKind[] = ['one', 'halves', 'random-halves', 'majority', 'minority-third', 'primaries'];

  it.each(clean)('%s: the majority side commits, the minority refuses writes', async (kind) => {
    const nemesis = partitionNemesis();
    const ctx = nemesisContext(remote, etcd, 17, { preVote: true });
    ctx.dbContext = dbContext;
    const leadersBefore = await etcd.primaries(dbContext);
    const out = await nemesis.invoke(ctx, { f: 'start-partition', value: kind });
    const applied = out.value as PartitionApplied;
    const [majority, ...minorities] = applied.components;
    expect(majority!.length).toBeGreaterThanOrEqual(3);
    const minority = minorities.flat();
    if (kind === 'primaries') expect(minority).toEqual(leadersBefore);
    const ok = await writesThrough(kind, 20_000, (s) => majority!.every((n) => s.has(n)));
    console.log(
      `etcd ${kind}: sides ${applied.components.map((c) => c.join(',')).join(' | ')}; writes acknowledged via ${[...ok].sort().join(',')}`,
    );
    expect([...ok].sort()).toEqual(majority);
    await nemesis.invoke(ctx, { f: 'stop-partition', value: null });
    await etcd.awaitHealthy(dbContext, 30_000);
  });

  it.each(['majorities-ring', 'bridge'] as GrudgeKind[])(
    '%s: some node still commits (no clean majority side)',
    async (kind) => {
      const nemesis = partitionNemesis();
      const ctx = nemesisContext(remote, etcd, 23, { preVote: true });
      ctx.dbContext = dbContext;
      const out = await nemesis.invoke(ctx, { f: 'start-partition', value: kind });
      const ok = await writesThrough(kind, 12_000, (s) => s.size > 0);
      console.log(
        `etcd ${kind}: grudge ${JSON.stringify((out.value as PartitionApplied).grudge)}; writes via ${[...ok].sort().join(',')}`,
      );
      expect(ok.size).toBeGreaterThan(0);
      await nemesis.invoke(ctx, { f: 'stop-partition', value: null });
      await etcd.awaitHealthy(dbContext, 30_000);
    },
  );

  it('after heal every member converges on the same data, every acknowledged write included', async () => {
    expect(acknowledged.size).toBeGreaterThan(20);
    let views: Record<string, string>[] = [];
    for (let i = 0; i < 40; i++) {
      views = await Promise.all(
        remote.nodes.map((n) => clients.get(n)!.getAll().prefix('k-').serializable(true).strings()),
      );
      if (views.every((v) => JSON.stringify(v) === JSON.stringify(views[0]))) break;
      await sleep(250);
    }
    for (const v of views) expect(v).toEqual(views[0]);
    for (const [key, value] of acknowledged) expect(views[0]![key]).toBe(value);
  });
});
