import type { Campaign } from 'etcd3';
import type { Completion, Invocation } from '../src/client/types.js';
import { etcdFailure, releaseLeased, withTimeout } from './clients/etcd.js';
import { positive } from './clients/options.js';
import { EtcdSession } from './clients/session.js';
import { holdCycle, ZkLockClient } from './lock.js';
import type { CheckerSpec, Workload, WorkloadContext } from './types.js';

/**
 * Leader election, checked for split brain: each process campaigns (`become-leader`), and
 * once elected, records its term, leads a while, then resigns (`stop-leader`); the
 * `election` checker reports two leaders at once and two leaders of one term.
 *
 * etcd: the etcd3 client's `election().campaign()` (a lease of `ttl` s and a key under the
 * election's prefix; the lowest create revision leads); the term is the create revision of
 * the candidate's key. A campaign not won within `waitMs` is resigned. ZooKeeper: the
 * recipe (ephemeral sequential znode, lowest leads, watch the predecessor); the term is the
 * znode's sequence number.
 *
 * Options: `holdMs` (mean leadership, default 1000), `gapMs` (default 200), `ttl` (etcd
 * lease seconds, default 3), `waitMs` (default 2000), `callTimeoutMs`.
 */
export const election: Workload = {
  name: 'election',
  description: 'campaign/lead/resign (etcd election API, ZooKeeper recipe): never two leaders',
  dbs: ['etcd', 'zookeeper'],
  client: (ctx) =>
    ctx.db === 'zookeeper'
      ? new ZkLockClient(ctx, '/faultline-election', 'become-leader', 'stop-leader')
      : new EtcdElectionClient(ctx),
  generator: (ctx) => holdCycle('become-leader', 'stop-leader', { holdMs: 1000, ...ctx.options }),
  checkers: (): CheckerSpec => ({ election: {} }),
};

const ELECTION = 'faultline-election';

class EtcdElectionClient extends EtcdSession {
  private leading: Campaign | undefined;
  private readonly ttl: number;
  private readonly waitMs: number;

  constructor(ctx: WorkloadContext) {
    super(ctx);
    this.ttl = positive(ctx.options, 'ttl', 3);
    this.waitMs = positive(ctx.options, 'waitMs', 2000);
  }

  async invoke(op: Invocation, context: { process: number }): Promise<Completion> {
    const etcd = this.etcd!;
    if (op.f === 'become-leader') {
      if (this.leading) return { type: 'fail', error: 'already leading' };
      const campaign = etcd.election(ELECTION, this.ttl).campaign(`process-${context.process}`);
      // Errors after the wait must not go unhandled.
      campaign.on('error', () => undefined);
      try {
        await withTimeout(campaign.wait(), this.waitMs, 'campaign');
      } catch (err) {
        try {
          await campaign.resign();
          return { type: 'fail', error: `not elected: ${String(err)}; resigned` };
        } catch {
          return etcdFailure(err, false);
        }
      }
      this.leading = campaign;
      try {
        const key = await campaign.getCampaignKey();
        const kv = (await etcd.get(key).exec()).kvs[0];
        return kv ? { type: 'ok', value: { term: Number(kv.create_revision) } } : { type: 'ok' };
      } catch {
        // Elected, but the term could not be read: still a leader, of an unknown term.
        return { type: 'ok' };
      }
    }
    if (op.f === 'stop-leader') {
      const campaign = this.leading;
      if (!campaign) return { type: 'fail', error: 'not leading' };
      const done = await releaseLeased(() => campaign.resign());
      if (done.type === 'ok') this.leading = undefined;
      return done;
    }
    return { type: 'fail', error: `unknown op ${op.f}` };
  }
}
