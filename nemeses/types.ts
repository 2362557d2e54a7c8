import type { Invocation } from '../src/client/types.js';
import type { Remote } from '../src/control/types.js';
import {
  type Capability,
  type Db,
  type DbContext,
  type HasPrimaries,
  requireCapability,
} from '../src/db/types.js';
import type { DeadmanSwitch } from './deadman.js';
import type { GrudgeKind } from './grudge.js';
import type { PacketBehaviour } from './packet.js';
import type { TargetKind } from './targets.js';

/** What a nemesis may act on. Only `remote` touches hosts. */
export interface NemesisContext {
  remote: Remote;
  nodes: readonly string[];
  db: Db;
  dbContext: DbContext;
  /** Seeded randomness (0 <= x < 1): same seed, same faults. */
  random: () => number;
  log: (message: string) => void;
  /**
   * The dead-man switch the fault families arm on the nodes they break. When absent, they
   * share one per Remote (see `sharedDeadman` in nemeses/deadman.ts).
   */
  deadman?: DeadmanSwitch;
  /**
   * Records an event no nemesis op invoked (a lost dead-man lease ending a node's faults) as
   * an invoke/info pair of process `nemesis`. Given by the runner; absent outside a run.
   */
  record?: (f: string, value: unknown, error?: string) => void;
}

/** What a nemesis reports for one of its ops; recorded as the `info` completion's value. */
export interface NemesisOutcome {
  value: unknown;
  error?: string;
}

/**
 * A fault family (partition, kill, pause, packet, clock, file). Every fault it applies is
 * undone by `heal`, which must be safe to call at any time, any number of times.
 */
export interface Nemesis {
  readonly name: string;
  /** The `f`s this nemesis handles, e.g. `start-partition`, `stop-partition`. */
  readonly fs: readonly string[];
  setup(ctx: NemesisContext): Promise<void>;
  invoke(ctx: NemesisContext, op: Invocation): Promise<NemesisOutcome>;
  /** Undo every fault this nemesis applied. */
  heal(ctx: NemesisContext): Promise<void>;
  teardown(ctx: NemesisContext): Promise<void>;
}

/**
 * The nodes the db says lead, for faults aimed at `primaries`; a db that cannot tell
 * ({@link HasPrimaries}) is refused, naming who asked.
 */
export function primariesOf(ctx: NemesisContext, who: string): Promise<string[]> {
  return requireCapability(ctx.db, 'primaries', who).primaries(ctx.dbContext);
}

/** What an op of a family does to the fault windows of a history (checkers/perf/faults.ts). */
export type FaultEffect = 'begins' | 'ends' | 'instant';

/** What a family's part of a schedule is built from (see nemeses/combined.ts). */
export interface FamilyScheduleOptions {
  /** Targets for node faults (kill, pause, clock, file). */
  targets: readonly TargetKind[];
  /** Partition shapes, when the plan gives them. */
  partitions?: readonly GrudgeKind[];
  /** Packet behaviours, when the plan gives them. */
  packet?: readonly PacketBehaviour[];
}

/** One family's part of a schedule. */
export interface SchedulePart {
  /** Ops that break something; one is picked at random each time. */
  startOps: Invocation[];
  /** The op that undoes a start (absent for one-shot faults such as file damage). */
  stopOp?: Invocation;
  /** Ops run at the end of a run, whatever state the family is in. */
  finalOps: Invocation[];
}

/**
 * A fault family, described once: its nemesis, its part of a schedule, what the db must be
 * able to do for it, what its ops do to fault windows, and how plots and the report show it.
 * The schedule (combined.ts), the perf checker and the report read only this.
 */
export interface NemesisFamily {
  /** The name `--nemesis` and plans use, and the kind of its fault windows. */
  readonly name: string;
  /** One line for `--help`. */
  readonly description: string;
  /** Capabilities the db needs for every op of the family (targets `primaries` add HasPrimaries). */
  readonly requires: readonly Capability[];
  /** Part of `--nemesis all` when the db has what it `requires` (false for faults a run cannot assume, e.g. spare nodes). */
  readonly inAll: boolean;
  /** What each of its `f`s does: begins its fault, ends it, or marks an instant fault. */
  readonly effects: Readonly<Record<string, FaultEffect>>;
  /** Perf plots and the report: a legend label, a translucent fill and a text colour (CSS). */
  readonly style: { readonly label: string; readonly fill: string; readonly text: string };
  /** Its part of a schedule. */
  schedule(options: FamilyScheduleOptions): SchedulePart;
  /** A fresh nemesis of the family (it keeps what it broke, to heal it). */
  create(): Nemesis;
}
