/**
 * Clock faults on the local ensemble: the nodes share the controller's wall clock, so the
 * clock nemesis skews only a JVM server, ZooKeeper, under libfaketime. Observed through
 * ZooKeeper's own data: a znode's ctime is stamped by the leader's clock, so bumping the
 * servers by +60 s shows in the ctime of a znode created right after; reset brings it back.
 * The machine's clock does not move.
 */
import zookeeperClient from 'node-zookeeper-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clockNemesis } from '../../nemeses/clock.js';
import { healLeftovers } from '../../nemeses/deadman.js';
import type { SshRemote } from '../../src/control/ssh.js';
import type { DbContext } from '../../src/db/types.js';
import { zookeeper } from '../../src/db/zookeeper/index.js';
import { ensembleDown, ensembleUp, localRemote } from '../../src/ensemble/index.js';
import { ENSEMBLE, nemesisContext, SUBNET } from '../nemeses/support/ensemble.js';

let remote: SshRemote;
let dbContext: DbContext;
let client: zookeeperClient.Client | undefined;

beforeAll(async () => {
  await ensembleDown(ENSEMBLE);
  await ensembleUp({ name: ENSEMBLE, nodes: 3, subnet: SUBNET });
  remote = await localRemote(ENSEMBLE, { timeoutMs: 30_000 });
  dbContext = { remote, nodes: remote.nodes, options: {} };
  await Promise.all(remote.nodes.map((n) => zookeeper.setup(dbContext, n)));
  await zookeeper.awaitHealthy(dbContext, 90_000);
});

afterAll(async () => {
  client?.close();
  if (remote) {
    await Promise.all(remote.nodes.map((n) => healLeftovers(remote, n).catch(() => '')));
    await Promise.all(remote.nodes.map((n) => zookeeper.teardown(dbContext, n).catch(() => {})));
    await remote.close();
  }
  await ensembleDown(ENSEMBLE);
});

function connect(): Promise<zookeeperClient.Client> {
  const hosts = remote.nodes.map((n) => zookeeper.endpoint(dbContext, n)).join(',');
  const c = zookeeperClient.createClient(hosts, { sessionTimeout: 10_000, spinDelay: 200, retries: 0 });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no ZooKeeper session in 30 s')), 30_000);
    c.once('connected', () => {
      clearTimeout(timer);
      resolve(c);
    });
    c.connect();
  });
}

/** Creates a znode and returns (its ctime - the controller's time at creation), in ms. */
async function ctimeSkewMs(path: string): Promise<number> {
  client ??= await connect();
  const c = client;
  const before = Date.now();
  await new Promise<void>((resolve, reject) =>
    c.create(path, Buffer.from('x'), (err) => (err ? reject(err) : resolve())),
  );
  const after = Date.now();
  const stat = await new Promise<zookeeperClient.Stat>((resolve, reject) =>
    c.exists(path, (err, s) => (err ? reject(err) : resolve(s))),
  );
  const ctime = Number(stat.ctime.readBigInt64BE(0));
  // A create that waited for an election says nothing precise about the leader's clock.
  return after - before > 1000 ? Number.NaN : ctime - (before + after) / 2;
}

async function until<T>(f: () => Promise<T>, ok: (x: T) => boolean, ms: number): Promise<T> {
  const end = Date.now() + ms;
  let x = await f();
  while (!ok(x) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 500));
    x = await f();
  }
  return x;
}

describe('clock nemesis on ZooKeeper (libfaketime)', () => {
  it('bumping the servers by +60 s shows in znode ctimes; reset undoes it; the host clock stays', async () => {
    expect(Math.abs(await ctimeSkewMs('/fl-before'))).toBeLessThan(2000);
    const nemesis = clockNemesis();
    const ctx = nemesisContext(remote, zookeeper, 9);
    ctx.dbContext = dbContext;
    const hostBefore = Date.now();
    // Every server: whichever leads after the restarts under libfaketime stamps the znodes.
    const out = await nemesis.invoke(ctx, { f: 'bump-clock', value: { targets: 'all', deltaMs: 60_000 } });
    expect(out.error).toBeUndefined();
    expect((out.value as { mechanism: string }).mechanism).toMatch(/libfaketime/);
    try {
      await zookeeper.awaitHealthy(dbContext, 60_000);
    } catch (e) {
      for (const n of remote.nodes) {
        const files = await zookeeper.logFiles(dbContext, n);
        const r = await remote.exec(n, [
          'sh',
          '-c',
          `tail -n 15 ${files.join(' ')}; cat /run/faultline/*/faketime; ps -eo pid,stat,etime,args | grep [j]ava | cut -c1-250`,
        ]);
        console.log(`DEBUG ${n}:\n${r.stdout}`);
      }
      throw e;
    }
    let i = 0;
    const skewed = await until(
      () => ctimeSkewMs(`/fl-bumped-${i++}`),
      (s) => s > 55_000,
      20_000,
    );
    console.log(
      `clock bump +60 s on all ZooKeeper servers via libfaketime: znode ctime skew ${(skewed / 1000).toFixed(1)} s`,
    );
    expect(skewed).toBeGreaterThan(55_000);
    expect(skewed).toBeLessThan(65_000);
    expect(Math.abs(Date.now() - hostBefore)).toBeLessThan(120_000);
    await nemesis.invoke(ctx, { f: 'reset-clock', value: { targets: 'all' } });
    const back = await until(
      () => ctimeSkewMs(`/fl-reset-${i++}`),
      (s) => Math.abs(s) < 3000,
      20_000,
    );
    console.log(`after reset-clock: znode ctime skew ${(back / 1000).toFixed(1)} s`);
    expect(Math.abs(back)).toBeLessThan(3000);
  });
});
