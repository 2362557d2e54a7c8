/**
 * Packet faults on the traffic a node sends to its peers: delay (mean, jitter), loss,
 * duplicate, reorder, corrupt, rate limit.
 *
 * Two mechanisms, chosen per node by probing its kernel:
 * - `netem`: one `tc qdisc replace dev DEV root netem ...` on the interface towards the peers
 *   (as Jepsen: it shapes all of the interface's egress, controller traffic included).
 * - `nfqueue` (no netem, e.g. this project's CI kernel): loss with iptables
 *   `-m statistic --mode random` on what the node receives from its peers (a drop in OUTPUT
 *   would surface to the sender as EPERM, unlike real loss); delay, jitter, reorder,
 *   duplicate and corrupt with a user-space NFQUEUE helper (nemeses/nfqueue.ts) on what it
 *   sends them; rate with a `tbf` qdisc. Only traffic with peer node addresses is touched, in
 *   faultline's own chain `FAULTLINE-PKT` (jumped to from INPUT and OUTPUT).
 * The op's value records which mechanism each node used.
 */
import type { Invocation } from '../src/client/types.js';
import { InputError } from '../src/errors.js';
import { deadmanDir, sharedDeadman } from './deadman.js';
import { resolveTargets } from './kill.js';
import { NFQUEUE_HELPER, NFQUEUE_MARK, NFQUEUE_NUM } from './nfqueue.js';
import { PARTITION_CHAIN, removeChainScript } from './partition.js';
import type { Nemesis, NemesisContext, NemesisFamily, NemesisOutcome } from './types.js';

/** The iptables chain holding packet-fault rules (jumped to from INPUT and OUTPUT). */
export const PACKET_CHAIN = 'FAULTLINE-PKT';

/** What to do to packets. Percentages are 0..100. */
export interface PacketBehaviour {
  delayMs?: number;
  jitterMs?: number;
  lossPercent?: number;
  duplicatePercent?: number;
  reorderPercent?: number;
  corruptPercent?: number;
  /** Egress rate limit, kbit/s. */
  rateKbit?: number;
}

export type PacketMechanism = 'netem' | 'nfqueue';

const BEHAVIOUR_KEYS = [
  'delayMs',
  'jitterMs',
  'lossPercent',
  'duplicatePercent',
  'reorderPercent',
  'corruptPercent',
  'rateKbit',
] as const;

/** Reads and validates a behaviour from an op value (`{ targets?, delayMs?, ... }`). */
export function parseBehaviour(value: unknown): PacketBehaviour {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InputError(`expected an object with some of ${BEHAVIOUR_KEYS.join(', ')}`, { field: 'value' });
  }
  const v = value as Record<string, unknown>;
  const source = (v.behaviour ?? v) as Record<string, unknown>;
  const out: PacketBehaviour = {};
  for (const key of BEHAVIOUR_KEYS) {
    const x = source[key];
    if (x === undefined) continue;
    if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) {
      throw new InputError('expected a non-negative number', { field: `value.${key}` });
    }
    if (key.endsWith('Percent') && x > 100)
      throw new InputError('expected at most 100', { field: `value.${key}` });
    out[key] = x;
  }
  if (Object.keys(out).length === 0) {
    throw new InputError(`no packet behaviour given (one of ${BEHAVIOUR_KEYS.join(', ')})`, {
      field: 'value',
    });
  }
  return out;
}

/** Prints `netem` when the node's kernel has the netem qdisc, else `none`. Probes a dummy link. */
export const PROBE_NETEM_SCRIPT = `if zcat /proc/config.gz 2>/dev/null | grep -q '^CONFIG_NET_SCH_NETEM=[ym]'; then echo netem; exit 0; fi
if modprobe -n sch_netem 2>/dev/null && modprobe sch_netem 2>/dev/null; then :; fi
l=flprobe$$
if ip link add "$l" type dummy 2>/dev/null; then
  if tc qdisc add dev "$l" root netem delay 0ms 2>/dev/null; then r=netem; else r=none; fi
  ip link del "$l" 2>/dev/null
  echo $r
else
  echo none
fi
`;

/** The netem arguments for a behaviour (`delay 100ms 10ms loss 30% ...`). */
export function netemArgs(b: PacketBehaviour): string[] {
  const args: string[] = [];
  if (b.delayMs !== undefined || b.reorderPercent !== undefined) {
    args.push('delay', `${b.delayMs ?? 10}ms`);
    if (b.jitterMs) args.push(`${b.jitterMs}ms`);
  }
  if (b.lossPercent !== undefined) args.push('loss', `${b.lossPercent}%`);
  if (b.duplicatePercent !== undefined) args.push('duplicate', `${b.duplicatePercent}%`);
  if (b.reorderPercent !== undefined) args.push('reorder', `${b.reorderPercent}%`);
  if (b.corruptPercent !== undefined) args.push('corrupt', `${b.corruptPercent}%`);
  if (b.rateKbit !== undefined) args.push('rate', `${b.rateKbit}kbit`);
  return args;
}

/** Whether the fallback needs the NFQUEUE helper (anything but loss and rate). */
export function needsHelper(b: PacketBehaviour): boolean {
  return !!(b.delayMs || b.jitterMs || b.reorderPercent || b.duplicatePercent || b.corruptPercent);
}

/** Heals a node's packet faults. Args: the node's faultline dir. Also the dead-man snippet body. */
export function healPacketScript(dir: string): string {
  return `${removeChainScript(PACKET_CHAIN, ['INPUT', 'OUTPUT'])}dir='${dir}'
pid=$(cat "$dir/nfqueue.pid" 2>/dev/null || true)
if [ -n "$pid" ] && grep -qa faultline-nfqueue "/proc/$pid/cmdline" 2>/dev/null; then kill "$pid" 2>/dev/null; fi
rm -f "$dir/nfqueue.pid"
if [ -f "$dir/qdisc.dev" ]; then tc qdisc del dev "$(cat "$dir/qdisc.dev")" root 2>/dev/null; rm -f "$dir/qdisc.dev"; fi
true
`;
}

/** The netem install script. Args: a peer address (to find the interface). */
export function netemScript(dir: string, b: PacketBehaviour): string {
  return `set -e
dir='${dir}'; mkdir -p "$dir"
dev=$(ip -o route get "$1" | sed -n 's/.* dev \\([^ ]*\\).*/\\1/p')
echo "$dev" > "$dir/qdisc.dev"
tc qdisc replace dev "$dev" root netem ${netemArgs(b).join(' ')}
echo "dev=$dev"
`;
}

/**
 * The fallback install script (iptables statistic + NFQUEUE helper + tbf).
 * Args: the peer addresses.
 */
export function fallbackScript(dir: string, b: PacketBehaviour, seed: number): string {
  const lines = ['set -e', `dir='${dir}'; mkdir -p "$dir"`, `c=${PACKET_CHAIN}`];
  if (needsHelper(b)) {
    lines.push(
      `cat > "$dir/faultline-nfqueue.py" <<'FAULTLINE_EOF'\n${NFQUEUE_HELPER}FAULTLINE_EOF`,
      'rm -f "$dir/nfqueue.pid"',
      `setsid -f python3 "$dir/faultline-nfqueue.py" ${NFQUEUE_NUM} ${b.delayMs ?? (b.reorderPercent ? 10 : 0)} ${b.jitterMs ?? 0} ${b.reorderPercent ?? 0} ${b.duplicatePercent ?? 0} ${b.corruptPercent ?? 0} ${seed} "$dir/nfqueue.pid" </dev/null >"$dir/nfqueue.log" 2>&1`,
      'for _ in $(seq 1 150); do [ -s "$dir/nfqueue.pid" ] && break; sleep 0.02; done',
      '[ -s "$dir/nfqueue.pid" ] || { echo "nfqueue helper did not start:" >&2; cat "$dir/nfqueue.log" >&2; exit 1; }',
    );
  }
  lines.push(
    'iptables -w -N $c 2>/dev/null || true',
    'iptables -w -C INPUT -j $c 2>/dev/null || iptables -w -I INPUT 1 -j $c',
    'iptables -w -C OUTPUT -j $c 2>/dev/null || iptables -w -I OUTPUT 1 -j $c',
    'iptables -w -F $c',
    `iptables -w -A $c -m mark --mark ${NFQUEUE_MARK} -j RETURN`,
    'for a in "$@"; do',
  );
  if (b.lossPercent) {
    lines.push(
      `  iptables -w -A $c -s "$a" -m statistic --mode random --probability ${(b.lossPercent / 100).toFixed(6)} -j DROP`,
    );
  }
  if (needsHelper(b)) {
    lines.push(`  iptables -w -A $c -d "$a" -j NFQUEUE --queue-num ${NFQUEUE_NUM} --queue-bypass`);
  }
  lines.push('  :', 'done');
  // Partition rules go first: a packet the queue helper accepts skips the rest of the hook.
  lines.push(
    'for p in INPUT OUTPUT; do',
    `  if iptables -w -C $p -j ${PARTITION_CHAIN} 2>/dev/null; then`,
    `    iptables -w -I $p 1 -j ${PARTITION_CHAIN}`,
    `    n=$(iptables -w -L $p -n --line-numbers | awk '$2 == "${PARTITION_CHAIN}" { l = $1 } END { print l }')`,
    '    iptables -w -D $p "$n"',
    '  fi',
    'done',
  );
  if (b.rateKbit) {
    lines.push(
      `dev=$(ip -o route get "$1" | sed -n 's/.* dev \\([^ ]*\\).*/\\1/p')`,
      'echo "$dev" > "$dir/qdisc.dev"',
      `tc qdisc replace dev "$dev" root tbf rate ${b.rateKbit}kbit burst 32kbit latency 400ms`,
    );
  }
  lines.push('echo "rules=$(iptables -w -S $c | grep -c -- -A || true)"');
  return `${lines.join('\n')}\n`;
}

/** The value a `start-packet` records. */
export interface PacketApplied {
  targets: unknown;
  nodes: string[];
  behaviour: PacketBehaviour;
  /** node -> mechanism used there. */
  mechanism: Record<string, PacketMechanism>;
  /** What each mechanism did, in words. */
  how: Record<string, string>;
}

export interface PacketNemesisOptions {
  /** Force a mechanism instead of probing (e.g. to test the fallback where netem exists). */
  mechanism?: PacketMechanism;
}

/** Builds the packet nemesis (`start-packet`, `stop-packet`). */
export function packetNemesis(options: PacketNemesisOptions = {}): Nemesis {
  const probed = new Map<string, PacketMechanism>();
  const faulty = new Set<string>();

  async function mechanismOf(ctx: NemesisContext, node: string): Promise<PacketMechanism> {
    if (options.mechanism) return options.mechanism;
    let m = probed.get(node);
    if (!m) {
      const r = await ctx.remote.script(node, PROBE_NETEM_SCRIPT, [], { allowFailure: true });
      m = r.stdout.trim() === 'netem' ? 'netem' : 'nfqueue';
      probed.set(node, m);
    }
    return m;
  }

  async function healNodes(ctx: NemesisContext, nodes: readonly string[]): Promise<void> {
    const deadman = ctx.deadman ?? sharedDeadman(ctx.remote);
    await Promise.all(
      nodes.map(async (node) => {
        await ctx.remote.script(node, healPacketScript(deadmanDir(node, deadman.baseDir)), [], {
          allowFailure: true,
        });
        await deadman.disarm(node, 'packet');
        faulty.delete(node);
      }),
    );
  }

  async function start(ctx: NemesisContext, op: Invocation): Promise<NemesisOutcome> {
    const behaviour = parseBehaviour(op.value);
    const { spec, nodes } = await resolveTargets(ctx, op, 'all');
    const deadman = ctx.deadman ?? sharedDeadman(ctx.remote);
    const mechanism: Record<string, PacketMechanism> = {};
    // A new behaviour replaces the old one everywhere.
    await healNodes(ctx, [...faulty]);
    await Promise.all(
      nodes.map(async (node) => {
        const dir = deadmanDir(node, deadman.baseDir);
        const peers = ctx.nodes.filter((n) => n !== node).map((n) => ctx.remote.address(n));
        if (peers.length === 0) return;
        const m = await mechanismOf(ctx, node);
        await deadman.arm(node, 'packet', healPacketScript(dir));
        faulty.add(node);
        const seed = Math.floor(ctx.random() * 2 ** 31);
        const script = m === 'netem' ? netemScript(dir, behaviour) : fallbackScript(dir, behaviour, seed);
        await ctx.remote.script(node, script, m === 'netem' ? peers.slice(0, 1) : peers);
        mechanism[node] = m;
      }),
    );
    const how: Record<string, string> = {};
    if (Object.values(mechanism).includes('netem')) how.netem = `tc netem ${netemArgs(behaviour).join(' ')}`;
    if (Object.values(mechanism).includes('nfqueue')) {
      const parts: string[] = [];
      if (behaviour.lossPercent) parts.push('loss: iptables statistic on input from peers');
      if (needsHelper(behaviour)) parts.push(`delay/dup/reorder/corrupt: NFQUEUE ${NFQUEUE_NUM} helper`);
      if (behaviour.rateKbit) parts.push('rate: tbf');
      how.nfqueue = parts.join('; ');
    }
    ctx.log(`packet faults on ${nodes.join(', ')}: ${JSON.stringify(behaviour)}`);
    const applied: PacketApplied = { targets: spec, nodes, behaviour, mechanism, how };
    return { value: applied };
  }

  return {
    name: 'packet',
    fs: ['start-packet', 'stop-packet'],
    async setup() {},
    async invoke(ctx, op) {
      if (op.f === 'start-packet') return start(ctx, op);
      if (op.f === 'stop-packet') {
        const nodes = [...faulty].sort();
        await healNodes(ctx, ctx.nodes);
        return { value: { healed: 'packet', nodes } };
      }
      return { value: null, error: `packet nemesis cannot ${op.f}` };
    },
    async heal(ctx) {
      await healNodes(ctx, ctx.nodes);
    },
    async teardown(ctx) {
      await healNodes(ctx, ctx.nodes);
    },
  };
}

/** Packet behaviours a schedule uses unless the plan names its own. */
export const DEFAULT_PACKET: readonly PacketBehaviour[] = [
  { delayMs: 50, jitterMs: 10 },
  { lossPercent: 20 },
  { delayMs: 20, duplicatePercent: 5, reorderPercent: 5 },
];

/** Packet faults: delay, loss, duplication, reordering on every node, removed at the stop. */
export const packetFamily: NemesisFamily = {
  name: 'packet',
  description: 'delay, drop, duplicate or reorder packets (netem, or an NFQUEUE fallback)',
  requires: [],
  inAll: true,
  effects: { 'start-packet': 'begins', 'stop-packet': 'ends' },
  style: { label: 'packet', fill: 'rgba(234,179,8,0.18)', text: '#a16207' },
  schedule: ({ packet }) => ({
    startOps: (packet ?? DEFAULT_PACKET).map((b) => ({ f: 'start-packet', value: { targets: 'all', ...b } })),
    stopOp: { f: 'stop-packet', value: null },
    finalOps: [{ f: 'stop-packet', value: null }],
  }),
  create: () => packetNemesis(),
};
