/**
 * The NATS adapter on its own 3-node local ensemble `flnats` (10.105.0.0/24): setup, health
 * (a JetStream meta leader), kill and restart of a leader, pause, logs, teardown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nats } from '../../src/db/nats/db.js';
import { type DbCluster, processAlive, waitFor } from '../db/fixture.js';
import { natsCluster } from '../db/nats-fixture.js';
import {
  expectLogsCollected,
  expectTeardownLeavesNothing,
  killNodeExpectTimeout,
  pauseFollowerExpectUnhealthy,
} from '../db/steps.js';

const report = (line: string) => console.log(`[db-nats] ${line}`);

describe('NATS JetStream on a 3-node local ensemble', () => {
  let cluster: DbCluster | undefined;

  beforeAll(async () => {
    cluster = await natsCluster(3, { primaries: 'meta' });
    report(`cluster up: ${cluster.upMs.toFixed(0)} ms`);
  }, 120_000);

  afterAll(async () => {
    await cluster?.close();
  }, 120_000);

  it('serves within 15 s of setup, with exactly one JetStream meta leader all agree on', async () => {
    const { ctx } = cluster!;
    const started = performance.now();
    await Promise.all(ctx.nodes.map((node) => nats.setup(ctx, node)));
    await nats.awaitHealthy(ctx, 15_000);
    report(`setup -> healthy (3 nodes): ${(performance.now() - started).toFixed(0)} ms`);
    const primaries = await nats.primaries(ctx);
    expect(primaries).toHaveLength(1);
    const views = await nats.views(ctx);
    for (const view of views.values()) {
      expect(view?.metaLeader).toBe(primaries[0]);
      expect(view?.clusterSize).toBe(3);
    }
    expect(await nats.version(ctx, 'n1')).toMatch(/^2\.\d+\.\d+/);
  });

  it('elects a new meta leader after a kill -9 of the leader; the restarted node rejoins', async () => {
    const { ctx, remote } = cluster!;
    const [leader] = await nats.primaries(ctx);
    expect(leader).toBeDefined();
    const oldPid = (await nats.pid(ctx, leader!))!;
    const killed = performance.now();
    await nats.kill(ctx, leader!);
    expect(await processAlive(remote, leader!, oldPid)).toBe(false);
    // NATS' Raft election timeout is several seconds (etcd's and ZooKeeper's steps allow 5 s).
    const newLeader = await waitFor('a new JetStream meta leader', 30_000, async () => {
      const primaries = await nats.primaries(ctx);
      return primaries.length === 1 && primaries[0] !== leader ? primaries[0] : undefined;
    });
    report(
      `kill -9 meta leader ${leader} -> new leader ${newLeader}: ${(performance.now() - killed).toFixed(0)} ms`,
    );
    await nats.start(ctx, leader!);
    await nats.awaitHealthy(ctx, 20_000);
    expect(await nats.primaries(ctx)).toEqual([newLeader]);
  });

  it('a paused node stops answering; resumed, it answers again', async () => {
    await pauseFollowerExpectUnhealthy(nats, cluster!.ctx, async (error) => {
      expect(error.message).toMatch(/runs but is not healthy/);
    });
  });

  it('awaitHealthy gives up at its timeout, naming the node that is down', async () => {
    // A follower: killing the meta leader leaves every node without one (all unhealthy) until
    // the next election, which is the leader test's subject, not this one's.
    const { ctx } = cluster!;
    const leaders = await nats.primaries(ctx);
    const follower = ctx.nodes.find((node) => !leaders.includes(node))!;
    await killNodeExpectTimeout(nats, ctx, follower);
  });

  it('collects every node log into a local folder', async () => {
    await expectLogsCollected(nats, cluster!.ctx, 'nats-server.log', /JetStream cluster/);
  });

  it('teardown leaves no nats-server process and no data', async () => {
    await expectTeardownLeavesNothing(nats, cluster!, 'nats-server');
  });
});
