/**
 * The connection plumbing every workload client shares: a session with ONE node, made in
 * `open` and dropped in `close`, with the `callTimeoutMs` option as the deadline of every
 * call. A workload's client extends {@link EtcdSession} or {@link ZkSession} and writes only
 * `invoke` (and reads its own options).
 */
import type { Etcd3 } from 'etcd3';
import type { Client, Completion, Invocation } from '../../src/client/types.js';
import type { WorkloadContext } from '../types.js';
import { connectEtcd } from './etcd.js';
import { type Options, positive } from './options.js';
import { closeZk, connectZk, type ZkClient, zkEnsure } from './zookeeper.js';

/** The `callTimeoutMs` option: the deadline of every call to the db, in ms (default 3000). */
export function callTimeoutMs(options: Options): number {
  return positive(options, 'callTimeoutMs', 3000);
}

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

/** A client of one etcd member; `etcd` is set between `open` and `close`. */
export abstract class EtcdSession implements Client {
  protected etcd: Etcd3 | undefined;
  protected readonly timeoutMs: number;

  constructor(protected readonly ctx: WorkloadContext) {
    this.timeoutMs = callTimeoutMs(ctx.options);
  }

  async open(node: string): Promise<void> {
    this.etcd = connectEtcd(this.ctx.endpoint(node), this.timeoutMs);
  }

  abstract invoke(op: Invocation, context: { process: number; signal: AbortSignal }): Promise<Completion>;

  async close(): Promise<void> {
    // Closing also stops lease keep-alives: whatever a lease held expires after its TTL.
    this.etcd?.close();
    this.etcd = undefined;
  }
}

/** A client of one ZooKeeper server, working under the znode `root`; `zk` is set between `open` and `close`. */
export abstract class ZkSession implements Client {
  protected zk: ZkClient | undefined;
  protected readonly timeoutMs: number;

  constructor(
    protected readonly ctx: WorkloadContext,
    protected readonly root: string,
  ) {
    this.timeoutMs = callTimeoutMs(ctx.options);
  }

  async open(node: string): Promise<void> {
    this.zk = await openZkUnder(this.ctx.endpoint(node), this.root, this.timeoutMs);
  }

  abstract invoke(op: Invocation, context: { process: number; signal: AbortSignal }): Promise<Completion>;

  async close(): Promise<void> {
    // Closing the session removes its ephemeral znodes.
    closeZk(this.zk);
    this.zk = undefined;
  }
}
