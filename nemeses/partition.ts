/**
 * Network partitions: a grudge applied with iptables inside every node, in faultline's own
 * chain `FAULTLINE` (jumped to from INPUT and OUTPUT), so healing flushes only that chain and
 * never touches rules faultline did not make.
 */
import type { Invocation } from '../src/client/types.js';
import { InputError } from '../src/errors.js';
import { sharedDeadman } from './deadman.js';
import {
  components,
  GRUDGE_KINDS,
  type Grudge,
  type GrudgeKind,
  isGrudgeKind,
  makeGrudge,
} from './grudge.js';
import {
  type Nemesis,
  type NemesisContext,
  type NemesisFamily,
  type NemesisOutcome,
  primariesOf,
} from './types.js';

/** The iptables chain holding partition rules. */
export const PARTITION_CHAIN = 'FAULTLINE';

/**
 * Replaces the node's partition rules: drops all traffic from and to the given addresses.
 * Args: the addresses. An empty list leaves the chain empty (and the jumps in place).
 */
export const APPLY_PARTITION_SCRIPT = `set -e
c=${PARTITION_CHAIN}
iptables -w -N $c 2>/dev/null || true
iptables -w -C INPUT -j $c 2>/dev/null || iptables -w -I INPUT 1 -j $c
iptables -w -C OUTPUT -j $c 2>/dev/null || iptables -w -I OUTPUT 1 -j $c
iptables -w -F $c
for a in "$@"; do
  iptables -w -A $c -s "$a" -j DROP
  iptables -w -A $c -d "$a" -j DROP
done
iptables -w -S $c | grep -c -- '-j DROP' || true
`;

/** Removes the jumps to a faultline chain, then the chain. Idempotent. */
export function removeChainScript(chain: string, parents: readonly string[]): string {
  const unjump = parents
    .map((p) => `while iptables -w -D ${p} -j ${chain} 2>/dev/null; do :; done`)
    .join('\n');
  return `${unjump}\niptables -w -F ${chain} 2>/dev/null\niptables -w -X ${chain} 2>/dev/null\ntrue\n`;
}

/** Heals a node's partition: what `stop-partition`, `heal` and the dead-man switch run. */
export const HEAL_PARTITION_SCRIPT = removeChainScript(PARTITION_CHAIN, ['INPUT', 'OUTPUT']);

/** What a `start-partition` op asks for: a kind, `{ kind }`, or an explicit grudge. */
export function parsePartitionValue(value: unknown): GrudgeKind | Grudge {
  if (isGrudgeKind(value)) return value;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const v = value as Record<string, unknown>;
    if (isGrudgeKind(v.kind)) return v.kind;
    if (v.grudge !== undefined) return parseGrudge(v.grudge);
    return parseGrudge(v);
  }
  throw new InputError(`expected a partition kind (${GRUDGE_KINDS.join(', ')}) or a grudge`, {
    field: 'value',
  });
}

function parseGrudge(x: unknown): Grudge {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) {
    throw new InputError('a grudge is an object node -> [nodes]', { field: 'value.grudge' });
  }
  const grudge: Grudge = {};
  for (const [node, drops] of Object.entries(x)) {
    if (!Array.isArray(drops) || !drops.every((d) => typeof d === 'string')) {
      throw new InputError('expected a list of node names', { field: `value.grudge.${node}` });
    }
    grudge[node] = [...drops].sort();
  }
  return grudge;
}

/** The value a `start-partition` records: what was applied, exactly. */
export interface PartitionApplied {
  kind: GrudgeKind | 'explicit';
  grudge: Grudge;
  /** Who can still talk to whom. */
  components: string[][];
  mechanism: 'iptables';
  chain: string;
}

/** Builds the partition nemesis (`start-partition`, `stop-partition`). */
export function partitionNemesis(): Nemesis {
  let active = false;

  async function heal(ctx: NemesisContext): Promise<void> {
    const deadman = ctx.deadman ?? sharedDeadman(ctx.remote);
    await Promise.all(
      ctx.nodes.map(async (node) => {
        await ctx.remote.script(node, HEAL_PARTITION_SCRIPT, [], { allowFailure: true });
        await deadman.disarm(node, 'partition');
      }),
    );
    active = false;
  }

  async function start(ctx: NemesisContext, op: Invocation): Promise<NemesisOutcome> {
    const spec = parsePartitionValue(op.value ?? 'one');
    const primaries = spec === 'primaries' ? await primariesOf(ctx, 'a partition of primaries') : [];
    const grudge = typeof spec === 'string' ? makeGrudge(spec, ctx.nodes, ctx.random, primaries) : spec;
    const deadman = ctx.deadman ?? sharedDeadman(ctx.remote);
    await Promise.all(
      ctx.nodes.map(async (node) => {
        const drops = grudge[node] ?? [];
        // Arm first: a controller dying mid-install still leaves the node a way back.
        if (drops.length > 0) await deadman.arm(node, 'partition', HEAL_PARTITION_SCRIPT);
        const addresses = drops.map((d) => ctx.remote.address(d));
        await ctx.remote.script(node, APPLY_PARTITION_SCRIPT, addresses);
        if (drops.length === 0) await deadman.disarm(node, 'partition');
      }),
    );
    active = true;
    const applied: PartitionApplied = {
      kind: typeof spec === 'string' ? spec : 'explicit',
      grudge,
      components: components(grudge, ctx.nodes),
      mechanism: 'iptables',
      chain: PARTITION_CHAIN,
    };
    ctx.log(`partition ${applied.kind}: ${applied.components.map((c) => c.join(',')).join(' | ')}`);
    return { value: applied };
  }

  return {
    name: 'partition',
    fs: ['start-partition', 'stop-partition'],
    async setup(ctx) {
      await heal(ctx);
    },
    async invoke(ctx, op) {
      if (op.f === 'start-partition') return start(ctx, op);
      if (op.f === 'stop-partition') {
        const was = active;
        await heal(ctx);
        return { value: { healed: 'network', wasActive: was, chain: PARTITION_CHAIN } };
      }
      return { value: null, error: `partition nemesis cannot ${op.f}` };
    },
    heal,
    async teardown(ctx) {
      await heal(ctx);
    },
  };
}

/** Partition shapes a schedule uses unless the plan names its own. */
export const DEFAULT_PARTITIONS: readonly GrudgeKind[] = [
  'one',
  'majority',
  'majorities-ring',
  'minority-third',
  'bridge',
  'primaries',
];

/** Network partitions: iptables DROP rules by grudge, healed all at once. */
export const partitionFamily: NemesisFamily = {
  name: 'partition',
  description: 'cut the network into parts by a grudge (iptables DROP), then heal it',
  requires: [],
  inAll: true,
  effects: { 'start-partition': 'begins', 'stop-partition': 'ends' },
  style: { label: 'partition', fill: 'rgba(239,68,68,0.13)', text: '#b91c1c' },
  schedule: ({ partitions }) => ({
    startOps: (partitions ?? DEFAULT_PARTITIONS).map((kind) => ({ f: 'start-partition', value: kind })),
    stopOp: { f: 'stop-partition', value: null },
    finalOps: [{ f: 'stop-partition', value: null }],
  }),
  create: partitionNemesis,
};
