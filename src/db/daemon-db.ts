import type { ClientOffers } from '../client/kind.js';
import { DaemonError, type DaemonRef, daemonPid, killDaemon, signalDaemon } from './daemon.js';
import type { Db, DbContext, HasLogFiles, HasPrimaries, Killable, Pausable } from './types.js';

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
export abstract class DaemonDb<O extends { clientPort: number }, P extends DaemonPaths>
  implements Db, Killable, Pausable, HasPrimaries, HasLogFiles
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
    await killDaemon(ctx.remote, node, this.ref(ctx, node));
    await this.wipe(ctx, node);
    await ctx.remote.exec(node, ['rm', '-f', '--', this.paths(ctx, node).log]);
    await this.start(ctx, node);
  }

  async teardown(ctx: DbContext, node: string): Promise<void> {
    await killDaemon(ctx.remote, node, this.ref(ctx, node));
    await this.wipe(ctx, node);
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
