import zookeeper from 'node-zookeeper-client';
import type { ClientContext } from '../../client/kind.js';
import { decodeLockSet, encodeLockSet, holdFor, type LockSetClient } from '../../client/kinds/lock-set.js';
import { flag } from '../../client/options.js';
import { type Done, fail, OK, type Outcome } from '../../client/types.js';
import { zkCall, zkCode, zkEnsure, zkFailure, zkGet, zkSet } from './connection.js';
import { ZkQueueSession } from './lock.js';

const LOCK_DIR = '/faultline-lock-set';
const SET_PATH = '/faultline-lock-set-value';

/**
 * The lock-set on ZooKeeper: the lock recipe (ephemeral sequential znodes under
 * `/faultline-lock-set`, lowest holds), the set as JSON in the znode `/faultline-lock-set-value`.
 * The fencing token is our lock znode (its sequence number names it); with `fencing`, the write
 * is a multi that checks the znode still exists before it sets the data — once our session
 * expired, the znode is gone and the multi is refused. Without it the write is a plain setData.
 */
export class ZkLockSetClient extends ZkQueueSession implements LockSetClient {
  private readonly fencing: boolean;

  constructor(ctx: ClientContext) {
    super(ctx, LOCK_DIR);
    this.fencing = flag(ctx.options, 'fencing', false);
  }

  override async open(node: string): Promise<void> {
    await super.open(node);
    try {
      await zkEnsure(this.client, SET_PATH, this.timeoutMs);
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  async acquire(): Promise<Done> {
    const got = await this.take();
    return got.type === 'ok' ? OK : got;
  }

  async read(): Promise<Outcome<number[]>> {
    try {
      const got = await zkGet(this.client, SET_PATH, this.timeoutMs);
      return { type: 'ok', value: decodeLockSet(got?.data.toString()) };
    } catch (err) {
      return zkFailure(err, true);
    }
  }

  hold(): Promise<void> {
    return holdFor(this.ctx.options);
  }

  async write(elements: readonly number[]): Promise<Done> {
    const data = Buffer.from(encodeLockSet(elements));
    const zk = this.client;
    try {
      if (!this.fencing) {
        await zkSet(zk, SET_PATH, data, -1, this.timeoutMs);
        return OK;
      }
      if (!this.mine) return fail('fenced: no lock held');
      const lockNode = `${LOCK_DIR}/${this.mine}`;
      const multi = zk.transaction().check(lockNode, -1).setData(SET_PATH, data, -1);
      await zkCall(zk, 'multi', this.timeoutMs, (done) => multi.commit((err) => done(err)));
      return OK;
    } catch (err) {
      // A refused check is definite: the multi applied nothing.
      if (this.fencing && zkCode(err) === zookeeper.Exception.NO_NODE)
        return fail(`fenced: our lock znode ${this.mine} is gone`);
      return zkFailure(err, false);
    }
  }

  release(): Promise<Done> {
    return this.give();
  }
}
