/**
 * Process pauses: SIGSTOP the db on target nodes (`pause`) and SIGCONT it (`resume`). The
 * pids the pause stopped are left on the node for the dead-man switch, which SIGCONTs them if
 * the controller disappears.
 */

import { requireCapability } from '../src/db/types.js';
import { sharedDeadman } from './deadman.js';
import { resolveTargets } from './kill.js';
import type { Nemesis, NemesisContext, NemesisFamily } from './types.js';

/** Prints the pids of stopped processes visible on the node, one a line. */
export const STOPPED_PIDS_SCRIPT = `ps -eo pid=,stat= | awk '$2 ~ /^T/ { print $1 }'`;

/** The dead-man snippet that resumes the given pids. */
export function resumePidsSnippet(pids: readonly number[]): string {
  return pids.length === 0 ? 'true' : `kill -CONT ${pids.join(' ')} 2>/dev/null; true`;
}

async function stoppedPids(ctx: NemesisContext, node: string): Promise<Set<number>> {
  const r = await ctx.remote.script(node, STOPPED_PIDS_SCRIPT, [], { allowFailure: true });
  return new Set(
    r.stdout
      .split('\n')
      .map((l) => Number.parseInt(l.trim(), 10))
      .filter((n) => Number.isInteger(n)),
  );
}

/** Builds the pause nemesis (`pause`, `resume`). `heal` resumes every node it paused. */
export function pauseNemesis(): Nemesis {
  /** node -> pids this nemesis stopped there. */
  const paused = new Map<string, number[]>();

  async function resumeNodes(ctx: NemesisContext, nodes: readonly string[]): Promise<string[]> {
    const deadman = ctx.deadman ?? sharedDeadman(ctx.remote);
    await Promise.all(
      nodes.map(async (node) => {
        await requireCapability(ctx.db, 'pause', 'the pause nemesis').resume(ctx.dbContext, node);
        const pids = paused.get(node) ?? [];
        if (pids.length > 0)
          await ctx.remote.script(node, resumePidsSnippet(pids), [], { allowFailure: true });
        paused.delete(node);
        await deadman.disarm(node, 'pause');
      }),
    );
    return [...nodes].sort();
  }

  return {
    name: 'pause',
    fs: ['pause', 'resume'],
    async setup() {},
    async invoke(ctx, op) {
      const deadman = ctx.deadman ?? sharedDeadman(ctx.remote);
      if (op.f === 'pause') {
        const { spec, nodes } = await resolveTargets(ctx, op, 'one');
        const pids: Record<string, number[]> = {};
        await Promise.all(
          nodes.map(async (node) => {
            const before = await stoppedPids(ctx, node);
            await requireCapability(ctx.db, 'pause', 'the pause nemesis').pause(ctx.dbContext, node);
            const after = await stoppedPids(ctx, node);
            const mine = [
              ...new Set([...(paused.get(node) ?? []), ...[...after].filter((p) => !before.has(p))]),
            ];
            paused.set(node, mine);
            pids[node] = mine;
            await deadman.arm(node, 'pause', resumePidsSnippet(mine));
          }),
        );
        ctx.log(`paused ${nodes.join(', ')}`);
        return { value: { targets: spec, nodes, pids, mechanism: `${ctx.db.name} pause (SIGSTOP)` } };
      }
      if (op.f === 'resume') {
        const nodes = await resumeNodes(ctx, [...paused.keys()]);
        return { value: { nodes, mechanism: `${ctx.db.name} resume (SIGCONT)` } };
      }
      return { value: null, error: `pause nemesis cannot ${op.f}` };
    },
    async heal(ctx) {
      await resumeNodes(ctx, [...paused.keys()]);
    },
    async teardown(ctx) {
      await resumeNodes(ctx, [...paused.keys()]);
    },
  };
}

/** Process pauses: SIGSTOP the db's server on target nodes, SIGCONT it at the stop. */
export const pauseFamily: NemesisFamily = {
  name: 'pause',
  description: 'SIGSTOP the db on target nodes, then SIGCONT it',
  requires: ['pause'],
  inAll: true,
  effects: { pause: 'begins', resume: 'ends' },
  style: { label: 'pause', fill: 'rgba(14,165,233,0.15)', text: '#0369a1' },
  schedule: ({ targets }) => ({
    startOps: targets.map((t) => ({ f: 'pause', value: t })),
    stopOp: { f: 'resume', value: null },
    finalOps: [{ f: 'resume', value: null }],
  }),
  create: pauseNemesis,
};
