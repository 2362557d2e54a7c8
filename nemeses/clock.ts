/**
 * Clock faults: `bump-clock` (jump a node's wall clock by deltaMs), `strobe-clock` (flip it
 * back and forth every periodMs for durationMs) and `reset-clock` (set it back to the
 * controller's time). Done with `date -s` over SSH, on nodes that own their clock (VMs).
 *
 * Nodes that share the controller's kernel (the local ensemble: namespaces, one wall clock)
 * are recognised by `/proc/sys/kernel/random/boot_id` equal to the controller's; `date -s`
 * there would move the whole machine's clock. There, JVM servers (ZooKeeper) are skewed
 * alone instead: restarted once under libfaketime (Debian `faketime`), whose offset file the
 * nemesis then rewrites (wall clock only; monotonic time is left alone, as an NTP step
 * would). Other dbs on shared-kernel nodes are refused with a clear error.
 */
import { readFileSync } from 'node:fs';
import type { Invocation } from '../src/client/types.js';
import { requireCapability } from '../src/db/types.js';
import { InputError } from '../src/errors.js';
import { deadmanDir, sharedDeadman } from './deadman.js';
import { resolveTargets } from './kill.js';
import type { Nemesis, NemesisContext, NemesisFamily, NemesisOutcome } from './types.js';

/** Dbs whose server can be skewed alone with libfaketime (their adapter has a `java` option to wrap). */
export const FAKETIME_DBS: ReadonlySet<string> = new Set(['zookeeper']);

/** The message recorded when clock faults are refused on shared-kernel nodes. */
export const SHARED_CLOCK_REFUSAL =
  'clock faults refused: these nodes share the controller kernel (same boot_id), so they share one wall ' +
  'clock and date -s would move the whole machine; run clock faults on VMs, or with a JVM db ' +
  `(${[...FAKETIME_DBS].join(', ')}), which is skewed alone with libfaketime`;

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
if [ $sign -eq -1 ]; then shift_by $(( -d )); fi
echo done
`;

/**
 * The environment a JVM runs under when skewed. FAKETIME_DONT_FAKE_MONOTONIC leaves
 * System.nanoTime alone (an NTP step moves the wall clock only). FAKETIME_FORCE_MONOTONIC_FIX=0
 * is needed as well: libfaketime 0.9.10 (Debian 12) rewrites the deadline of every
 * pthread_cond_timedwait on a CLOCK_MONOTONIC condvar, adding the fake offset to the monotonic
 * clock even when told not to fake it, and on glibc >= 2.30 it then turns the deadline into
 * one already past. Every timed wait of the JVM (Object.wait, parkNanos, its own monitors)
 * returned at once and its callers spun: three ZooKeeper JVMs busy-looping on two cores had no
 * quorum within a minute on a loaded machine. With the fix off, the deadline passes unchanged.
 */
export const FAKETIME_JVM_ENV =
  'FAKETIME_CACHE_DURATION=1 FAKETIME_DONT_FAKE_MONOTONIC=1 FAKETIME_FORCE_MONOTONIC_FIX=0';

/**
 * Writes a java wrapper that runs java under libfaketime with the offset file $1/faketime
 * (created at +0s when missing). Args: dir, the real java. Prints the wrapper's path.
 */
export const FAKETIME_WRAPPER_SCRIPT = `set -e
dir=$1; java=$2
lib=$(ls /usr/lib/*/faketime/libfaketimeMT.so.1 /usr/lib/faketime/libfaketimeMT.so.1 2>/dev/null | head -n1)
[ -n "$lib" ] || { echo "libfaketime is not installed (Debian package faketime)" >&2; exit 1; }
mkdir -p "$dir"
[ -f "$dir/faketime" ] || echo +0s > "$dir/faketime"
{
  echo '#!/bin/sh'
  printf 'exec env LD_PRELOAD=%s FAKETIME_TIMESTAMP_FILE=%s ${FAKETIME_JVM_ENV} %s "$@"\\n' \\
    "$lib" "$dir/faketime" "$java"
} > "$dir/faketime-java"
chmod +x "$dir/faketime-java"
echo "$dir/faketime-java"
`;

/** Prints `yes` when some process on the node runs with the offset file $1/faketime. */
export const FAKETIME_ACTIVE_SCRIPT = `for e in /proc/[0-9]*/environ; do
  if grep -qa "FAKETIME_TIMESTAMP_FILE=$1/faketime" "$e" 2>/dev/null; then echo yes; exit 0; fi
done
echo no
`;

/** Flips a libfaketime offset file $1 between $2 and $3 every $4 ms for $5 ms, ending at $3. */
export const FAKETIME_STROBE_SCRIPT = `f=$1; a=$2; b=$3; period=$4; duration=$5
pause=$(awk -v p="$period" 'BEGIN { printf "%.3f", p / 1000 }')
end=$(( $(cut -d' ' -f1 /proc/uptime | tr -d .) * 10 + duration ))
while [ $(( $(cut -d' ' -f1 /proc/uptime | tr -d .) * 10 )) -lt $end ]; do
  echo "$a" > "$f"; sleep "$pause"
  echo "$b" > "$f"; sleep "$pause"
done
echo "$b" > "$f"
echo done
`;

/** The libfaketime offset for a total skew in ms, e.g. `+60s`, `-1.5s`. */
export function faketimeOffset(totalMs: number): string {
  return `${totalMs < 0 ? '-' : '+'}${Math.abs(totalMs) / 1000}s`;
}

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

  async function sharesKernel(ctx: NemesisContext, node: string): Promise<boolean> {
    let shared = sharedKernel.get(node);
    if (shared === undefined) {
      let mine = '';
      try {
        mine = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
      } catch {
        // No boot id here: not Linux, so surely not sharing a Linux node's kernel.
      }
      const r = await ctx.remote.exec(node, ['cat', '/proc/sys/kernel/random/boot_id'], {
        allowFailure: true,
      });
      shared = mine !== '' && r.stdout.trim() === mine;
      sharedKernel.set(node, shared);
    }
    return shared;
  }

  function dirOf(ctx: NemesisContext, node: string): string {
    return deadmanDir(node, (ctx.deadman ?? sharedDeadman(ctx.remote)).baseDir);
  }

  async function writeOffset(ctx: NemesisContext, node: string, file: string, offset: string): Promise<void> {
    await ctx.remote.exec(node, ['sh', '-c', 'echo "$1" > "$2"', 'sh', offset, file]);
  }

  /**
   * Makes sure the node's db runs under libfaketime; returns the offset file. A db not yet
   * under libfaketime is restarted with `initial` already in the file, so it starts skewed
   * (a live jump during a JVM's start-up can stall it for as long as the jump).
   */
  async function faketimeFile(ctx: NemesisContext, node: string, initial: string): Promise<string> {
    const dir = dirOf(ctx, node);
    const file = `${dir}/faketime`;
    const active = await ctx.remote.script(node, FAKETIME_ACTIVE_SCRIPT, [dir]);
    if (active.stdout.trim() !== 'yes') {
      const java = typeof ctx.dbContext.options.java === 'string' ? ctx.dbContext.options.java : 'java';
      const wrapper = (await ctx.remote.script(node, FAKETIME_WRAPPER_SCRIPT, [dir, java])).stdout.trim();
      await writeOffset(ctx, node, file, initial);
      const db = requireCapability(ctx.db, 'kill', 'the clock nemesis (libfaketime)');
      await db.kill(ctx.dbContext, node);
      await db.start({ ...ctx.dbContext, options: { ...ctx.dbContext.options, java: wrapper } }, node);
      ctx.log(`clock: restarted ${ctx.db.name} on ${node} under libfaketime (${initial})`);
    }
    return file;
  }

  /** Restarts the node's db without libfaketime, if it runs under it: the clean way back. */
  async function unfake(ctx: NemesisContext, node: string): Promise<void> {
    const dir = dirOf(ctx, node);
    await writeOffset(ctx, node, `${dir}/faketime`, '+0s');
    const active = await ctx.remote.script(node, FAKETIME_ACTIVE_SCRIPT, [dir]);
    if (active.stdout.trim() === 'yes') {
      const db = requireCapability(ctx.db, 'kill', 'the clock nemesis (libfaketime)');
      await db.kill(ctx.dbContext, node);
      await db.start(ctx.dbContext, node);
      ctx.log(`clock: restarted ${ctx.db.name} on ${node} without libfaketime`);
    }
  }

  async function shift(ctx: NemesisContext, node: string, deltaMs: number, faked: boolean): Promise<void> {
    const total = (offsets.get(node) ?? 0) + deltaMs;
    const deadman = ctx.deadman ?? sharedDeadman(ctx.remote);
    if (faked) {
      const file = await faketimeFile(ctx, node, faketimeOffset(total));
      await deadman.arm(node, 'clock', `echo +0s > '${file}'`);
      await writeOffset(ctx, node, file, faketimeOffset(total));
    } else {
      await deadman.arm(
        node,
        'clock',
        `t=$(( $(date +%s%N) - (${total}) * 1000000 )); date -u -s "@$(( t / 1000000000 ))" >/dev/null`,
      );
      await ctx.remote.script(node, SHIFT_CLOCK_SCRIPT, [String(deltaMs)]);
    }
    offsets.set(node, total);
  }

  async function reset(ctx: NemesisContext, nodes: readonly string[]): Promise<void> {
    const deadman = ctx.deadman ?? sharedDeadman(ctx.remote);
    // One at a time: on shared-kernel nodes each reset restarts a JVM.
    for (const node of nodes) {
      if (!offsets.has(node)) continue;
      if (await sharesKernel(ctx, node)) {
        await unfake(ctx, node);
      } else {
        // The controller's clock is the reference; the SSH hop costs a few ms at most.
        const nowNs = BigInt(Date.now()) * 1_000_000n;
        await ctx.remote.script(node, SET_CLOCK_SCRIPT, [String(nowNs)]);
      }
      offsets.delete(node);
      await deadman.disarm(node, 'clock');
    }
  }

  async function strobe(
    ctx: NemesisContext,
    node: string,
    faked: boolean,
    p: { deltaMs: number; periodMs: number; durationMs: number },
  ): Promise<void> {
    const deadman = ctx.deadman ?? sharedDeadman(ctx.remote);
    const base = offsets.get(node) ?? 0;
    const timeoutMs = p.durationMs + 30_000;
    if (faked) {
      const file = await faketimeFile(ctx, node, faketimeOffset(base));
      await deadman.arm(node, 'clock', `echo +0s > '${file}'`);
      const args = [
        file,
        faketimeOffset(base + p.deltaMs),
        faketimeOffset(base),
        String(p.periodMs),
        String(p.durationMs),
      ];
      await ctx.remote.script(node, FAKETIME_STROBE_SCRIPT, args, { timeoutMs });
    } else {
      await deadman.arm(node, 'clock', 'true');
      const args = [String(p.deltaMs), String(p.periodMs), String(p.durationMs)];
      await ctx.remote.script(node, STROBE_CLOCK_SCRIPT, args, { timeoutMs });
    }
    offsets.set(node, base);
  }

  async function invoke(ctx: NemesisContext, op: Invocation): Promise<NemesisOutcome> {
    const v = (op.value !== null && typeof op.value === 'object' ? op.value : {}) as Record<string, unknown>;
    const { spec, nodes } = await resolveTargets(ctx, op, op.f === 'reset-clock' ? 'all' : 'one');
    const shared: string[] = [];
    for (const node of nodes) if (await sharesKernel(ctx, node)) shared.push(node);
    const faked = shared.length > 0;
    if (faked && !FAKETIME_DBS.has(ctx.db.name)) {
      ctx.log(SHARED_CLOCK_REFUSAL);
      return {
        value: { targets: spec, nodes, refused: shared, applied: false },
        error: SHARED_CLOCK_REFUSAL,
      };
    }
    if (faked && shared.length < nodes.length) {
      const error = 'clock faults refused: some targets share the controller kernel and some do not';
      return { value: { targets: spec, nodes, refused: shared, applied: false }, error };
    }
    const mechanism = faked ? `libfaketime on ${ctx.db.name} (wall clock only)` : 'date -s';
    if (op.f === 'bump-clock') {
      const deltaMs = num(v, 'deltaMs', Math.round((ctx.random() * 2 - 1) * 262_144));
      if (faked) {
        // One JVM restart at a time: a quorum of servers restarting at once may take long to re-form.
        for (const node of nodes) await shift(ctx, node, deltaMs, faked);
      } else {
        await Promise.all(nodes.map((node) => shift(ctx, node, deltaMs, faked)));
      }
      return { value: { targets: spec, nodes, deltaMs, mechanism } };
    }
    if (op.f === 'strobe-clock') {
      const deltaMs = num(v, 'deltaMs', 200);
      // libfaketime re-reads its offset file once a second at most.
      const periodMs = Math.max(num(v, 'periodMs', 10), faked ? 1000 : 1);
      const durationMs = num(v, 'durationMs', 10_000);
      await Promise.all(nodes.map((node) => strobe(ctx, node, faked, { deltaMs, periodMs, durationMs })));
      return { value: { targets: spec, nodes, deltaMs, periodMs, durationMs, mechanism } };
    }
    if (op.f === 'reset-clock') {
      await reset(ctx, nodes);
      return { value: { nodes, mechanism } };
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

/** Clock faults: bump or strobe node clocks (libfaketime where the clock is shared), reset at the stop. */
export const clockFamily: NemesisFamily = {
  name: 'clock',
  description: 'bump or strobe the clocks of target nodes, then reset them',
  requires: [],
  inAll: true,
  effects: { 'bump-clock': 'begins', 'strobe-clock': 'begins', 'reset-clock': 'ends' },
  style: { label: 'clock', fill: 'rgba(16,185,129,0.15)', text: '#047857' },
  schedule: ({ targets }) => ({
    startOps: [
      ...targets.map((t) => ({ f: 'bump-clock', value: { targets: t } })),
      { f: 'strobe-clock', value: { targets: 'one', deltaMs: 200, periodMs: 10, durationMs: 5000 } },
    ],
    stopOp: { f: 'reset-clock', value: null },
    finalOps: [{ f: 'reset-clock', value: null }],
  }),
  create: clockNemesis,
};
