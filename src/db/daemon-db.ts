import type { ClientOffers } from '../client/kind.js';
import { DaemonError, type DaemonRef, daemonPid, killDaemon, signalDaemon } from './daemon.js';
import {
  buildLossyfs,
  cutPower,
  dropUnsynced,
  type LossyDataDirPaths,
  mountLossyfs,
  unmountLossyfs,
} from './lossyfs/node.js';
import { type LossyDataDirSettings, lossySettings } from './lossyfs/options.js';
import type {
  Db,
  DbContext,
  HasLogFiles,
  HasLossyDataDir,
  HasPrimaries,
  Killable,
  Pausable,
} from './types.js';

/** The paths every daemon-run adapter keeps for a node, on the node. */
export interface DaemonPaths {
  /** The server's working directory. */
  home: string;
  /** The data dir: what `wipe` removes. */
  data: string;
  log: string;
  pidFile: string;
}

/**
 * A db whose server is one daemon per node, tracked by a pidfile (see daemon.ts). It holds what
 * such adapters do alike: setup and teardown, stop, kill, pause, resume, pid, wipe, the log
 * file and the client endpoint: the core of {@link Db} and the capabilities Killable, Pausable
 * and HasLogFiles (HasPrimaries is the adapter's to tell). An adapter supplies its name, the server's process name, its
 * options and paths, the clients it offers, how to install and start it, and how to tell
 * health and leadership.
 */
export abstract class DaemonDb<
  O extends { clientPort: number; install?: boolean; lossyDataDir?: LossyDataDirSettings | boolean },
  P extends DaemonPaths,
> implements Db, Killable, Pausable, HasPrimaries, HasLogFiles, HasLossyDataDir
{
  abstract readonly name: string;
  abstract readonly clients: ClientOffers;
  /** The server's name in /proc/PID/comm, which guards the pidfile against a recycled pid. */
  protected abstract readonly comm: string;

  /** The adapter's options from `ctx.options`, checked. */
  abstract options(ctx: DbContext): O;
  /** Where the node keeps its things. */
  abstract paths(ctx: DbContext, node: string): P;
  /** Installs the server on the node when missing. */
  abstract install(ctx: DbContext, node: string): Promise<void>;
  abstract start(ctx: DbContext, node: string): Promise<void>;
  abstract awaitHealthy(ctx: DbContext, timeoutMs: number): Promise<void>;
  abstract primaries(ctx: DbContext): Promise<string[]>;

  protected ref(ctx: DbContext, node: string): DaemonRef {
    return { pidFile: this.paths(ctx, node).pidFile, comm: this.comm };
  }

  endpoint(ctx: DbContext, node: string): string {
    return `${ctx.remote.address(node)}:${this.options(ctx).clientPort}`;
  }

  async setup(ctx: DbContext, node: string): Promise<void> {
    await this.install(ctx, node);
    const lossy = this.lossySettings(ctx);
    if (lossy) await buildLossyfs(ctx.remote, node, this.options(ctx).install !== false);
    await killDaemon(ctx.remote, node, this.ref(ctx, node));
    await unmountLossyfs(ctx.remote, node, this.lossyPaths(ctx, node), true);
    await this.wipe(ctx, node);
    await ctx.remote.exec(node, ['rm', '-f', '--', this.paths(ctx, node).log]);
    if (lossy) await mountLossyfs(ctx.remote, node, this.lossyPaths(ctx, node), lossy);
    await this.start(ctx, node);
  }

  async teardown(ctx: DbContext, node: string): Promise<void> {
    await killDaemon(ctx.remote, node, this.ref(ctx, node));
    await unmountLossyfs(ctx.remote, node, this.lossyPaths(ctx, node), true);
    await this.wipe(ctx, node);
  }

  /** How lossyfs behaves under the node's data dir, or null when it is a plain directory. */
  lossySettings(ctx: DbContext): LossyDataDirSettings | null {
    return lossySettings(this.options(ctx).lossyDataDir);
  }

  lossyDataDirEnabled(ctx: DbContext): boolean {
    return this.lossySettings(ctx) !== null;
  }

  /** The data dir is lossyfs's mount point; the real files are in `<data>.backing`. */
  lossyPaths(ctx: DbContext, node: string): LossyDataDirPaths {
    const { home, data } = this.paths(ctx, node);
    return {
      mount: data,
      backing: `${data}.backing`,
      pidFile: `${home}/lossyfs.pid`,
      log: `${home}/lossyfs.log`,
    };
  }

  /** The moment of the power failure: the data dir's writeback stops until the drop. */
  async cutPower(ctx: DbContext, node: string): Promise<void> {
    if (!this.lossyDataDirEnabled(ctx)) {
      throw new DaemonError(node, `${this.name}'s data dir is not on lossyfs (db option lossyDataDir)`);
    }
    await cutPower(ctx.remote, node, this.lossyPaths(ctx, node).mount);
  }

  /** Rolls the data dir back to what the server fsynced; refuses while the server runs. */
  async loseUnsynced(ctx: DbContext, node: string): Promise<{ files: number; bytes: number }> {
    if (!this.lossyDataDirEnabled(ctx)) {
      throw new DaemonError(node, `${this.name}'s data dir is not on lossyfs (db option lossyDataDir)`);
    }
    if ((await this.pid(ctx, node)) !== null) {
      throw new DaemonError(node, `refusing to drop the unsynced writes of a running ${this.name}`);
    }
    return dropUnsynced(ctx.remote, node, this.lossyPaths(ctx, node).mount);
  }

  async stop(ctx: DbContext, node: string): Promise<void> {
    await killDaemon(ctx.remote, node, this.ref(ctx, node), 10_000);
  }

  async kill(ctx: DbContext, node: string): Promise<void> {
    await killDaemon(ctx.remote, node, this.ref(ctx, node));
  }

  async pause(ctx: DbContext, node: string): Promise<void> {
    await signalDaemon(ctx.remote, node, this.ref(ctx, node), 'STOP');
  }

  async resume(ctx: DbContext, node: string): Promise<void> {
    await signalDaemon(ctx.remote, node, this.ref(ctx, node), 'CONT');
  }

  pid(ctx: DbContext, node: string): Promise<number | null> {
    return daemonPid(ctx.remote, node, this.ref(ctx, node));
  }

  /** `kill`, then `wipe`, in one call on the node (what a membership change does to a node it stops). */
  async killAndWipe(ctx: DbContext, node: string): Promise<void> {
    await killDaemon(ctx.remote, node, this.ref(ctx, node), 0, this.paths(ctx, node).data);
  }

  /** Removes the data dir (not the log); a running server makes this an error. */
  async wipe(ctx: DbContext, node: string): Promise<void> {
    if ((await this.pid(ctx, node)) !== null) {
      throw new DaemonError(node, `refusing to wipe the data of a running ${this.name}`);
    }
    await ctx.remote.exec(node, ['rm', '-rf', '--', this.paths(ctx, node).data]);
  }

  async logFiles(ctx: DbContext, node: string): Promise<string[]> {
    return [this.paths(ctx, node).log];
  }

  /** Runs `script` on the node; a non-zero exit is a {@link DaemonError} saying `what` failed. */
  protected async must(
    ctx: DbContext,
    node: string,
    script: string,
    args: readonly string[],
    what: string,
    timeoutMs: number,
  ): Promise<void> {
    const result = await ctx.remote.script(node, script, args, { timeoutMs, allowFailure: true });
    if (result.code !== 0) {
      throw new DaemonError(node, `${what} failed: ${result.stderr.trim() || `exit status ${result.code}`}`);
    }
  }
}
