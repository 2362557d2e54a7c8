/**
 * The connection plumbing every etcd client shares: a session with ONE member, made in `open`
 * and dropped in `close`, with the `callTimeoutMs` option as the deadline of every call. A
 * client of a kind extends {@link EtcdSession} and writes only its calls.
 */
import type { Etcd3 } from 'etcd3';
import type { ClientContext } from '../../client/kind.js';
import { callTimeoutMs, flag } from '../../client/options.js';
import type { Session } from '../../client/types.js';
import { connectEtcd } from './connection.js';

/** A client of one etcd member; `etcd` is set between `open` and `close`. */
export abstract class EtcdSession implements Session {
  protected etcd: Etcd3 | undefined;
  protected readonly timeoutMs: number;
  /** The `serializable` option: member-local reads (default false). */
  protected readonly serializable: boolean;

  constructor(protected readonly ctx: ClientContext) {
    this.timeoutMs = callTimeoutMs(ctx.options);
    this.serializable = flag(ctx.options, 'serializable', false);
  }

  async open(node: string): Promise<void> {
    this.etcd = connectEtcd(this.ctx.endpoint(node), this.timeoutMs);
  }

  /** The connection; only between `open` and `close`. */
  protected get client(): Etcd3 {
    if (!this.etcd) throw new Error('etcd client used before open or after close');
    return this.etcd;
  }

  async close(): Promise<void> {
    // Closing also stops lease keep-alives: whatever a lease held expires after its TTL.
    this.etcd?.close();
    this.etcd = undefined;
  }
}
