import { type Etcd3, EtcdLeaseInvalidError, type Lease } from 'etcd3';
import { shortError, withTimeout } from '../../client/calls.js';
import type { ClientContext } from '../../client/kind.js';
import type { EphemeralClient, Heartbeat, Membership } from '../../client/kinds/ephemeral.js';
import { flag, positive } from '../../client/options.js';
import { type Done, fail, OK, type Outcome, ok } from '../../client/types.js';
import { connectEtcd, etcdFailure, releaseLeased } from './connection.js';
import { EtcdSession } from './session.js';

const PREFIX = 'faultline-ephemeral/';

interface Registered {
  member: string;
  lease: Lease;
  /** The member's own connection: dropping it is the member's death. */
  conn: Etcd3;
}

/**
 * Members as keys under leases: `register` grants a lease of `ttlMs` (rounded up to whole
 * seconds, at least 2) on a connection of its own, kept alive by the etcd3 client, and puts
 * `faultline-ephemeral/<member>` under it. `heartbeat` is one keep-alive answered by the leader.
 * `leave` revokes the lease. `die` stops the keep-alives and closes the member's connection
 * without revoking. `cut` ends the keep-alive stream but leaves the connection open and silent.
 * `list` is a linearizable range read of the prefix on the thread's own connection.
 *
 * Test only: `testOnlyDeleteOwnNode` makes every heartbeat delete the member's key right after
 * the keep-alive, while the lease is provably alive (the checker must catch it).
 */
export class EtcdEphemeralClient extends EtcdSession implements EphemeralClient {
  private mine: Registered | undefined;
  /** The node this thread talks to: each registration connects to it afresh. */
  private node = '';
  /** Connections of cut members: silent, closed with the client. */
  private readonly stranded: Etcd3[] = [];
  private readonly ttlS: number;
  private readonly deleteOwnNode: boolean;

  constructor(ctx: ClientContext) {
    super(ctx);
    this.ttlS = Math.max(2, Math.ceil(positive(ctx.options, 'ttlMs', 4000) / 1000));
    this.deleteOwnNode = flag(ctx.options, 'testOnlyDeleteOwnNode', false);
  }

  async register(member: string): Promise<Outcome<Membership>> {
    if (this.mine) return fail(`already registered as ${this.mine.member}`);
    const conn = connectEtcd(this.ctx.endpoint(this.node), this.timeoutMs);
    const lease = conn.lease(this.ttlS);
    // Losing the lease is what the test is about; the history records it through heartbeats.
    lease.on('lost', () => undefined);
    try {
      const id = await lease.grant();
      await lease.put(`${PREFIX}${member}`).value(member).exec();
      this.mine = { member, lease, conn };
      return ok({ member, session: id, ttlMs: this.ttlS * 1000 });
    } catch (err) {
      // Not revoked: if the put took effect, its key expires with the lease.
      lease.release();
      conn.close();
      return etcdFailure(err, false);
    }
  }

  async heartbeat(): Promise<Outcome<Heartbeat>> {
    const mine = this.mine;
    if (!mine) return fail('not registered');
    try {
      const res = await withTimeout(mine.lease.keepaliveOnce(), this.timeoutMs, 'lease keep-alive');
      if (this.deleteOwnNode) await mine.conn.delete().key(`${PREFIX}${mine.member}`).exec();
      return ok({ member: mine.member, remainingMs: Number(res.TTL) * 1000 });
    } catch (err) {
      if (err instanceof EtcdLeaseInvalidError) return fail('lease expired');
      return fail(shortError(err));
    }
  }

  async leave(): Promise<Done> {
    const mine = this.mine;
    if (!mine) return fail('not registered');
    const done = await releaseLeased(() => mine.lease.revoke());
    if (done.type !== 'fail') this.drop(false);
    return done;
  }

  async die(): Promise<Done> {
    if (!this.mine) return fail('not registered');
    this.drop(false);
    return OK;
  }

  async cut(): Promise<Done> {
    if (!this.mine) return fail('not registered');
    this.drop(true);
    return OK;
  }

  async list(): Promise<Outcome<string[]>> {
    try {
      const keys = await this.client.getAll().prefix(PREFIX).keys();
      return ok(keys.map((k) => k.slice(PREFIX.length)).sort());
    } catch (err) {
      return etcdFailure(err, true);
    }
  }

  override async open(node: string): Promise<void> {
    this.node = node;
    await super.open(node);
  }

  override async close(): Promise<void> {
    this.drop(false);
    for (const c of this.stranded.splice(0)) c.close();
    await super.close();
  }

  /** Stops the keep-alives without revoking; closes the member's connection unless it is kept silent. */
  private drop(keepConnection: boolean): void {
    const mine = this.mine;
    if (!mine) return;
    this.mine = undefined;
    mine.lease.release();
    if (keepConnection) this.stranded.push(mine.conn);
    else mine.conn.close();
  }
}
