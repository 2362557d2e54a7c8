/**
 * The node watch's bookkeeping, on an in-memory stand-in for a db (pure logic: which nodes
 * should run, given the calls made on the db, and what a probe then means).
 */
import { describe, expect, it } from 'vitest';
import type { NodeCrash, NodeStatus } from '../../checkers/crash.js';
import { CRASH_F, STATUS_F } from '../../checkers/crash.js';
import { parseFamilies } from '../../nemeses/combined.js';
import type { Remote } from '../../src/control/types.js';
import type { Db, DbContext } from '../../src/db/types.js';
import { NodeWatch } from '../../src/run/node-watch.js';

/** A db whose servers are entries of a map: kill/start/setup change them, `die` makes one vanish. */
function fakeDb(failStart = new Set<string>()) {
  const pids = new Map<string, number>();
  let next = 100;
  const db = {
    name: 'fake',
    clients: {},
    async setup(_ctx: DbContext, node: string) {
      pids.set(node, next++);
    },
    async teardown(_ctx: DbContext, node: string) {
      pids.delete(node);
    },
    async awaitHealthy() {},
    endpoint: (_ctx: DbContext, node: string) => node,
    async kill(_ctx: DbContext, node: string) {
      pids.delete(node);
    },
    async start(_ctx: DbContext, node: string) {
      if (failStart.has(node)) throw new Error(`${node} would not start`);
      pids.set(node, next++);
    },
    async pid(_ctx: DbContext, node: string) {
      return pids.get(node) ?? null;
    },
  };
  return { db: db as unknown as Db, die: (node: string) => pids.delete(node) };
}

const remote = { exec: async () => ({ code: 0, stdout: '', stderr: '' }) } as unknown as Remote;
const ctx: DbContext = { remote, nodes: ['n1', 'n2', 'n3'], options: {} };

function events() {
  const recorded: { f: string; value: unknown }[] = [];
  return { recorded, record: (f: string, value: unknown) => recorded.push({ f, value }) };
}

async function settle(watch: NodeWatch): Promise<void> {
  // The probes run on a timer; a few ticks let one complete.
  await new Promise((r) => setTimeout(r, 40));
  await (watch as unknown as { probing?: Promise<void> }).probing;
}

describe('node watch', () => {
  it('sees nothing wrong when nodes go down and up through the db', async () => {
    const { db } = fakeDb();
    const watch = new NodeWatch(db, ctx, 5);
    const tracked = watch.tracked();
    for (const n of ctx.nodes) await tracked.setup(ctx, n);
    const { recorded, record } = events();
    watch.start(record);
    await (tracked as unknown as { kill: Db['setup'] }).kill(ctx, 'n2');
    await settle(watch);
    await (tracked as unknown as { start: Db['setup'] }).start(ctx, 'n2');
    await settle(watch);
    await watch.finish();
    expect(recorded.filter((e) => e.f === CRASH_F)).toEqual([]);
    const status = recorded.find((e) => e.f === STATUS_F)!.value as Extract<NodeStatus, { watched: true }>;
    expect(status.alive).toEqual(['n1', 'n2', 'n3']);
    expect(status.probes).toBeGreaterThan(3);
  });

  it('records a server that vanished on its own once, with its last pid', async () => {
    const { db, die } = fakeDb();
    const watch = new NodeWatch(db, ctx, 5);
    const tracked = watch.tracked();
    for (const n of ctx.nodes) await tracked.setup(ctx, n);
    const { recorded, record } = events();
    watch.start(record);
    await settle(watch);
    die('n3');
    await settle(watch);
    await settle(watch);
    await watch.finish();
    const crashes = recorded.filter((e) => e.f === CRASH_F).map((e) => e.value as NodeCrash);
    expect(crashes).toEqual([
      expect.objectContaining({ node: 'n3', kind: 'exited', final: false, lastPid: 102 }),
    ]);
    const status = recorded.find((e) => e.f === STATUS_F)!.value as Extract<NodeStatus, { watched: true }>;
    expect(status.dead).toEqual(['n3']);
  });

  it('records a node whose restart failed as not come back', async () => {
    const { db } = fakeDb(new Set(['n1']));
    const watch = new NodeWatch(db, ctx, 1000);
    const tracked = watch.tracked() as Db & { kill: Db['setup']; start: Db['setup'] };
    for (const n of ctx.nodes) await tracked.setup(ctx, n);
    const { recorded, record } = events();
    watch.start(record);
    await tracked.kill(ctx, 'n1');
    await expect(tracked.start(ctx, 'n1')).rejects.toThrow('would not start');
    await watch.finish();
    const crashes = recorded.filter((e) => e.f === CRASH_F).map((e) => e.value as NodeCrash);
    expect(crashes).toEqual([
      expect.objectContaining({
        node: 'n1',
        kind: 'no-restart',
        final: true,
        startError: 'n1 would not start',
      }),
    ]);
  });

  it('says the servers were not watched when the db cannot tell a pid', async () => {
    const { db } = fakeDb();
    const blind = { ...db, pid: undefined } as unknown as Db;
    const watch = new NodeWatch(blind, ctx, 5);
    const { recorded, record } = events();
    watch.start(record);
    await watch.finish();
    expect(recorded).toEqual([
      { f: STATUS_F, value: { watched: false, reason: "db fake cannot tell its server's pid" } },
    ]);
  });
});

describe('--nemesis all', () => {
  it('is every family the db can take: clock and file included, pause left out for a db without it', () => {
    const { db } = fakeDb();
    const withFiles = { ...db, dataFiles: async () => [] } as unknown as Db;
    expect(parseFamilies('all', { field: 'nemesis' }, withFiles)).toEqual(
      expect.arrayContaining(['partition', 'packet', 'kill', 'clock', 'file']),
    );
    expect(parseFamilies('all', { field: 'nemesis' }, withFiles)).not.toContain('pause');
    expect(parseFamilies('all', { field: 'nemesis' }, db)).not.toContain('file');
  });
});
