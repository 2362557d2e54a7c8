/**
 * Watches the db's server on every node during a run, to catch the crashes a history alone can
 * hide: a node that exits on its own, or does not come back after a restart. It knows which
 * nodes should be up by watching the calls the run makes on the db (a nemesis's `kill`, `start`,
 * ...: see {@link NODE_EFFECTS}), probes the others' pid every few seconds, and records what it
 * sees as nemesis-process events in the history for the `crash` checker (checkers/crash.ts):
 * `node-crash` when a node that should run does not, and `node-status` once at the end.
 */
import { CRASH_F, type NodeCrash, type NodeStatus, STATUS_F } from '../../checkers/crash.js';
import { type Db, type DbContext, hasCapability, hasLogFiles } from '../db/types.js';

/** What each db method does to whether a node's server should run; other methods leave it. */
export const NODE_EFFECTS: Readonly<Record<string, 'up' | 'down'>> = {
  setup: 'up',
  start: 'up',
  kill: 'down',
  stop: 'down',
  teardown: 'down',
};

/** Lines of a node's log kept as evidence of a crash. */
const LOG_TAIL_LINES = 20;

type Expected = 'up' | 'down';

interface NodeState {
  expected: Expected;
  /** Calls on the node in flight: while any is, the node is changing and not judged. */
  busy: number;
  /** Bumped by every call, so that a probe that raced a call is thrown away. */
  epoch: number;
  /** The last `up` call failed: the node did not come back. */
  startError?: string;
  /** A crash is recorded once per life: until the next `up` call. */
  reported: boolean;
  /** The node was started again after a down (it had a restart to come back from). */
  restarted: boolean;
  /** A probe saw the server running since the last `up` call. */
  seenSinceUp: boolean;
  lastPid: number | null;
}

/** Records one event in the history (an invoke/info pair of process `nemesis`). */
export type RecordEvent = (f: string, value: unknown, error?: string) => void;

/** A helper the runner starts once the db is up and finishes before it is torn down. */
export interface RunMonitor {
  start(record: RecordEvent): void;
  finish(): Promise<void>;
}

export class NodeWatch implements RunMonitor {
  private readonly nodes = new Map<string, NodeState>();
  private record: RecordEvent | undefined;
  private timer: NodeJS.Timeout | undefined;
  private probing: Promise<void> | undefined;
  private probes = 0;
  private readonly start0 = process.hrtime.bigint();

  constructor(
    private readonly db: Db,
    private readonly ctx: DbContext,
    private readonly intervalMs = 2_000,
  ) {
    for (const node of ctx.nodes)
      this.nodes.set(node, {
        expected: 'down',
        busy: 0,
        epoch: 0,
        reported: false,
        restarted: false,
        seenSinceUp: false,
        lastPid: null,
      });
  }

  /** True when the db can be watched at all (it can tell a server's pid). */
  get watchable(): boolean {
    return hasCapability(this.db, 'process');
  }

  /**
   * The db as the run should use it: the same object's methods, with the calls that start or
   * stop a node's server noted (any method listed in {@link NODE_EFFECTS}, given `(ctx, node)`).
   */
  tracked(): Db {
    return new Proxy(this.db, {
      get: (target, prop, receiver) => {
        const value = Reflect.get(target, prop, receiver);
        const effect = typeof prop === 'string' ? NODE_EFFECTS[prop] : undefined;
        if (typeof value !== 'function' || effect === undefined) return value;
        return (...args: unknown[]) => this.call(effect, args[1], () => value.apply(target, args));
      },
    });
  }

  private async call<T>(effect: Expected, node: unknown, run: () => Promise<T>): Promise<T> {
    const state = typeof node === 'string' ? this.nodes.get(node) : undefined;
    if (!state) return run();
    state.busy++;
    state.epoch++;
    try {
      const result = await run();
      if (effect === 'up') {
        state.restarted = state.expected === 'down' && state.lastPid !== null;
        state.seenSinceUp = false;
        state.startError = undefined;
        state.reported = false;
      }
      state.expected = effect;
      return result;
    } catch (err) {
      // A start that failed leaves a node that should run but does not; a failed kill, one
      // that may still run: neither is judged until a later call settles it.
      if (effect === 'up') {
        state.expected = 'up';
        state.restarted = true;
        state.startError = err instanceof Error ? err.message : String(err);
      }
      throw err;
    } finally {
      state.busy--;
      state.epoch++;
    }
  }

  start(record: RecordEvent): void {
    this.record = record;
    if (!this.watchable) return;
    this.timer = setInterval(() => {
      if (!this.probing) this.probing = this.probeAll().finally(() => (this.probing = undefined));
    }, this.intervalMs);
    this.timer.unref();
  }

  async finish(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.probing;
    if (!this.record) return;
    if (!this.watchable) {
      this.record(STATUS_F, {
        watched: false,
        reason: `db ${this.db.name} cannot tell its server's pid`,
      } satisfies NodeStatus);
      return;
    }
    const dead: NodeCrash[] = [];
    const alive: string[] = [];
    await Promise.all(
      [...this.nodes].map(async ([node, state]) => {
        if (state.expected !== 'up') return;
        const crash = await this.judge(node, state, true);
        if (crash) dead.push(crash);
        else alive.push(node);
      }),
    );
    for (const crash of dead) this.report(crash);
    this.record(STATUS_F, {
      watched: true,
      probes: this.probes,
      alive: alive.sort(),
      dead: dead.map((d) => d.node).sort(),
      down: [...this.nodes].filter(([, s]) => s.expected === 'down').map(([n]) => n),
    } satisfies NodeStatus);
  }

  private async probeAll(): Promise<void> {
    await Promise.all(
      [...this.nodes].map(async ([node, state]) => {
        if (state.expected !== 'up' || state.busy > 0 || state.reported) return;
        const crash = await this.judge(node, state, false);
        if (crash) this.report(crash);
      }),
    );
  }

  /** A crash of `node`, or undefined when its server runs (or the probe raced a call). */
  private async judge(node: string, state: NodeState, final: boolean): Promise<NodeCrash | undefined> {
    if (state.reported && !final) return undefined;
    const epoch = state.epoch;
    let pid: number | null;
    try {
      pid = await (this.db as Db & { pid(ctx: DbContext, node: string): Promise<number | null> }).pid(
        this.ctx,
        node,
      );
    } catch {
      return undefined; // an unreachable node is not evidence of a crash
    }
    this.probes++;
    if (state.epoch !== epoch || state.busy > 0 || state.expected !== 'up') return undefined;
    if (pid !== null) {
      state.lastPid = pid;
      state.seenSinceUp = true;
      return undefined;
    }
    if (state.reported && final) return { node, kind: 'still-down', atS: this.seconds(), final };
    const kind =
      state.startError !== undefined || (state.restarted && !state.seenSinceUp) ? 'no-restart' : 'exited';
    return {
      node,
      kind,
      atS: this.seconds(),
      final,
      ...(state.lastPid !== null ? { lastPid: state.lastPid } : {}),
      ...(state.startError !== undefined ? { startError: state.startError } : {}),
      logTail: await this.logTail(node),
    };
  }

  private report(crash: NodeCrash): void {
    const state = this.nodes.get(crash.node);
    if (state) state.reported = true;
    if (crash.kind === 'still-down') return; // already recorded when first seen
    this.record?.(CRASH_F, crash);
  }

  private seconds(): number {
    return Math.round(Number(process.hrtime.bigint() - this.start0) / 1e6) / 1e3;
  }

  /** The last lines of the node's first log file: what the server said before it went. */
  private async logTail(node: string): Promise<string[]> {
    if (!hasLogFiles(this.db)) return [];
    try {
      const [file] = await this.db.logFiles(this.ctx, node);
      if (!file) return [];
      const { stdout } = await this.ctx.remote.exec(
        node,
        ['tail', '-n', String(LOG_TAIL_LINES), '--', file],
        {
          allowFailure: true,
          timeoutMs: 10_000,
        },
      );
      return stdout.split('\n').filter((l) => l.trim() !== '');
    } catch {
      return [];
    }
  }
}
