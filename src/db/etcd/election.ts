import type { Campaign } from 'etcd3';
import { withTimeout } from '../../client/calls.js';
import type { ClientContext } from '../../client/kind.js';
import type { ElectionClient, Leadership } from '../../client/kinds/election.js';
import { positive } from '../../client/options.js';
import { type Done, fail, type Outcome } from '../../client/types.js';
import { etcdFailure, releaseLeased } from './connection.js';
import { EtcdSession } from './session.js';

const ELECTION = 'faultline-election';

/**
 * The etcd3 client's `election().campaign()`: a lease of `ttl` s (default 3) and a key under
 * the election's prefix; the lowest create revision leads, and the term is the create revision
 * of the candidate's key. A campaign not won within `waitMs` (default 2000) is resigned.
 */
export class EtcdElectionClient extends EtcdSession implements ElectionClient {
  private leading: Campaign | undefined;
  private readonly ttl: number;
  private readonly waitMs: number;

  constructor(ctx: ClientContext) {
    super(ctx);
    this.ttl = positive(ctx.options, 'ttl', 3);
    this.waitMs = positive(ctx.options, 'waitMs', 2000);
  }

  async becomeLeader(candidate: string): Promise<Outcome<Leadership>> {
    const etcd = this.client;
    if (this.leading) return fail('already leading');
    const campaign = etcd.election(ELECTION, this.ttl).campaign(candidate);
    // Errors after the wait must not go unhandled.
    campaign.on('error', () => undefined);
    try {
      await withTimeout(campaign.wait(), this.waitMs, 'campaign');
    } catch (err) {
      try {
        await campaign.resign();
        return fail(`not elected: ${String(err)}; resigned`);
      } catch {
        return etcdFailure(err, false);
      }
    }
    this.leading = campaign;
    try {
      const key = await campaign.getCampaignKey();
      const kv = (await etcd.get(key).exec()).kvs[0];
      return { type: 'ok', value: kv ? { term: Number(kv.create_revision) } : {} };
    } catch {
      // Elected, but the term could not be read: still a leader, of an unknown term.
      return { type: 'ok', value: {} };
    }
  }

  async stopLeader(): Promise<Done> {
    const campaign = this.leading;
    if (!campaign) return fail('not leading');
    const done = await releaseLeased(() => campaign.resign());
    if (done.type === 'ok') this.leading = undefined;
    return done;
  }
}
