import type { Lease } from 'etcd3';
import type { ClientContext } from '../../client/kind.js';
import { decodeLockSet, encodeLockSet, holdFor, type LockSetClient } from '../../client/kinds/lock-set.js';
import { flag, positive } from '../../client/options.js';
import { type Done, fail, OK, type Outcome } from '../../client/types.js';
import { etcdFailure, releaseLeased } from './connection.js';
import { EtcdSession } from './session.js';

const LOCK_KEY = 'faultline-lock-set/lock';
const SET_KEY = 'faultline-lock-set/set';
/** Between tries while another holds the lock. */
const RETRY_MS = 25;

/**
 * The lock-set on etcd: the etcd3 client's lease lock (a lease of `ttl` s, default 3, kept
 * alive by the client; a txn puts the lock key under it when the key does not exist), the set
 * as JSON in one key. The fencing token is the lock key's create revision (the txn's
 * revision); with `fencing`, the write is a txn that puts the set only while the lock key
 * still has that create revision — once the lease expired, the key is gone or someone else's.
 * Without it the write is a plain put: a holder paused past its TTL writes anyway.
 */
export class EtcdLockSetClient extends EtcdSession implements LockSetClient {
  private readonly ttl: number;
  private readonly waitMs: number;
  private readonly fencing: boolean;
  private lease: Lease | undefined;
  private token: number | undefined;

  constructor(ctx: ClientContext) {
    super(ctx);
    this.ttl = positive(ctx.options, 'ttl', 3);
    this.waitMs = positive(ctx.options, 'waitMs', 2000);
    this.fencing = flag(ctx.options, 'fencing', false);
  }

  async acquire(): Promise<Done> {
    if (this.lease) return fail('already held by this client');
    const deadline = Date.now() + this.waitMs;
    const lease = this.client.lease(this.ttl);
    // A lost lease is seen by the fenced write; nothing to do when it happens.
    lease.on('lost', () => undefined);
    try {
      const id = await lease.grant();
      for (;;) {
        const res = await this.client
          .if(LOCK_KEY, 'Create', '==', 0)
          .then(this.client.put(LOCK_KEY).value('').lease(id))
          .commit();
        if (res.succeeded) {
          this.lease = lease;
          this.token = Number(res.header.revision);
          return OK;
        }
        if (Date.now() + RETRY_MS >= deadline) break;
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    } catch (err) {
      // The put may have taken the lock: give the lease up so that whatever it holds goes.
      await this.dropLease(lease);
      return etcdFailure(err, false);
    }
    await this.dropLease(lease);
    return fail(`held by another client for ${this.waitMs} ms`);
  }

  async read(): Promise<Outcome<number[]>> {
    try {
      const text = await this.client.get(SET_KEY).serializable(this.serializable).string();
      return { type: 'ok', value: decodeLockSet(text) };
    } catch (err) {
      return etcdFailure(err, true);
    }
  }

  hold(): Promise<void> {
    return holdFor(this.ctx.options);
  }

  async write(elements: readonly number[]): Promise<Done> {
    const text = encodeLockSet(elements);
    try {
      if (!this.fencing) {
        await this.client.put(SET_KEY).value(text);
        return OK;
      }
      if (this.token === undefined) return fail('fenced: no lock held');
      const res = await this.client
        .if(LOCK_KEY, 'Create', '==', this.token)
        .then(this.client.put(SET_KEY).value(text))
        .commit();
      return res.succeeded ? OK : fail(`fenced: the lock key no longer has revision ${this.token}`);
    } catch (err) {
      return etcdFailure(err, false);
    }
  }

  async release(): Promise<Done> {
    const lease = this.lease;
    if (!lease) return fail('not held by this client');
    this.lease = undefined;
    this.token = undefined;
    const done = await releaseLeased(() => lease.revoke());
    // Whatever happened, stop the keep-alives: an unrevoked lease then expires after its TTL.
    lease.release();
    return done;
  }

  override async close(): Promise<void> {
    this.lease?.release();
    this.lease = undefined;
    await super.close();
  }

  private async dropLease(lease: Lease): Promise<void> {
    await lease.revoke().catch(() => undefined);
    lease.release();
  }
}
