/**
 * Power failures: `lose-unsynced` kills the db on target nodes at once and drops every write
 * their data dirs did not fsync (lossyfs, the db option `lossyDataDir`); the nodes stay off
 * until `power-on` starts them on what survived. `all` is a coordinated power failure of the
 * whole cluster. While a node is off, the dead-man switch holds a snippet that unmounts its
 * lossyfs, so a vanished controller leaves no FUSE mount behind.
 */

import { UNMOUNT_ALL_SNIPPET } from '../src/db/lossyfs/node.js';
import { type Db, type HasLossyDataDir, type Killable, requireCapability } from '../src/db/types.js';
import { InputError } from '../src/errors.js';
import { sharedDeadman } from './deadman.js';
import { resolveTargets } from './kill.js';
import type { Nemesis, NemesisContext, NemesisFamily } from './types.js';

function powerDb(ctx: NemesisContext): Db & Killable & HasLossyDataDir {
  const db = requireCapability(ctx.db, 'kill', 'the power nemesis');
  requireCapability(db, 'lossyDataDir', 'the power nemesis');
  return db as Db & Killable & HasLossyDataDir;
}

/**
 * The db options of a run with these families: with `power` among them and no `lossyDataDir`
 * in the plan, `lossyDataDir: true` (so `--nemesis power` works without a plan); else as given.
 */
export function dbOptionsForPower(
  families: readonly string[],
  dbOptions: Record<string, unknown>,
): Record<string, unknown> {
  if (!families.includes('power') || dbOptions.lossyDataDir !== undefined) return dbOptions;
  return { ...dbOptions, lossyDataDir: true };
}

/** Builds the power nemesis (`lose-unsynced`, `power-on`). `heal` powers on every node it failed. */
export function powerNemesis(): Nemesis {
  const off = new Set<string>();

  async function powerOn(ctx: NemesisContext, nodes: readonly string[]): Promise<string[]> {
    const db = powerDb(ctx);
    const deadman = ctx.deadman ?? sharedDeadman(ctx.remote);
    await Promise.all(
      nodes.map(async (node) => {
        await db.start(ctx.dbContext, node);
        off.delete(node);
        await deadman.disarm(node, 'power');
      }),
    );
    return [...nodes].sort();
  }

  return {
    name: 'power',
    fs: ['lose-unsynced', 'power-on'],
    async setup(ctx) {
      if (!powerDb(ctx).lossyDataDirEnabled(ctx.dbContext)) {
        throw new InputError(
          `the power nemesis needs ${ctx.db.name}'s data dirs on lossyfs: set db option lossyDataDir: true`,
          { field: 'db.options.lossyDataDir' },
        );
      }
    },
    async invoke(ctx, op) {
      const db = powerDb(ctx);
      if (op.f === 'lose-unsynced') {
        const { spec, nodes } = await resolveTargets(ctx, op, 'one');
        const deadman = ctx.deadman ?? sharedDeadman(ctx.remote);
        await Promise.all(nodes.map((node) => deadman.arm(node, 'power', UNMOUNT_ALL_SNIPPET)));
        // One power failure: every target's writeback stops before any server dies (a kill can
        // take seconds, and a writeback meanwhile would save what the failure loses), and every
        // server dies before any data is dropped.
        await Promise.all(nodes.map((node) => db.cutPower(ctx.dbContext, node)));
        await Promise.all(nodes.map((node) => db.kill(ctx.dbContext, node)));
        for (const node of nodes) off.add(node);
        const lost: Record<string, { files: number; bytes: number }> = {};
        await Promise.all(
          nodes.map(async (node) => {
            lost[node] = await db.loseUnsynced(ctx.dbContext, node);
          }),
        );
        ctx.log(`power failure on ${nodes.join(', ')}: ${JSON.stringify(lost)}`);
        return {
          value: {
            targets: spec,
            nodes,
            lost,
            mechanism: `${db.name} kill (SIGKILL), lossyfs drops unsynced writes`,
          },
        };
      }
      if (op.f === 'power-on') {
        const nodes = await powerOn(ctx, [...off]);
        return { value: { nodes, mechanism: `${db.name} start` } };
      }
      return { value: null, error: `power nemesis cannot ${op.f}` };
    },
    async heal(ctx) {
      await powerOn(ctx, [...off]);
    },
    async teardown(ctx) {
      await powerOn(ctx, [...off]);
    },
  };
}

/** Power failures: kill the db and drop its unsynced writes on target nodes, power on at the stop. */
export const powerFamily: NemesisFamily = {
  name: 'power',
  description:
    'kill the db and drop what its data dir did not fsync (needs db option lossyDataDir), then start it',
  requires: ['kill', 'lossyDataDir'],
  inAll: false,
  effects: { 'lose-unsynced': 'begins', 'power-on': 'ends' },
  style: { label: 'power loss', fill: 'rgba(234,88,12,0.14)', text: '#c2410c' },
  schedule: ({ targets }) => ({
    startOps: targets.map((t) => ({ f: 'lose-unsynced', value: t })),
    stopOp: { f: 'power-on', value: null },
    finalOps: [{ f: 'power-on', value: null }],
  }),
  create: powerNemesis,
};
