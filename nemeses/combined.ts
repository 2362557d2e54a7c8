/**
 * Combined nemesis packages: `--nemesis partition,kill,pause --nemesis-interval 10` becomes
 * (a) one Nemesis routing each `f` to its family, (b) a seeded schedule alternating each
 * package's start and stop ops, about one op per interval, and (c) the final ops that heal
 * every package at the end of a run.
 *
 * The schedule is plain data plus a pure step function, {@link nextNemesisOp}; {@link
 * nemesisGenerator} wraps it as a generator of src/generator.
 */
import type { Invocation } from '../src/client/types.js';
import { type Capability, type Db, hasCapability, MissingCapabilityError } from '../src/db/types.js';
import { InputError, type InputLocation } from '../src/errors.js';
import { Generator, gen, nemesis as onNemesis, seq, sleep, stagger } from '../src/generator/index.js';
import { DeadmanSwitch } from './deadman.js';
import { familyByName, NEMESIS_FAMILIES } from './families.js';
import { GRUDGE_KINDS, type GrudgeKind } from './grudge.js';
import type { PacketBehaviour } from './packet.js';
import { TARGET_KINDS, type TargetKind, targetSpec } from './targets.js';
import type { Nemesis, NemesisContext, SchedulePart } from './types.js';

/** The fault family names, in the order they are healed (see nemeses/families.ts). */
export const FAMILIES: readonly string[] = NEMESIS_FAMILIES.values().map((f) => f.name);

/** A fault family's name. */
export type Family = string;

/** One family's part of the schedule. */
export interface NemesisPackage extends SchedulePart {
  family: Family;
}

/** A whole schedule, as plain data (JSON-safe, goes into the run's facts). */
export interface NemesisSchedule {
  /** Mean seconds between nemesis ops (each wait is uniform in [0, 2 × interval]). */
  intervalS: number;
  packages: NemesisPackage[];
}

/** Which packages have a fault in place. */
export interface ScheduleState {
  active: boolean[];
}

export interface CombinedOptions {
  families: readonly Family[];
  intervalS: number;
  /** Targets for kill/pause/clock/file faults (default one, minority, majority, all, primaries). */
  targets?: readonly TargetKind[];
  /** Partition shapes (default one, majority, majorities-ring, minority-third, bridge, primaries). */
  partitions?: readonly GrudgeKind[];
  /** Packet behaviours (default: 50 ± 10 ms delay; 20% loss; 5% duplicate + 5% reorder with 20 ms delay). */
  packet?: readonly PacketBehaviour[];
  /** Seconds after which a node heals itself when the controller stops renewing (default 10). */
  deadmanTimeoutS?: number;
  /** Take over nodes that hold faults of another live run (`--force`). */
  force?: boolean;
}

/** The op that ends each dead-man family's faults: how a lost lease is recorded in the history. */
export const ENDING_F: Readonly<Record<string, string>> = {
  packet: 'stop-packet',
  partition: 'stop-partition',
  pause: 'resume',
  clock: 'reset-clock',
};

/**
 * Parses `--nemesis partition,kill,pause` (also `none`, and `all`: every family marked `inAll`
 * whose capabilities `db`, when given, has). Throws InputError naming the unknown family.
 */
export function parseFamilies(
  text: string,
  location: InputLocation = { field: 'nemesis' },
  db?: Db,
): Family[] {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.length === 1 && names[0] === 'none') return [];
  if (names.length === 1 && names[0] === 'all')
    return NEMESIS_FAMILIES.values()
      .filter((f) => f.inAll && (!db || f.requires.every((c) => hasCapability(db, c))))
      .map((f) => f.name);
  const out: Family[] = [];
  for (const name of names) {
    if (!familyByName(name)) {
      throw new InputError(
        `unknown nemesis "${name}" (known: ${NEMESIS_FAMILIES.names().join(', ')}, none, all)`,
        location,
      );
    }
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

/** The schedule for the given families. */
export function buildSchedule(options: CombinedOptions): NemesisSchedule {
  if (!(options.intervalS > 0))
    throw new InputError('expected a positive number of seconds', { field: 'nemesis-interval' });
  for (const k of options.partitions ?? []) {
    if (!GRUDGE_KINDS.includes(k)) throw new InputError(`unknown partition "${k}"`, { field: 'partitions' });
  }
  for (const t of options.targets ?? []) {
    if (!TARGET_KINDS.includes(t)) throw new InputError(`unknown target "${t}"`, { field: 'targets' });
  }
  const parts = {
    targets: [...(options.targets ?? TARGET_KINDS)],
    ...(options.partitions ? { partitions: options.partitions } : {}),
    ...(options.packet ? { packet: options.packet } : {}),
  };
  const packages: NemesisPackage[] = NEMESIS_FAMILIES.values()
    .filter((f) => options.families.includes(f.name))
    .map((f) => ({ family: f.name, ...f.schedule(parts) }));
  return { intervalS: options.intervalS, packages };
}

/**
 * What the db must be able to do for a schedule, with who needs it: each family's
 * requirements, and HasPrimaries for ops aimed at `primaries`.
 */
export function requiredCapabilities(schedule: NemesisSchedule): Map<Capability, string> {
  const needs = new Map<Capability, string>();
  for (const pkg of schedule.packages) {
    for (const c of familyByName(pkg.family)?.requires ?? [])
      if (!needs.has(c)) needs.set(c, `nemesis ${pkg.family}`);
    for (const op of pkg.startOps) {
      if (targetSpec(op.value) === 'primaries' && !needs.has('primaries'))
        needs.set('primaries', `nemesis ${pkg.family} (${op.f} aimed at primaries)`);
    }
  }
  return needs;
}

/** Refuses (a {@link MissingCapabilityError}, exit 254) a schedule the db cannot take, naming the family. */
export function checkCapabilities(schedule: NemesisSchedule, db: Db): void {
  for (const [capability, who] of requiredCapabilities(schedule)) {
    if (!hasCapability(db, capability)) throw new MissingCapabilityError(db, capability, who);
  }
}

/** The state before any op: nothing broken. */
export function initialScheduleState(schedule: NemesisSchedule): ScheduleState {
  return { active: schedule.packages.map(() => false) };
}

/**
 * The next op: a random package; its stop op if it has a fault in place, else one of its
 * start ops at random. Pure: returns the new state, leaves the old one alone. Undefined when
 * the schedule has no packages.
 */
export function nextNemesisOp(
  schedule: NemesisSchedule,
  state: ScheduleState,
  random: () => number,
): { op: Invocation; state: ScheduleState } | undefined {
  const n = schedule.packages.length;
  if (n === 0) return undefined;
  const i = Math.floor(random() * n);
  const pkg = schedule.packages[i]!;
  const active = [...state.active];
  let op: Invocation;
  if (active[i] && pkg.stopOp) {
    op = pkg.stopOp;
    active[i] = false;
  } else {
    op = pkg.startOps[Math.floor(random() * pkg.startOps.length)]!;
    active[i] = pkg.stopOp !== undefined;
  }
  return { op: structuredClone(op), state: { active } };
}

/** Every package's final ops, in healing order. */
export function finalNemesisOps(schedule: NemesisSchedule): Invocation[] {
  return schedule.packages.flatMap((p) => p.finalOps.map((op) => structuredClone(op)));
}

/**
 * The schedule as a generator for the nemesis thread: waits one interval, then emits ops at
 * staggered intervals (uniform in [0, 2 × interval]) forever; bound it with a time limit.
 */
export function nemesisGenerator(schedule: NemesisSchedule): Generator {
  if (schedule.packages.length === 0) return onNemesis([]);
  return onNemesis(
    seq(
      sleep(schedule.intervalS),
      stagger(
        schedule.intervalS,
        // A fresh state per start(), so the generator can be reused.
        new Generator(() => {
          let state = initialScheduleState(schedule);
          return gen((ctx) => {
            const next = nextNemesisOp(schedule, state, ctx.random);
            if (!next) return undefined;
            state = next.state;
            return next.op;
          }).start();
        }, 'nemesis-schedule'),
      ),
    ),
  );
}

/** The final heal ops as a generator for the nemesis thread. */
export function finalNemesisGenerator(schedule: NemesisSchedule): Generator {
  return onNemesis(finalNemesisOps(schedule));
}

/** A single nemesis for one family, by name. */
export function familyNemesis(family: Family): Nemesis {
  const f = familyByName(family);
  if (!f)
    throw new InputError(`unknown nemesis "${family}" (known: ${NEMESIS_FAMILIES.names().join(', ')})`, {
      field: 'nemesis',
    });
  return f.create();
}

/**
 * One nemesis over several families: each op goes to the family that handles its `f`;
 * `heal` heals every family (network first), continuing past failures, and then throws the
 * first error, if any.
 */
export function combinedNemesis(
  families: readonly Family[],
  options: { deadmanTimeoutS?: number; force?: boolean } = {},
): Nemesis {
  // Read at call time: a plan's module families register after this file is loaded.
  const members = NEMESIS_FAMILIES.values()
    .map((f) => f.name)
    .filter((f) => families.includes(f))
    .map(familyNemesis);
  const byF = new Map<string, Nemesis>();
  for (const m of members) for (const f of m.fs) byF.set(f, m);

  async function all(ctx: NemesisContext, action: (m: Nemesis) => Promise<void>): Promise<void> {
    const errors: unknown[] = [];
    for (const m of members) {
      try {
        await action(m);
      } catch (err) {
        ctx.log(`nemesis ${m.name}: ${(err as Error).message}`);
        errors.push(err);
      }
    }
    if (errors.length > 0) throw errors[0];
  }

  /** Set when another live run owns the nodes: this run installed nothing, so it heals nothing. */
  let refused = false;

  return {
    name: members.map((m) => m.name).join('+') || 'none',
    fs: [...byF.keys()],
    async setup(ctx) {
      // One switch for all families, logging into the run's log.
      ctx.deadman ??= new DeadmanSwitch(ctx.remote, {
        ...(options.deadmanTimeoutS !== undefined && { timeoutS: options.deadmanTimeoutS }),
        ...(options.force !== undefined && { force: options.force }),
        log: ctx.log,
        // A lost lease ends the node's faults: the history says so, as if healed by the nemesis.
        onLeaseLost: (node, lost, why) => {
          for (const family of lost) {
            const f = ENDING_F[family] ?? `stop-${family}`;
            ctx.record?.(f, { nodes: [node], cause: 'dead-man lease lost; the node heals itself' }, why);
          }
        },
      });
      try {
        await ctx.deadman.claim(ctx.nodes);
      } catch (err) {
        refused = true;
        throw err;
      }
      return all(ctx, (m) => m.setup(ctx));
    },
    async invoke(ctx, op) {
      const m = byF.get(op.f);
      if (!m)
        return { value: null, error: `no nemesis handles ${op.f} (have ${[...byF.keys()].join(', ')})` };
      return m.invoke(ctx, op);
    },
    heal: async (ctx) => (refused ? undefined : all(ctx, (m) => m.heal(ctx))),
    teardown: async (ctx) => (refused ? undefined : all(ctx, (m) => m.teardown(ctx))),
  };
}

/** Everything a run needs for `--nemesis ... --nemesis-interval ...`. */
export interface NemesisPlan {
  nemesis: Nemesis;
  schedule: NemesisSchedule;
  generator: Generator;
  finalGenerator: Generator;
}

/** Builds the nemesis, its schedule and generators for the given families and interval. */
export function buildNemesisPlan(options: CombinedOptions): NemesisPlan {
  const schedule = buildSchedule(options);
  return {
    nemesis: combinedNemesis(options.families, {
      ...(options.deadmanTimeoutS !== undefined && { deadmanTimeoutS: options.deadmanTimeoutS }),
      ...(options.force !== undefined && { force: options.force }),
    }),
    schedule,
    generator: nemesisGenerator(schedule),
    finalGenerator: finalNemesisGenerator(schedule),
  };
}

/**
 * Heals on SIGINT/SIGTERM before exiting (130/143). Returns a function that removes the
 * handlers. The runner also heals in `finally`; this covers a user's Ctrl-C.
 */
export function healOnSignals(nemesis: Nemesis, ctx: NemesisContext): () => void {
  let healing = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (healing) return;
    healing = true;
    ctx.log(`${signal}: healing the cluster before exiting`);
    void nemesis
      .heal(ctx)
      .catch((err: unknown) => ctx.log(`heal failed: ${(err as Error).message}`))
      .finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
