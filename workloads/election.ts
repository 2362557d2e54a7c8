import { ELECTION_CLIENT, type ElectionClient } from '../src/client/kinds/election.js';
import { holdCycle } from './lock.js';
import { type CheckerSpec, unknownOp, type Workload } from './types.js';

/**
 * Leader election, checked for split brain: each process campaigns (`become-leader`), and
 * once elected, records its term, leads a while, then resigns (`stop-leader`); the
 * `election` checker reports two leaders at once and two leaders of one term. Needs an
 * {@link ElectionClient} (etcd: the election API, term = the candidate key's create revision;
 * ZooKeeper: the ephemeral sequential recipe, term = the znode's sequence number).
 *
 * Options: `holdMs` (mean leadership, default 1000), `gapMs` (default 200), `ttl` (etcd
 * lease seconds, default 3), `waitMs` (default 2000), `callTimeoutMs`.
 */
export const election: Workload<ElectionClient> = {
  name: 'election',
  description: 'campaign/lead/resign (etcd election API, ZooKeeper recipe): never two leaders',
  client: ELECTION_CLIENT,
  invoke: async (client, op, { process }) => {
    if (op.f === 'become-leader') {
      const won = await client.becomeLeader(`process-${process}`);
      // A leader of an unknown term records no value.
      return won.type === 'ok' && won.value.term === undefined ? { type: 'ok' } : won;
    }
    if (op.f === 'stop-leader') return client.stopLeader();
    return unknownOp(op);
  },
  generator: (ctx) => holdCycle('become-leader', 'stop-leader', { holdMs: 1000, ...ctx.options }),
  checkers: (): CheckerSpec => ({ election: {} }),
};
