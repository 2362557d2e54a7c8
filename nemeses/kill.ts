/** Process crashes: SIGKILL the db on target nodes (`kill`), and bring them back (`start`). */
import type { Invocation } from '../src/client/types.js';
import { requireCapability } from '../src/db/types.js';
import { InputError } from '../src/errors.js';
import { pickTargets, type TargetKind, targetSpec } from './targets.js';
import { type Nemesis, type NemesisContext, type NemesisFamily, primariesOf } from './types.js';

/** Resolves an op's targets (a kind or a node list) to nodes; `fallback` when the op names none. */
export async function resolveTargets(
  ctx: NemesisContext,
  op: Invocation,
  fallback: TargetKind,
): Promise<{ spec: TargetKind | string[]; nodes: string[] }> {
  const spec = targetSpec(op.value) ?? fallback;
  if (Array.isArray(spec)) {
    const unknown = spec.filter((n) => !ctx.nodes.includes(n));
    if (unknown.length > 0)
      throw new InputError(`unknown nodes ${unknown.join(', ')}`, { field: 'value.targets' });
    return { spec, nodes: [...spec].sort() };
  }
  const primaries = spec === 'primaries' ? await primariesOf(ctx, `${op.f} of primaries`) : [];
  return { spec, nodes: pickTargets(spec, ctx.nodes, ctx.random, primaries) };
}

/** Builds the kill nemesis (`kill`, `start`). `heal` restarts every node it killed. */
export function killNemesis(): Nemesis {
  const killed = new Set<string>();

  async function startNodes(ctx: NemesisContext, nodes: readonly string[]): Promise<string[]> {
    const db = requireCapability(ctx.db, 'kill', 'the kill nemesis');
    await Promise.all(nodes.map((node) => db.start(ctx.dbContext, node)));
    for (const node of nodes) killed.delete(node);
    return [...nodes].sort();
  }

  return {
    name: 'kill',
    fs: ['kill', 'start'],
    async setup() {},
    async invoke(ctx, op) {
      if (op.f === 'kill') {
        const { spec, nodes } = await resolveTargets(ctx, op, 'one');
        const db = requireCapability(ctx.db, 'kill', 'the kill nemesis');
        await Promise.all(nodes.map((node) => db.kill(ctx.dbContext, node)));
        for (const node of nodes) killed.add(node);
        ctx.log(`killed ${nodes.join(', ')}`);
        return { value: { targets: spec, nodes, mechanism: `${ctx.db.name} kill (SIGKILL)` } };
      }
      if (op.f === 'start') {
        // `start` with no targets restarts what this nemesis killed; with targets, those nodes.
        const spec = targetSpec(op.value);
        const nodes = spec === undefined ? [...killed] : (await resolveTargets(ctx, op, 'all')).nodes;
        const started = await startNodes(ctx, nodes);
        return { value: { nodes: started, mechanism: `${ctx.db.name} start` } };
      }
      return { value: null, error: `kill nemesis cannot ${op.f}` };
    },
    async heal(ctx) {
      await startNodes(ctx, [...killed]);
    },
    async teardown(ctx) {
      await startNodes(ctx, [...killed]);
    },
  };
}

/** Process crashes: SIGKILL the db's server on target nodes, restart it at the stop. */
export const killFamily: NemesisFamily = {
  name: 'kill',
  description: 'SIGKILL the db on target nodes, then start it again',
  requires: ['kill'],
  inAll: true,
  effects: { kill: 'begins', start: 'ends' },
  style: { label: 'kill', fill: 'rgba(124,58,237,0.13)', text: '#6d28d9' },
  schedule: ({ targets }) => ({
    startOps: targets.map((t) => ({ f: 'kill', value: t })),
    stopOp: { f: 'start', value: null },
    finalOps: [{ f: 'start', value: null }],
  }),
  create: killNemesis,
};
