/**
 * Clock faults: `bump-clock` (jump a node's wall clock by deltaMs), `strobe-clock` (flip it
 * back and forth every periodMs for durationMs) and `reset-clock` (set it back to the
 * controller's time). Done with `date -s` over SSH, on nodes that own their clock (VMs).
 *
 * Nodes that share the controller's kernel (the local ensemble: namespaces, one wall clock)
 * are refused with a clear error: `date -s` there would move the whole machine's clock.
 * They are recognised by `/proc/sys/kernel/random/boot_id` equal to the controller's.
 */
import { readFileSync } from 'node:fs';
import type { Invocation } from '../src/client/types.js';
import { InputError } from '../src/errors.js';
import { sharedDeadman } from './deadman.js';
import { resolveTargets } from './kill.js';
import type { Nemesis, NemesisContext, NemesisOutcome } from './types.js';

/** The message recorded when clock faults are refused on shared-kernel nodes. */
export const SHARED_CLOCK_REFUSAL =
  'clock faults refused: these nodes share the controller kernel (same boot_id), so they share one wall ' +
  'clock and date -s would move the whole machine; run clock faults on VMs';

/** Shifts the wall clock by $1 milliseconds (may be negative). */
export const SHIFT_CLOCK_SCRIPT = `set -e
d=$1
t=$(( $(date +%s%N) + d * 1000000 ))
date -u -s "@$(( t / 1000000000 )).$(printf %09d $(( t % 1000000000 )))" >/dev/null
date -u +%s%N
`;

/** Sets the wall clock to $1 nanoseconds since the epoch. */
export const SET_CLOCK_SCRIPT = `set -e
t=$1
date -u -s "@$(( t / 1000000000 )).$(printf %09d $(( t % 1000000000 )))" >/dev/null
date -u +%s%N
`;

/** Flips the clock +$1 / -$1 ms every $2 ms for $3 ms, ending where it started. */
export const STROBE_CLOCK_SCRIPT = `set -e
d=$1; period=$2; duration=$3
end=$(( $(cut -d' ' -f1 /proc/uptime | tr -d .) * 10 + duration ))
sign=1
shift_by() { t=$(( $(date +%s%N) + $1 * 1000000 )); date -u -s "@$(( t / 1000000000 )).$(printf %09d $(( t % 1000000000 )))" >/dev/null; }
while [ $(( $(cut -d' ' -f1 /proc/uptime | tr -d .) * 10 )) -lt $end ]; do
  shift_by $(( sign * d )); sign=$(( -sign ))
  sleep "$(awk -v p="$period" 'BEGIN { printf "%.3f", p / 1000 }')"
done
[ $sign -eq -1 ] && shift_by $(( -d ))
echo done
`;

function num(v: Record<string, unknown>, key: string, fallback: number): number {
  const x = v[key] ?? fallback;
  if (typeof x !== 'number' || !Number.isFinite(x))
    throw new InputError('expected a number', { field: `value.${key}` });
  return Math.round(x);
}

/** Builds the clock nemesis (`bump-clock`, `strobe-clock`, `reset-clock`). */
export function clockNemesis(): Nemesis {
  /** node -> total ms this nemesis moved its clock (what the dead-man switch undoes). */
  const offsets = new Map<string, number>();
  const sharedKernel = new Map<string, boolean>();

  async function refusedNodes(ctx: NemesisContext, nodes: readonly string[]): Promise<string[]> {
    let mine = '';
    try {
      mine = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      return [];
    }
    const out: string[] = [];
    for (const node of nodes) {
      let shared = sharedKernel.get(node);
      if (shared === undefined) {
        const r = await ctx.remote.exec(node, ['cat', '/proc/sys/kernel/random/boot_id'], {
          allowFailure: true,
        });
        shared = r.stdout.trim() === mine;
        sharedKernel.set(node, shared);
      }
      if (shared) out.push(node);
    }
    return out;
  }

  async function shift(ctx: NemesisContext, node: string, deltaMs: number): Promise<void> {
    const total = (offsets.get(node) ?? 0) + deltaMs;
    const deadman = ctx.deadman ?? sharedDeadman(ctx.remote);
    await deadman.arm(
      node,
      'clock',
      `t=$(( $(date +%s%N) - (${total}) * 1000000 )); date -u -s "@$(( t / 1000000000 ))" >/dev/null`,
    );
    await ctx.remote.script(node, SHIFT_CLOCK_SCRIPT, [String(deltaMs)]);
    offsets.set(node, total);
  }

  async function reset(ctx: NemesisContext, nodes: readonly string[]): Promise<void> {
    const deadman = ctx.deadman ?? sharedDeadman(ctx.remote);
    await Promise.all(
      nodes.map(async (node) => {
        if (!offsets.has(node)) return;
        // The controller's clock is the reference; the SSH hop costs a few ms at most.
        const nowNs = BigInt(Date.now()) * 1_000_000n;
        await ctx.remote.script(node, SET_CLOCK_SCRIPT, [String(nowNs)]);
        offsets.delete(node);
        await deadman.disarm(node, 'clock');
      }),
    );
  }

  async function invoke(ctx: NemesisContext, op: Invocation): Promise<NemesisOutcome> {
    const v = (op.value !== null && typeof op.value === 'object' ? op.value : {}) as Record<string, unknown>;
    const { spec, nodes } = await resolveTargets(ctx, op, op.f === 'reset-clock' ? 'all' : 'one');
    const refused = await refusedNodes(ctx, nodes);
    if (refused.length > 0) {
      ctx.log(SHARED_CLOCK_REFUSAL);
      return { value: { targets: spec, nodes, refused, applied: false }, error: SHARED_CLOCK_REFUSAL };
    }
    if (op.f === 'bump-clock') {
      const deltaMs = num(v, 'deltaMs', Math.round((ctx.random() * 2 - 1) * 262_144));
      await Promise.all(nodes.map((node) => shift(ctx, node, deltaMs)));
      return { value: { targets: spec, nodes, deltaMs, mechanism: 'date -s' } };
    }
    if (op.f === 'strobe-clock') {
      const deltaMs = num(v, 'deltaMs', 200);
      const periodMs = num(v, 'periodMs', 10);
      const durationMs = num(v, 'durationMs', 10_000);
      const deadman = ctx.deadman ?? sharedDeadman(ctx.remote);
      await Promise.all(
        nodes.map(async (node) => {
          await deadman.arm(node, 'clock', 'true');
          await ctx.remote.script(
            node,
            STROBE_CLOCK_SCRIPT,
            [String(deltaMs), String(periodMs), String(durationMs)],
            {
              timeoutMs: durationMs + 30_000,
            },
          );
          offsets.set(node, offsets.get(node) ?? 0);
        }),
      );
      return { value: { targets: spec, nodes, deltaMs, periodMs, durationMs, mechanism: 'date -s loop' } };
    }
    if (op.f === 'reset-clock') {
      await reset(ctx, nodes);
      return { value: { nodes, mechanism: 'date -s to the controller time' } };
    }
    return { value: null, error: `clock nemesis cannot ${op.f}` };
  }

  return {
    name: 'clock',
    fs: ['bump-clock', 'strobe-clock', 'reset-clock'],
    async setup() {},
    invoke,
    async heal(ctx) {
      await reset(ctx, [...offsets.keys()]);
    },
    async teardown(ctx) {
      await reset(ctx, [...offsets.keys()]);
    },
  };
}
