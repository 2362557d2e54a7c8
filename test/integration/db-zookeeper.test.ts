import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotHealthyError } from '../../src/db/health.js';
import { collectLogs } from '../../src/db/logs.js';
import { zookeeper } from '../../src/db/zookeeper.js';
import {
  closeDbCluster,
  type DbCluster,
  dbCluster,
  processAlive,
  processesNamed,
  waitFor,
} from '../db/fixture.js';

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

  it('serves within 15 s of setup, with exactly one leader', async () => {
    const { ctx } = cluster;
    const started = performance.now();
    await Promise.all(ctx.nodes.map((node) => zookeeper.setup(ctx, node)));
    await zookeeper.awaitHealthy(ctx, 15_000);
    const servingMs = performance.now() - started;
    report(`setup -> serving (3 nodes): ${servingMs.toFixed(0)} ms`);
    expect(servingMs).toBeLessThanOrEqual(15_000);
    expect(await zookeeper.primaries(ctx)).toHaveLength(1);
    const modes = [...(await zookeeper.modes(ctx)).values()].sort();
    expect(modes).toEqual(['follower', 'follower', 'leader']);
    expect(await zookeeper.version(ctx, 'n1')).toMatch(/^3\.8\./);
    expect((await zookeeper.dataFiles(ctx, 'n1')).some((f) => /\/version-2\/snapshot\.\w+$/.test(f))).toBe(
      true,
    );
  });

  it('elects a new leader within 5 s of a kill -9 of the leader; the restarted node rejoins', async () => {
    const { ctx, remote } = cluster;
    const [leader] = await zookeeper.primaries(ctx);
    expect(leader).toBeDefined();
    const oldPid = (await zookeeper.pid(ctx, leader!))!;
    const killed = performance.now();
    await zookeeper.kill(ctx, leader!);
    expect(await processAlive(remote, leader!, oldPid)).toBe(false);
    const newLeader = await waitFor('a new ZooKeeper leader', 5_000, async () => {
      const primaries = await zookeeper.primaries(ctx);
      return primaries.length === 1 && primaries[0] !== leader ? primaries[0] : undefined;
    });
    const failoverMs = performance.now() - killed;
    report(`kill -9 leader ${leader} -> new leader ${newLeader}: ${failoverMs.toFixed(0)} ms`);
    expect(failoverMs).toBeLessThanOrEqual(5_000);

    await zookeeper.start(ctx, leader!);
    await zookeeper.awaitHealthy(ctx, 15_000);
    expect((await zookeeper.modes(ctx)).get(leader!)).toBe('follower');
    expect(await zookeeper.primaries(ctx)).toEqual([newLeader]);
  });

  it('a paused node stops answering; resumed, it answers again', async () => {
    const { ctx } = cluster;
    const [leader] = await zookeeper.primaries(ctx);
    const follower = ctx.nodes.find((n) => n !== leader)!;
    await zookeeper.pause(ctx, follower);
    try {
      const error = await zookeeper.awaitHealthy(ctx, 2_500).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NotHealthyError);
      expect([...(error as NotHealthyError).unhealthy.keys()]).toEqual([follower]);
      expect((error as Error).message).toContain('no answer to srvr');
    } finally {
      await zookeeper.resume(ctx, follower);
    }
    await zookeeper.awaitHealthy(ctx, 10_000);
  });

  it('awaitHealthy gives up at its timeout, naming the node that is down', async () => {
    const { ctx } = cluster;
    await zookeeper.kill(ctx, 'n2');
    const started = performance.now();
    const error = await zookeeper.awaitHealthy(ctx, 2_000).catch((e: unknown) => e);
    const tookMs = performance.now() - started;
    expect(error).toBeInstanceOf(NotHealthyError);
    expect([...(error as NotHealthyError).unhealthy.keys()]).toEqual(['n2']);
    expect((error as Error).message).toMatch(
      /^zookeeper not healthy after 2000 ms: 1 node\(s\) not serving: n2 \(zookeeper not running;/,
    );
    expect(tookMs).toBeLessThan(6_000);
    await zookeeper.start(ctx, 'n2');
    await zookeeper.awaitHealthy(ctx, 15_000);
  });

  it('collects every node log into a local folder', async () => {
    const { ctx } = cluster;
    const dest = await mkdtemp(join(tmpdir(), 'faultline-db-logs-'));
    try {
      const { files, failures } = await collectLogs(zookeeper, ctx, dest);
      expect(failures).toEqual([]);
      expect(files).toEqual(ctx.nodes.map((n) => join(dest, n, 'zookeeper.log')));
      expect(await readFile(files[0]!, 'utf8')).toMatch(/INFO .*QuorumPeer/);
    } finally {
      await rm(dest, { recursive: true, force: true });
    }
  });

  it('teardown leaves no java process and no data', async () => {
    const { ctx, remote } = cluster;
    const pids = await Promise.all(ctx.nodes.map((node) => zookeeper.pid(ctx, node)));
    expect(pids.every((p) => p !== null)).toBe(true);
    await Promise.all(ctx.nodes.map((node) => zookeeper.teardown(ctx, node)));
    for (const [i, node] of ctx.nodes.entries()) {
      expect(await processAlive(remote, node, pids[i]!)).toBe(false);
      expect(await processesNamed(remote, node, 'java')).toEqual([]);
      expect(await zookeeper.pid(ctx, node)).toBeNull();
      expect(await zookeeper.dataFiles(ctx, node)).toEqual([]);
    }
  });
});
