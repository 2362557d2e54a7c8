import type { Invocation } from '../src/client/types.js';
import type { Remote } from '../src/control/types.js';
import { type Db, type DbContext, type HasPrimaries, requireCapability } from '../src/db/types.js';
import type { DeadmanSwitch } from './deadman.js';

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
