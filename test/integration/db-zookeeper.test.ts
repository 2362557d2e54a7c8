import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zookeeper } from '../../src/db/zookeeper/index.js';
import { closeDbCluster, type DbCluster, dbCluster, SETTLE_MS } from '../db/fixture.js';
import {
  expectLogsCollected,
  expectTeardownLeavesNothing,
  killLeaderExpectNewOne,
  killNodeExpectTimeout,
  pauseFollowerExpectUnhealthy,
} from '../db/steps.js';

// Figures go to stdout so that a run of this file reports them.
const report = (line: string) => console.log(`[db-zookeeper] ${line}`);

describe('ZooKeeper on a 3-node local ensemble', () => {
  let cluster: DbCluster;

  beforeAll(async () => {
    cluster = await dbCluster(zookeeper, 3);
    report(`cluster up: ${cluster.upMs.toFixed(0)} ms`);
  });

  afterAll(async () => {
    await closeDbCluster(cluster);
  });

  it('serves after setup, with exactly one leader', async () => {
    const { ctx } = cluster;
    const started = performance.now();
    await Promise.all(ctx.nodes.map((node) => zookeeper.setup(ctx, node)));
    await zookeeper.awaitHealthy(ctx, SETTLE_MS);
    report(`setup -> serving (3 nodes): ${(performance.now() - started).toFixed(0)} ms`);
    expect(await zookeeper.primaries(ctx)).toHaveLength(1);
    const modes = [...(await zookeeper.modes(ctx)).values()].sort();
    expect(modes).toEqual(['follower', 'follower', 'leader']);
    expect(await zookeeper.version(ctx, 'n1')).toMatch(/^3\.8\./);
    expect((await zookeeper.dataFiles(ctx, 'n1')).some((f) => /\/version-2\/snapshot\.\w+$/.test(f))).toBe(
      true,
    );
  });

  it('elects a new leader after a kill -9 of the leader; the restarted node rejoins', async () => {
    const { ctx } = cluster;
    const { leader, newLeader } = await killLeaderExpectNewOne(zookeeper, cluster, report);

    await zookeeper.start(ctx, leader);
    await zookeeper.awaitHealthy(ctx, SETTLE_MS);
    expect((await zookeeper.modes(ctx)).get(leader)).toBe('follower');
    expect(await zookeeper.primaries(ctx)).toEqual([newLeader]);
  });

  it('a paused node stops answering; resumed, it answers again', async () => {
    const { ctx } = cluster;
    await pauseFollowerExpectUnhealthy(zookeeper, ctx, async (error) => {
      expect(error.message).toContain('no answer to srvr');
    });
  });

  it('awaitHealthy gives up at its timeout, naming the node that is down', async () => {
    const { ctx } = cluster;
    await killNodeExpectTimeout(zookeeper, ctx, 'n2');
  });

  it('collects every node log into a local folder', async () => {
    const { ctx } = cluster;
    await expectLogsCollected(zookeeper, ctx, 'zookeeper.log', /INFO .*QuorumPeer/);
  });

  it('teardown leaves no java process and no data', async () => {
    await expectTeardownLeavesNothing(zookeeper, cluster, 'java');
  });
});
