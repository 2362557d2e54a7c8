/**
 * The quorum command's negative control: etcd deliberately misconfigured so that every node
 * is its own single-member cluster, while faultline is told they are one db. Each "member"
 * acknowledges writes on its own, so a partition leaves every side writable: split-brain.
 * Never a real deployment; `faultline quorum --db etcd-islands` shows the command catches it.
 */
import { startDaemon } from '../db/daemon.js';
import { EtcdDb, etcdArgv } from '../db/etcd/db.js';
import type { DbContext } from '../db/types.js';

export class EtcdIslandsDb extends EtcdDb {
  override readonly name = 'etcd-islands';

  /** Starts the node as a cluster of one: its initial cluster names only itself. */
  override async start(ctx: DbContext, node: string): Promise<void> {
    const paths = this.paths(ctx, node);
    await startDaemon(ctx.remote, node, this.ref(ctx, node), {
      argv: etcdArgv(this.options(ctx), [node], node, ctx.remote),
      logFile: paths.log,
      cwd: paths.home,
    });
  }
}

export const etcdIslands = new EtcdIslandsDb();
