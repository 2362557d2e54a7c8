import { withTimeout } from '../../client/calls.js';
import type { ClientContext } from '../../client/kind.js';
import type { ElectionClient, Leadership } from '../../client/kinds/election.js';
import type { LockClient } from '../../client/kinds/lock.js';
import { positive } from '../../client/options.js';
import { type Done, fail, OK, type Outcome } from '../../client/types.js';
import { zkCode, zkFailure, zkQueueUp, zkRemove } from './connection.js';
import { ZkSession } from './session.js';

/**
 * The ZooKeeper lock (and election) recipe: an ephemeral sequential znode under `dir`, lowest
 * wins, watch the predecessor; taking gives up after the `waitMs` option (default 2000),
 * removing its znode; giving back removes it. Closing the session removes the ephemeral
 * znode, and so gives up what it held. The term of a holder is its znode's sequence number.
 */
export class ZkQueueSession extends ZkSession {
  /** The name of our znode in the queue, while we hold (or wait for) the lock. */
  protected mine: string | undefined;
  private readonly waitMs: number;

  constructor(ctx: ClientContext, dir: string) {
    super(ctx, dir);
    this.waitMs = positive(ctx.options, 'waitMs', 2000);
  }

  protected async take(): Promise<Outcome<Leadership>> {
    const zk = this.client;
    const dir = this.root;
    if (this.mine) return fail('already held by this client');
    let created: string | undefined;
    try {
      const { name, sequence } = await zkQueueUp(zk, dir, Buffer.alloc(0), this.waitMs, (n) => {
        created = n;
      });
      this.mine = name;
      return { type: 'ok', value: { term: sequence } };
    } catch (err) {
      if (created === undefined) return zkFailure(err, false);
      // We queued but did not get to the front in time: leave the queue, if we can.
      try {
        await withTimeout(zkRemove(zk, `${dir}/${created}`, this.timeoutMs), this.timeoutMs, 'remove');
        return fail(`not first after ${this.waitMs} ms; left the queue`);
      } catch {
        return zkFailure(err, false);
      }
    }
  }

  protected async give(): Promise<Done> {
    if (!this.mine) return fail('not held by this client');
    try {
      await zkRemove(this.client, `${this.root}/${this.mine}`, this.timeoutMs);
      this.mine = undefined;
      return OK;
    } catch (err) {
      if (zkCode(err) === -101) {
        // NO_NODE: our session expired and took the node with it; we no longer hold it.
        this.mine = undefined;
        return { type: 'ok', error: 'our znode was already gone' };
      }
      return zkFailure(err, false);
    }
  }
}

/** The lock recipe under `/faultline-lock`. */
export class ZkLockClient extends ZkQueueSession implements LockClient {
  constructor(ctx: ClientContext) {
    super(ctx, '/faultline-lock');
  }

  async acquire(): Promise<Done> {
    const got = await this.take();
    // The lock checker needs no term: an `ok` acquire carries no value.
    return got.type === 'ok' ? OK : got;
  }

  release(): Promise<Done> {
    return this.give();
  }
}

/** The same recipe as an election under `/faultline-election`: the lowest znode leads. */
export class ZkElectionClient extends ZkQueueSession implements ElectionClient {
  constructor(ctx: ClientContext) {
    super(ctx, '/faultline-election');
  }

  becomeLeader(_candidate: string): Promise<Outcome<Leadership>> {
    return this.take();
  }

  stopLeader(): Promise<Done> {
    return this.give();
  }
}
