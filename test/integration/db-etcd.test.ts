import { execFileSync } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { etcd } from '../../src/db/etcd/index.js';
import { closeDbCluster, type DbCluster, dbCluster, SETTLE_MS } from '../db/fixture.js';
import {
  expectLogsCollected,
  expectTeardownLeavesNothing,
  killLeaderExpectNewOne,
  killNodeExpectTimeout,
  pauseFollowerExpectUnhealthy,
} from '../db/steps.js';

// Figures go to stdout so that a run of this file reports them.
const report = (line: string) => console.log(`[db-etcd] ${line}`);

async function readRemoteLog(cluster: DbCluster, node: string): Promise<string> {
  const result = await cluster.remote.exec(node, ['cat', etcd.paths(cluster.ctx, node).log]);
  return result.stdout;
}

describe('etcd on a 5-node local ensemble', () => {
  let cluster: DbCluster;

  beforeAll(async () => {
    cluster = await dbCluster(etcd, 5);
    report(`cluster up: ${cluster.upMs.toFixed(0)} ms`);
  });

  afterAll(async () => {
    await closeDbCluster(cluster);
  });

  it('becomes healthy after setup, with exactly one leader', async () => {
    const { ctx } = cluster;
    const started = performance.now();
    await Promise.all(ctx.nodes.map((node) => etcd.setup(ctx, node)));
    await etcd.awaitHealthy(ctx, SETTLE_MS);
    report(`setup -> healthy (5 nodes): ${(performance.now() - started).toFixed(0)} ms`);
    expect(await etcd.primaries(ctx)).toHaveLength(1);
    expect(await etcd.version(ctx, 'n1')).toMatch(/^3\.\d+\.\d+/);
    expect((await etcd.dataFiles(ctx, 'n1')).some((f) => f.endsWith('.wal'))).toBe(true);
  });

  it('elects a new leader after a kill -9 of the leader; the restarted node rejoins', async () => {
    const { ctx, remote } = cluster;
    const { leader, newLeader } = await killLeaderExpectNewOne(etcd, cluster, report);

    await etcd.start(ctx, leader);
    await etcd.awaitHealthy(ctx, SETTLE_MS);
    const statuses = await etcd.statuses(ctx);
    const rejoined = statuses.get(leader);
    // It serves again and follows the same leader as everyone else.
    expect(rejoined).not.toBeNull();
    expect(rejoined!.leaderId).toBe(statuses.get(newLeader)!.memberId);
    const members = await remote.exec(leader, ['etcdctl', 'member', 'list', '-w', 'simple']);
    expect(members.stdout).toContain(`, ${leader}, `);
  });

  it('a paused node stops answering; resumed, it answers again', async () => {
    const { ctx } = cluster;
    await pauseFollowerExpectUnhealthy(etcd, ctx, async (_error, follower) => {
      expect((await etcd.statuses(ctx, 1000)).get(follower)).toBeNull();
    });
  });

  it('awaitHealthy gives up at its timeout, naming the node that is down', async () => {
    const { ctx } = cluster;
    await killNodeExpectTimeout(etcd, ctx, 'n3');
  });

  it('stops a node gracefully, keeping its data', async () => {
    const { ctx } = cluster;
    const walBefore = await etcd.dataFiles(ctx, 'n4');
    await etcd.stop(ctx, 'n4');
    expect(await etcd.pid(ctx, 'n4')).toBeNull();
    expect(await etcd.dataFiles(ctx, 'n4')).toEqual(walBefore);
    expect(await readRemoteLog(cluster, 'n4')).toMatch(/received signal; shutting down|shutting down/);
    await etcd.start(ctx, 'n4');
    await etcd.awaitHealthy(ctx, SETTLE_MS);
  });

  it('collects every node log into a local folder', async () => {
    const { ctx } = cluster;
    await expectLogsCollected(etcd, ctx, 'etcd.log', '"msg":"');
  });

  it('runs from a release tarball uploaded to the nodes', async () => {
    const { remote } = cluster;
    // A tarball shaped like etcd's releases (etcd-vX-linux-amd64/{etcd,etcdctl}), from the Debian binaries.
    const work = await mkdtemp(join(tmpdir(), 'faultline-etcd-tarball-'));
    try {
      const top = join(work, 'etcd-v3.4.23-linux-amd64');
      await mkdir(top);
      await copyFile('/usr/bin/etcd', join(top, 'etcd'));
      await copyFile('/usr/bin/etcdctl', join(top, 'etcdctl'));
      await chmod(join(top, 'etcd'), 0o755);
      await chmod(join(top, 'etcdctl'), 0o755);
      const tarball = join(work, 'etcd.tar.gz');
      execFileSync('tar', ['-czf', tarball, '-C', work, 'etcd-v3.4.23-linux-amd64']);

      const ctx = { ...cluster.ctx, options: { tarball, dir: '/var/lib/etcd/faultline-tarball' } };
      await Promise.all(ctx.nodes.map((node) => etcd.teardown(cluster.ctx, node)));
      try {
        await Promise.all(ctx.nodes.map((node) => etcd.setup(ctx, node)));
        await etcd.awaitHealthy(ctx, SETTLE_MS);
        const pid = (await etcd.pid(ctx, 'n2'))!;
        const exe = await remote.exec('n2', ['readlink', `/proc/${pid}/exe`]);
        expect(exe.stdout.trim()).toBe('/var/lib/etcd/faultline-tarball/n2/etcd/dist/etcd');
        expect(await etcd.version(ctx, 'n2')).toBe('3.4.23');
      } finally {
        await Promise.all(ctx.nodes.map((node) => etcd.teardown(ctx, node)));
      }
    } finally {
      await rm(work, { recursive: true, force: true });
    }
    // Back to the Debian package for the next test.
    await Promise.all(cluster.ctx.nodes.map((node) => etcd.setup(cluster.ctx, node)));
    await etcd.awaitHealthy(cluster.ctx, 20_000);
  });

  it('teardown leaves no etcd process and no data', async () => {
    await expectTeardownLeavesNothing(etcd, cluster, 'etcd');
  });
});
