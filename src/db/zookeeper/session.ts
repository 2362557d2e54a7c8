/**
 * The connection plumbing every ZooKeeper client shares: a session with ONE server, made in
 * `open` and dropped in `close`, working under one znode, with the `callTimeoutMs` option as
 * the deadline of every call. A client of a kind extends {@link ZkSession} and writes only its calls.
 */
import type { ClientContext } from '../../client/kind.js';
import { callTimeoutMs } from '../../client/options.js';
import type { Session } from '../../client/types.js';
import { closeZk, connectZk, type ZkClient, zkEnsure } from './connection.js';

/** A ZooKeeper session on `endpoint` in which `root` exists; the session is closed if making `root` fails. */
export async function openZkUnder(endpoint: string, root: string, timeoutMs: number): Promise<ZkClient> {
  const zk = await connectZk(endpoint, timeoutMs);
  try {
    await zkEnsure(zk, root, timeoutMs);
  } catch (err) {
    closeZk(zk);
    throw err;
  }
  return zk;
}

/** A client of one ZooKeeper server, working under the znode `root`; `zk` is set between `open` and `close`. */
export abstract class ZkSession implements Session {
  protected zk: ZkClient | undefined;
  protected readonly timeoutMs: number;

  constructor(
    protected readonly ctx: ClientContext,
    protected readonly root: string,
  ) {
    this.timeoutMs = callTimeoutMs(ctx.options);
  }

  async open(node: string): Promise<void> {
    this.zk = await openZkUnder(this.ctx.endpoint(node), this.root, this.timeoutMs);
  }

  /** The session; only between `open` and `close`. */
  protected get client(): ZkClient {
    if (!this.zk) throw new Error('ZooKeeper client used before open or after close');
    return this.zk;
  }

  async close(): Promise<void> {
    // Closing the session removes its ephemeral znodes.
    closeZk(this.zk);
    this.zk = undefined;
  }
}
