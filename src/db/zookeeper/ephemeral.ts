import type { Socket } from 'node:net';
import zookeeper from 'node-zookeeper-client';
import { shortError } from '../../client/calls.js';
import type { ClientContext } from '../../client/kind.js';
import type { EphemeralClient, Heartbeat, Membership } from '../../client/kinds/ephemeral.js';
import { flag, positive } from '../../client/options.js';
import { type Done, fail, OK, type Outcome, ok } from '../../client/types.js';
import {
  closeZk,
  connectZk,
  type ZkClient,
  zkChildren,
  zkCode,
  zkCreate,
  zkFailure,
  zkRemove,
  zkSet,
  zkSyncBarrier,
} from './connection.js';
import { ZkSession } from './session.js';

const ROOT = '/faultline-ephemeral';
/** Written before each list, so that the list sees everything committed before it began. */
const SYNC = '/faultline-ephemeral-sync';
const { CreateMode, Exception } = zookeeper;
/** node-zookeeper-client's ConnectionManager state in which a closed socket is not reopened. */
const CLOSING = -1;

/** The parts of node-zookeeper-client's connection manager a member's death reaches into. */
interface ConnectionInternals {
  state: number;
  socket?: Socket;
}

function internals(zk: ZkClient): ConnectionInternals {
  return (zk as unknown as { connectionManager: ConnectionInternals }).connectionManager;
}

/**
 * Members as ephemeral znodes: `register` opens a session of its own asking for `ttlMs` as
 * session timeout (the server clamps it to [2, 20] ticks; the granted one is recorded) and
 * creates `/faultline-ephemeral/<member>` as an ephemeral znode. `heartbeat` is a setData on
 * that znode: a write, so it goes through the leader, which checks that the session is alive.
 * `leave` removes the znode, then closes the session. `die` destroys the session's socket
 * without a close-session request and without reconnecting: the server sees the connection
 * drop and expires the session after its timeout. `cut` blackholes the socket on the client's
 * side: the library stops pinging and will not reconnect, the socket stops reading and drops
 * every write, so the connection stays open but nothing reaches the server. `list` writes a sync
 * node through the leader, then reads the children on the thread's own session.
 *
 * Test only: `testOnlyDeleteOwnNode` makes every heartbeat remove the member's znode right
 * after the setData, while the session is provably alive (the checker must catch it).
 */
export class ZkEphemeralClient extends ZkSession implements EphemeralClient {
  private mine: { member: string; zk: ZkClient } | undefined;
  /** Sessions of dead or cut members: their sockets are destroyed with the client. */
  private readonly stranded: ZkClient[] = [];
  private readonly sessionTimeoutMs: number;
  private readonly deleteOwnNode: boolean;
  private node = '';

  constructor(ctx: ClientContext) {
    super(ctx, ROOT);
    this.sessionTimeoutMs = positive(ctx.options, 'ttlMs', 4000);
    this.deleteOwnNode = flag(ctx.options, 'testOnlyDeleteOwnNode', false);
  }

  override async open(node: string): Promise<void> {
    this.node = node;
    await super.open(node);
  }

  async register(member: string): Promise<Outcome<Membership>> {
    if (this.mine) return fail(`already registered as ${this.mine.member}`);
    let zk: ZkClient;
    try {
      zk = await connectZk(this.ctx.endpoint(this.node), this.timeoutMs, this.sessionTimeoutMs);
    } catch (err) {
      return fail(`no session: ${shortError(err)}`);
    }
    try {
      await zkCreate(zk, this.path(member), Buffer.from(member), CreateMode.EPHEMERAL, this.timeoutMs);
    } catch (err) {
      closeZk(zk);
      return zkFailure(err, false);
    }
    this.mine = { member, zk };
    return ok({ member, session: zk.getSessionId().toString('hex'), ttlMs: zk.getSessionTimeout() });
  }

  async heartbeat(): Promise<Outcome<Heartbeat>> {
    const mine = this.mine;
    if (!mine) return fail('not registered');
    try {
      await zkSet(mine.zk, this.path(mine.member), Buffer.from(mine.member), -1, this.timeoutMs);
      if (this.deleteOwnNode) await zkRemove(mine.zk, this.path(mine.member), this.timeoutMs);
      return ok({ member: mine.member });
    } catch (err) {
      if (zkCode(err) === Exception.NO_NODE) return fail('our znode is gone');
      return fail(shortError(err));
    }
  }

  async leave(): Promise<Done> {
    const mine = this.mine;
    if (!mine) return fail('not registered');
    try {
      await zkRemove(mine.zk, this.path(mine.member), this.timeoutMs);
    } catch (err) {
      if (zkCode(err) !== Exception.NO_NODE) return zkFailure(err, false);
      // Already gone with its session: leaving is done all the same.
    }
    this.mine = undefined;
    closeZk(mine.zk);
    return OK;
  }

  async die(): Promise<Done> {
    const mine = this.mine;
    if (!mine) return fail('not registered');
    this.mine = undefined;
    const conn = internals(mine.zk);
    conn.state = CLOSING;
    conn.socket?.destroy();
    this.stranded.push(mine.zk);
    return OK;
  }

  async cut(): Promise<Done> {
    const mine = this.mine;
    if (!mine) return fail('not registered');
    this.mine = undefined;
    const conn = internals(mine.zk);
    // No pings are queued and a closed socket is not reopened (the session must not come back).
    conn.state = CLOSING;
    const socket = conn.socket;
    if (socket) {
      socket.setTimeout(0);
      socket.pause();
      socket.write = (() => true) as Socket['write'];
    }
    this.stranded.push(mine.zk);
    return OK;
  }

  async list(): Promise<Outcome<string[]>> {
    try {
      await zkSyncBarrier(this.client, SYNC, this.timeoutMs);
      return ok((await zkChildren(this.client, ROOT, this.timeoutMs)).sort());
    } catch (err) {
      return zkFailure(err, true);
    }
  }

  override async close(): Promise<void> {
    // A member still registered when the test ends leaves by closing its session.
    if (this.mine) closeZk(this.mine.zk);
    this.mine = undefined;
    for (const zk of this.stranded.splice(0)) {
      const conn = internals(zk);
      conn.state = CLOSING;
      conn.socket?.destroy();
    }
    await super.close();
  }

  private path(member: string): string {
    return `${ROOT}/${member}`;
  }
}
