/**
 * Whole-node freezes on docker nodes: `docker pause` of target containers (every process in
 * them, the db and everything else, stopped by the freezer cgroup) and `docker unpause`. The
 * controller thaws them at the stop and on heal; a frozen container cannot run the dead-man
 * switch, so a controller that dies mid-freeze leaves them for `faultline cluster up --driver
 * docker` (which unpauses) or `docker unpause`.
 */
import { canFreezeNodes, type NodeFreezer } from '../src/control/freezer.js';
import { InputError } from '../src/errors.js';
import { resolveTargets } from './kill.js';
import type { Nemesis, NemesisContext, NemesisFamily } from './types.js';

function freezer(ctx: NemesisContext): NodeFreezer {
  if (!canFreezeNodes(ctx.remote)) {
    throw new InputError('the container-pause nemesis needs docker nodes (--transport docker)', {
      field: 'nemesis',
    });
  }
  return ctx.remote;
}

/** Builds the container-pause nemesis (`container-pause`, `container-resume`). */
export function containerPauseNemesis(): Nemesis {
  const frozen = new Set<string>();

  async function thaw(ctx: NemesisContext): Promise<string[]> {
    const nodes = [...frozen].sort();
    if (nodes.length === 0) return nodes;
    const remote = freezer(ctx);
    await Promise.all(nodes.map((node) => remote.resumeNode(node)));
    for (const node of nodes) frozen.delete(node);
    return nodes;
  }

  return {
    name: 'container-pause',
    fs: ['container-pause', 'container-resume'],
    async setup(ctx) {
      freezer(ctx);
    },
    async invoke(ctx, op) {
      if (op.f === 'container-pause') {
        const remote = freezer(ctx);
        const { spec, nodes } = await resolveTargets(ctx, op, 'one');
        await Promise.all(nodes.map((node) => remote.pauseNode(node)));
        for (const node of nodes) frozen.add(node);
        ctx.log(`docker paused ${nodes.join(', ')}`);
        return { value: { targets: spec, nodes, mechanism: 'docker pause (freezer cgroup)' } };
      }
      if (op.f === 'container-resume') {
        return { value: { nodes: await thaw(ctx), mechanism: 'docker unpause' } };
      }
      return { value: null, error: `container-pause nemesis cannot ${op.f}` };
    },
    async heal(ctx) {
      await thaw(ctx);
    },
    async teardown(ctx) {
      await thaw(ctx);
    },
  };
}

/** Freezes whole docker nodes (`docker pause`), then thaws them. */
export const containerPauseFamily: NemesisFamily = {
  name: 'container-pause',
  description: 'docker pause whole target nodes (every process in the container), then unpause them',
  requires: [],
  // Only on docker nodes.
  inAll: false,
  effects: { 'container-pause': 'begins', 'container-resume': 'ends' },
  style: { label: 'docker pause', fill: 'rgba(2,132,199,0.15)', text: '#075985' },
  schedule: ({ targets }) => ({
    startOps: targets.map((t) => ({ f: 'container-pause', value: t })),
    stopOp: { f: 'container-resume', value: null },
    finalOps: [{ f: 'container-resume', value: null }],
  }),
  create: containerPauseNemesis,
};
