/**
 * Kill/start, pause/resume, file damage, clock refusal and a combined schedule, on a real
 * 5-node etcd in the local ensemble.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clockNemesis, SHARED_CLOCK_REFUSAL } from '../../nemeses/clock.js';
import {
  buildNemesisPlan,
  finalNemesisOps,
  initialScheduleState,
  nextNemesisOp,
} from '../../nemeses/combined.js';
import { healLeftovers } from '../../nemeses/deadman.js';
import { type FileDamage, fileNemesis } from '../../nemeses/file.js';
import { killNemesis } from '../../nemeses/kill.js';
import { pauseNemesis, STOPPED_PIDS_SCRIPT } from '../../nemeses/pause.js';
import type { SshRemote } from '../../src/control/ssh.js';
import { etcd } from '../../src/db/etcd/index.js';
import type { DbContext } from '../../src/db/types.js';
import { ensembleDown, ensembleUp, localRemote } from '../../src/ensemble/index.js';
import { seededRandom } from '../../src/generator/random.js';
import {
  allPairs,
  ENSEMBLE,
  faultlineRules,
  measureReachability,
  nemesisContext,
  SUBNET,
} from '../nemeses/support/ensemble.js';

let remote: SshRemote;
let dbContext: DbContext;

beforeAll(async () => {
  await ensembleDown(ENSEMBLE);
  await ensembleUp({ name: ENSEMBLE, nodes: 5, subnet: SUBNET });
  remote = await localRemote(ENSEMBLE, { timeoutMs: 30_000 });
  dbContext = { remote, nodes: remote.nodes, options: { preVote: true } };
  await Promise.all(remote.nodes.map((n) => etcd.setup(dbContext, n)));
  await etcd.awaitHealthy(dbContext, 60_000);
});

afterAll(async () => {
  if (remote) {
    await Promise.all(remote.nodes.map((n) => healLeftovers(remote, n).catch(() => '')));
    await Promise.all(remote.nodes.map((n) => etcd.teardown(dbContext, n).catch(() => {})));
    await remote.close();
  }
  await ensembleDown(ENSEMBLE);
});

function ctxFor(seed: number) {
  const ctx = nemesisContext(remote, etcd, seed);
  ctx.dbContext = dbContext;
  return ctx;
}

async function etcdRunning(node: string): Promise<boolean> {
  const r = await remote.exec(node, ['sh', '-c', 'ps -eo comm= | grep -cx etcd || true']);
  return r.stdout.trim() !== '0';
}

async function stopped(node: string): Promise<number> {
  return (await remote.script(node, STOPPED_PIDS_SCRIPT)).stdout.split('\n').filter(Boolean).length;
}

describe('node faults on etcd', () => {
  it('kill majority takes etcd down on 3 nodes; start brings the cluster back', async () => {
    const nemesis = killNemesis();
    const ctx = ctxFor(3);
    const out = await nemesis.invoke(ctx, { f: 'kill', value: 'majority' });
    const { nodes } = out.value as { nodes: string[] };
    expect(nodes).toHaveLength(3);
    for (const n of remote.nodes) expect(await etcdRunning(n)).toBe(!nodes.includes(n));
    await nemesis.invoke(ctx, { f: 'start', value: null });
    await etcd.awaitHealthy(dbContext, 30_000);
    for (const n of remote.nodes) expect(await etcdRunning(n)).toBe(true);
  });

  it('pause primaries stops the leader; resume (and heal) let it go', async () => {
    const nemesis = pauseNemesis();
    const ctx = ctxFor(4);
    const leaders = await etcd.primaries(dbContext);
    const out = await nemesis.invoke(ctx, { f: 'pause', value: 'primaries' });
    const v = out.value as { nodes: string[]; pids: Record<string, number[]> };
    expect(v.nodes).toEqual(leaders);
    expect(v.pids[leaders[0]!]!.length).toBeGreaterThan(0);
    expect(await stopped(leaders[0]!)).toBeGreaterThan(0);
    await nemesis.invoke(ctx, { f: 'resume', value: null });
    expect(await stopped(leaders[0]!)).toBe(0);
    await nemesis.invoke(ctx, { f: 'pause', value: 'all' });
    await nemesis.heal(ctx);
    for (const n of remote.nodes) expect(await stopped(n)).toBe(0);
    await etcd.awaitHealthy(dbContext, 30_000);
  });

  it('truncate-file cuts the tail of a WAL on a stopped node, then restarts it', async () => {
    const nemesis = fileNemesis();
    const ctx = ctxFor(5);
    const out = await nemesis.invoke(ctx, {
      f: 'truncate-file',
      value: { targets: ['n2'], file: '.wal', bytes: 100 },
    });
    expect(out.error).toBeUndefined();
    const [d] = (out.value as { damages: FileDamage[] }).damages;
    expect(d!.node).toBe('n2');
    expect(d!.file).toMatch(/\.wal$/);
    expect(d!.truncatedTo).toBe(d!.sizeBefore - 100);
    // etcd repairs a torn WAL tail on start; the node rejoins.
    await etcd.awaitHealthy(dbContext, 30_000);
  });

  it('clock faults are refused on the local ensemble (one shared wall clock)', async () => {
    const before = Date.now();
    const out = await clockNemesis().invoke(ctxFor(6), {
      f: 'bump-clock',
      value: { targets: 'all', deltaMs: 60_000 },
    });
    expect(out.error).toBe(SHARED_CLOCK_REFUSAL);
    expect((out.value as { refused: string[] }).refused).toEqual(remote.nodes);
    expect(Math.abs(Date.now() - before)).toBeLessThan(5000);
  });

  it('a combined schedule (partition, kill, pause, packet) runs, and its final ops leave nothing behind', async () => {
    const plan = buildNemesisPlan({ families: ['partition', 'kill', 'pause', 'packet'], intervalS: 1 });
    const ctx = ctxFor(8);
    const random = seededRandom(8);
    await plan.nemesis.setup(ctx);
    let state = initialScheduleState(plan.schedule);
    const fs: string[] = [];
    for (let i = 0; i < 12; i++) {
      const next = nextNemesisOp(plan.schedule, state, random)!;
      state = next.state;
      const out = await plan.nemesis.invoke(ctx, next.op);
      expect(out.error).toBeUndefined();
      fs.push(next.op.f);
    }
    for (const op of finalNemesisOps(plan.schedule)) await plan.nemesis.invoke(ctx, op);
    await plan.nemesis.heal(ctx);
    console.log(`combined schedule ran: ${fs.join(' ')}`);
    expect(new Set(fs).size).toBeGreaterThan(3);
    expect(Object.values(await faultlineRules(remote)).flat()).toEqual([]);
    for (const n of remote.nodes) expect(await stopped(n)).toBe(0);
    expect(await measureReachability(remote)).toEqual(allPairs(remote.nodes));
    await etcd.awaitHealthy(dbContext, 60_000);
  });
});
