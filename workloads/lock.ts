import { LOCK_CLIENT, type LockClient } from '../src/client/kinds/lock.js';
import { type Options, positive } from '../src/client/options.js';
import { eachThread, Generator, pendingUntil, WAIT } from '../src/generator/index.js';
import { type CheckerSpec, unknownOp, type Workload } from './types.js';

/**
 * A mutex, checked for split brain: each process repeatedly `acquire`s the one lock, holds it
 * a while, and `release`s it; the `lock` checker reports two processes holding it at once.
 * Ops carry the node the client talks to (the runner records it). Needs a {@link LockClient}
 * (etcd: the etcd3 client's lease-based lock; ZooKeeper: the ephemeral sequential recipe).
 *
 * Options: `holdMs` (mean hold, default 500), `gapMs` (mean pause between tries, default 200),
 * `ttl` (etcd lease seconds, default 3), `waitMs` (ZooKeeper wait, default 2000), `callTimeoutMs`.
 */
export const lock: Workload<LockClient> = {
  name: 'lock',
  description: 'acquire/hold/release of one lock (etcd lock with leases, ZooKeeper recipe): split brain',
  client: LOCK_CLIENT,
  invoke: (client, op) => {
    if (op.f === 'acquire') return client.acquire();
    if (op.f === 'release') return client.release();
    return Promise.resolve(unknownOp(op));
  },
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
