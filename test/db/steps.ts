import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { NotHealthyError } from '../../src/db/health.js';
import { collectLogs } from '../../src/db/logs.js';
import type { Db, DbContext, HasDataFiles, HasPrimaries, Killable, Pausable } from '../../src/db/types.js';
import { type DbCluster, processAlive, processesNamed, SETTLE_MS, waitFor } from './fixture.js';

// The steps both db integration suites take alike; each suite keeps what is its own.

/** A db with the capabilities the steps rely on, and a `pid` (as the daemon adapters have). */
export type TestedDb = Db &
  Killable &
  Pausable &
  HasPrimaries &
  HasDataFiles & { pid(ctx: DbContext, node: string): Promise<number | null> };

/**
 * SIGKILLs the leader and expects one new leader; reports the fail-over time (how fast is a
 * figure of `npm run bench -- cluster`, not an assertion). The killed node stays down.
 */
export async function killLeaderExpectNewOne(
  db: TestedDb,
  cluster: DbCluster,
  report: (line: string) => void,
): Promise<{ leader: string; newLeader: string }> {
  const { ctx, remote } = cluster;
  const [leader] = await db.primaries(ctx);
  expect(leader).toBeDefined();
  const oldPid = (await db.pid(ctx, leader!))!;
  const killed = performance.now();
  await db.kill(ctx, leader!);
  expect(await processAlive(remote, leader!, oldPid)).toBe(false);
  const newLeader = await waitFor(`a new ${db.name} leader`, SETTLE_MS, async () => {
    const primaries = await db.primaries(ctx);
    return primaries.length === 1 && primaries[0] !== leader ? primaries[0] : undefined;
  });
  const failoverMs = performance.now() - killed;
  report(`kill -9 leader ${leader} -> new leader ${newLeader}: ${failoverMs.toFixed(0)} ms`);
  return { leader: leader!, newLeader };
}

/**
 * Pauses a follower and expects `awaitHealthy` to name just it; `whilePaused` checks more
 * before it is resumed. Resumed, the cluster must become healthy again.
 */
export async function pauseFollowerExpectUnhealthy(
  db: TestedDb,
  ctx: DbContext,
  whilePaused: (error: NotHealthyError, follower: string) => Promise<void>,
): Promise<void> {
  const [leader] = await db.primaries(ctx);
  const follower = ctx.nodes.find((n) => n !== leader)!;
  await db.pause(ctx, follower);
  try {
    const error = await db.awaitHealthy(ctx, 2_500).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotHealthyError);
    expect([...(error as NotHealthyError).unhealthy.keys()]).toEqual([follower]);
    await whilePaused(error as NotHealthyError, follower);
  } finally {
    await db.resume(ctx, follower);
  }
  await db.awaitHealthy(ctx, SETTLE_MS);
}

/**
 * Kills `node` and expects `awaitHealthy` to give up at its 2 s timeout, naming the node as
 * not running; then starts it again and waits for the cluster.
 */
export async function killNodeExpectTimeout(db: TestedDb, ctx: DbContext, node: string): Promise<void> {
  await db.kill(ctx, node);
  const error = await db.awaitHealthy(ctx, 2_000).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(NotHealthyError);
  expect([...(error as NotHealthyError).unhealthy.keys()]).toEqual([node]);
  expect((error as Error).message).toMatch(
    new RegExp(
      `^${db.name} not healthy after 2000 ms: 1 node\\(s\\) not serving: ${node} \\(${db.name} not running;`,
    ),
  );
  await db.start(ctx, node);
  await db.awaitHealthy(ctx, SETTLE_MS);
}

/** Collects every node's log into a temporary folder: one `logName` per node, the first matching `content` (a string: containing it). */
export async function expectLogsCollected(
  db: TestedDb,
  ctx: DbContext,
  logName: string,
  content: string | RegExp,
): Promise<void> {
  const dest = await mkdtemp(join(tmpdir(), 'faultline-db-logs-'));
  try {
    const { files, failures } = await collectLogs(db, ctx, dest);
    expect(failures).toEqual([]);
    expect(files).toEqual(ctx.nodes.map((n) => join(dest, n, logName)));
    expect(await readFile(files[0]!, 'utf8')).toMatch(content);
  } finally {
    await rm(dest, { recursive: true, force: true });
  }
}

/** Tears down every (running) node and expects no process called `comm` and no data left. */
export async function expectTeardownLeavesNothing(
  db: TestedDb,
  cluster: DbCluster,
  comm: string,
): Promise<void> {
  const { ctx, remote } = cluster;
  const pids = await Promise.all(ctx.nodes.map((node) => db.pid(ctx, node)));
  expect(pids.every((p) => p !== null)).toBe(true);
  await Promise.all(ctx.nodes.map((node) => db.teardown(ctx, node)));
  for (const [i, node] of ctx.nodes.entries()) {
    expect(await processAlive(remote, node, pids[i]!)).toBe(false);
    expect(await processesNamed(remote, node, comm)).toEqual([]);
    expect(await db.pid(ctx, node)).toBeNull();
    expect(await db.dataFiles(ctx, node)).toEqual([]);
  }
}
