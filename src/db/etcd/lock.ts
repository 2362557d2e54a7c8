import { EtcdLockFailedError, type Lock } from 'etcd3';
import type { ClientContext } from '../../client/kind.js';
import type { LockClient } from '../../client/kinds/lock.js';
import { positive } from '../../client/options.js';
import { type Done, fail, OK } from '../../client/types.js';
import { etcdFailure, releaseLeased } from './connection.js';
import { EtcdSession } from './session.js';

const LOCK = 'faultline-lock';

/**
 * The etcd3 client's `lock()`: a lease (TTL option `ttl` s, default 3, kept alive by the
 * client) and a txn that puts the lock key under it if the key does not exist; `acquire` fails
 * when another holds it; `release` revokes the lease. The client does not stop believing it
 * holds the lock if its lease expires meanwhile: that is the weakness under test. Closing the
 * client stops the keep-alives, so a lock it holds expires after its TTL.
 */
export class EtcdLockClient extends EtcdSession implements LockClient {
  private held: Lock | undefined;
  private readonly ttl: number;

  constructor(ctx: ClientContext) {
    super(ctx);
    this.ttl = positive(ctx.options, 'ttl', 3);
  }

  async acquire(): Promise<Done> {
    if (this.held) return fail('already held by this client');
    const lock = this.client.lock(LOCK).ttl(this.ttl);
    try {
      await lock.acquire();
      this.held = lock;
      return OK;
    } catch (err) {
      if (err instanceof EtcdLockFailedError) return fail('held by another client');
      return etcdFailure(err, false);
    }
  }

  async release(): Promise<Done> {
    const lock = this.held;
    if (!lock) return fail('not held by this client');
    const done = await releaseLeased(() => lock.release());
    if (done.type === 'ok') this.held = undefined;
    return done;
  }
}
