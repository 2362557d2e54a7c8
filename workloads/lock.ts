import { EtcdLockFailedError, type Lock } from 'etcd3';
import type { Completion, Invocation } from '../src/client/types.js';
import { eachThread, Generator, pendingUntil, WAIT } from '../src/generator/index.js';
import { etcdFailure, releaseLeased, withTimeout } from './clients/etcd.js';
import { type Options, positive } from './clients/options.js';
import { EtcdSession, ZkSession } from './clients/session.js';
import { zkCode, zkFailure, zkQueueUp, zkRemove } from './clients/zookeeper.js';
import type { CheckerSpec, Workload, WorkloadContext } from './types.js';

/**
 * A mutex, checked for split brain: each process repeatedly `acquire`s the one lock, holds it
 * a while, and `release`s it; the `lock` checker reports two processes holding it at once.
 * Ops carry the node the client talks to (the runner records it).
 *
 * etcd: the etcd3 client's `lock()`: a lease (TTL `ttl` s, kept alive by the client) and a
 * txn that puts the lock key under it if the key does not exist; `acquire` fails when another
 * holds it; `release` revokes the lease. The client does not stop believing it holds the
 * lock if its lease expires meanwhile: that is the weakness under test.
 * ZooKeeper: the recipe: an ephemeral sequential znode, lowest wins, watch the predecessor;
 * `acquire` gives up after `waitMs` (removing its znode); `release` removes it.
 *
 * Options: `holdMs` (mean hold, default 500), `gapMs` (mean pause between tries, default 200),
 * `ttl` (etcd lease seconds, default 3), `waitMs` (ZooKeeper wait, default 2000), `callTimeoutMs`.
 */
export const lock: Workload = {
  name: 'lock',
  description: 'acquire/hold/release of one lock (etcd lock with leases, ZooKeeper recipe): split brain',
  dbs: ['etcd', 'zookeeper'],
  client: (ctx) =>
    ctx.db === 'zookeeper' ? new ZkLockClient(ctx, '/faultline-lock') : new EtcdLockClient(ctx),
  generator: (ctx) => holdCycle('acquire', 'release', ctx.options),
  checkers: (): CheckerSpec => ({ lock: {} }),
};

/**
 * Each thread on its own: take (`takeF`), and once that is `ok`, hold for a random time
 * around `holdMs` and give back (`giveF`); between tries, wait around `gapMs`.
 */
export function holdCycle(takeF: string, giveF: string, options: Options): Generator {
  const holdNs = positive(options, 'holdMs', 500) * 1e6;
  const gapNs = positive(options, 'gapMs', 200) * 1e6;
  return eachThread(
    new Generator(() => {
      let holding = false;
      let inFlight = false;
      let notBefore = 0;
      return {
        next(ctx) {
          if (inFlight) return WAIT;
          if (ctx.time < notBefore) return pendingUntil(notBefore);
          const thread = ctx.free[0];
          if (thread === undefined) return WAIT;
          inFlight = true;
          return { type: 'op', op: { f: holding ? giveF : takeF, value: null, thread } };
        },
        update(ctx, event) {
          if (event.op.type === 'invoke') return;
          inFlight = false;
          // A give-back that failed surely did not happen: still holding. Info: a new process.
          holding = event.op.f === takeF ? event.op.type === 'ok' : event.op.type === 'fail';
          const mean = holding ? holdNs : gapNs;
          notBefore = ctx.time + mean * (0.5 + ctx.random());
        },
      };
    }, `hold-cycle ${takeF}/${giveF}`),
  );
}

const ETCD_LOCK = 'faultline-lock';

/** etcd's lock; closing the client stops the lease's keep-alives, so a lock it holds expires after its TTL. */
class EtcdLockClient extends EtcdSession {
  private held: Lock | undefined;
  private readonly ttl: number;

  constructor(ctx: WorkloadContext) {
    super(ctx);
    this.ttl = positive(ctx.options, 'ttl', 3);
  }

  async invoke(op: Invocation): Promise<Completion> {
    const etcd = this.etcd!;
    if (op.f === 'acquire') {
      if (this.held) return { type: 'fail', error: 'already held by this client' };
      const lock = etcd.lock(ETCD_LOCK).ttl(this.ttl);
      try {
        await lock.acquire();
        this.held = lock;
        return { type: 'ok' };
      } catch (err) {
        if (err instanceof EtcdLockFailedError) {
          return { type: 'fail', error: 'held by another client' };
        }
        return etcdFailure(err, false);
      }
    }
    if (op.f === 'release') {
      const lock = this.held;
      if (!lock) return { type: 'fail', error: 'not held by this client' };
      const done = await releaseLeased(() => lock.release());
      if (done.type === 'ok') this.held = undefined;
      return done;
    }
    return { type: 'fail', error: `unknown op ${op.f}` };
  }
}

/**
 * The ZooKeeper lock (and election) recipe: a client that queues up under `dir`. Closing the
 * session removes its ephemeral znode, and so gives up what it held.
 */
export class ZkLockClient extends ZkSession {
  private mine: string | undefined;
  private readonly waitMs: number;

  constructor(
    ctx: WorkloadContext,
    dir: string,
    private readonly takeF = 'acquire',
    private readonly giveF = 'release',
  ) {
    super(ctx, dir);
    this.waitMs = positive(ctx.options, 'waitMs', 2000);
  }

  async invoke(op: Invocation): Promise<Completion> {
    const zk = this.zk!;
    const dir = this.root;
    if (op.f === this.takeF) {
      if (this.mine) return { type: 'fail', error: 'already held by this client' };
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
          return { type: 'fail', error: `not first after ${this.waitMs} ms; left the queue` };
        } catch {
          return zkFailure(err, false);
        }
      }
    }
    if (op.f === this.giveF) {
      if (!this.mine) return { type: 'fail', error: 'not held by this client' };
      try {
        await zkRemove(zk, `${dir}/${this.mine}`, this.timeoutMs);
        this.mine = undefined;
        return { type: 'ok' };
      } catch (err) {
        if (zkCode(err) === -101) {
          // NO_NODE: our session expired and took the node with it; we no longer hold it.
          this.mine = undefined;
          return { type: 'ok', error: 'our znode was already gone' };
        }
        return zkFailure(err, false);
      }
    }
    return { type: 'fail', error: `unknown op ${op.f}` };
  }
}
