/**
 * The fault of one quorum case, as nemesis ops for the existing kill and partition families.
 * Crashes and splits name their nodes at run time, leader first (the worst case: the cluster
 * must elect again), so the recorded `kill` / `start-partition` ops say exactly which nodes
 * went down or which sides were cut; the history alone is enough to measure the case.
 */
import { combinedNemesis } from '../../nemeses/combined.js';
import { completeGrudge } from '../../nemeses/grudge.js';
import type { Nemesis, NemesisContext } from '../../nemeses/types.js';
import type { Invocation } from '../client/types.js';
import { hasCapability, hasPrimaries } from '../db/types.js';
import { type Generator, nemesis as onNemesis, seq, sleep, synchronize } from '../generator/index.js';
import { type QuorumCase, siteNodes } from './matrix.js';

/** The value of a `kill` or `start-partition` op that the quorum nemesis resolves when it runs. */
interface Deferred {
  quorum: 'crash' | 'split';
  count: number;
}

function isDeferred(value: unknown): value is Deferred {
  return value !== null && typeof value === 'object' && 'quorum' in value;
}

/** Seconds between leadership polls while a fault holds. */
const POLL_S = 0.2;

/**
 * The kill and partition nemesis, resolving deferred targets (leader first) before delegating.
 * While a leader-first fault holds, it polls who leads and records `elected` (process
 * nemesis) the first time a node outside the old leader's group (the killed nodes, or the
 * smaller side) leads: the election time, which client ops alone would overstate (an op sent
 * to the old leader waits out its whole deadline).
 */
export function quorumNemesis(): Nemesis {
  const inner = combinedNemesis(['partition', 'kill']);
  let watch: { stop: () => void; done: Promise<void> } | undefined;

  async function stopWatching(): Promise<void> {
    watch?.stop();
    await watch?.done;
    watch = undefined;
  }

  return {
    name: 'quorum',
    fs: inner.fs,
    setup: (ctx) => inner.setup(ctx),
    async invoke(ctx, op) {
      if (!isDeferred(op.value)) {
        if (op.f === 'start' || op.f === 'stop-partition') await stopWatching();
        return inner.invoke(ctx, op);
      }
      const { order, leaders } = await leaderFirst(ctx);
      const chosen = order.slice(0, op.value.count).sort();
      const outcome =
        op.value.quorum === 'crash'
          ? await inner.invoke(ctx, { f: 'kill', value: { targets: chosen } })
          : await inner.invoke(ctx, {
              f: 'start-partition',
              value: { grudge: completeGrudge([chosen, ctx.nodes.filter((n) => !chosen.includes(n))]) },
            });
      // Only a fault that took the leader away calls for an election.
      const leaderGone = leaders.some((n) => chosen.includes(n));
      if (leaderGone && outcome.error === undefined) watch = watchElection(ctx, chosen);
      return outcome;
    },
    async heal(ctx) {
      await stopWatching();
      await inner.heal(ctx);
    },
    async teardown(ctx) {
      await stopWatching();
      await inner.teardown(ctx);
    },
  };
}

/** Polls the leaders until one outside `oldGroup` appears (recorded as `elected`) or it is stopped. */
function watchElection(
  ctx: NemesisContext,
  oldGroup: readonly string[],
): { stop: () => void; done: Promise<void> } {
  let stopped = false;
  const started = process.hrtime.bigint();
  const done = (async () => {
    while (!stopped) {
      const leaders = hasPrimaries(ctx.db)
        ? await ctx.db.primaries(ctx.dbContext).catch(() => [] as string[])
        : [];
      const fresh = leaders.filter((n) => !oldGroup.includes(n));
      if (fresh.length > 0 && !stopped) {
        const afterS = Number(process.hrtime.bigint() - started) / 1e9;
        ctx.record?.('elected', { leaders: fresh.sort(), afterS: Math.round(afterS * 1000) / 1000 });
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_S * 1000));
    }
  })();
  return {
    stop: () => {
      stopped = true;
    },
    done,
  };
}

/** The nodes, the current leader(s) first when the db can tell, then in their given order. */
async function leaderFirst(ctx: NemesisContext): Promise<{ order: string[]; leaders: string[] }> {
  const told = hasCapability(ctx.db, 'primaries')
    ? await ctx.db.primaries(ctx.dbContext).catch(() => [] as string[])
    : [];
  const leaders = ctx.nodes.filter((n) => told.includes(n));
  return { order: [...leaders, ...ctx.nodes.filter((n) => !leaders.includes(n))], leaders };
}

/** The ops that break the case's ensemble, and the op that undoes it. */
export function faultOps(c: QuorumCase, nodes: readonly string[]): { start: Invocation; stop: Invocation } {
  const f = c.fault;
  switch (f.kind) {
    case 'crash':
      return {
        start: { f: 'kill', value: { quorum: 'crash', count: f.count } },
        stop: { f: 'start', value: null },
      };
    case 'split':
      return {
        start: { f: 'start-partition', value: { quorum: 'split', count: f.minority } },
        stop: { f: 'stop-partition', value: null },
      };
    case 'site-loss':
      return {
        start: { f: 'kill', value: { targets: siteNodes(c.sites ?? [], nodes)[f.site] ?? [] } },
        stop: { f: 'start', value: null },
      };
    case 'site-split':
      return {
        start: { f: 'start-partition', value: { grudge: completeGrudge(siteNodes(c.sites ?? [], nodes)) } },
        stop: { f: 'stop-partition', value: null },
      };
  }
}

/** The case's schedule: wait `beforeS`, break, hold `holdS` from when the fault is in place, heal. */
export function faultSchedule(
  c: QuorumCase,
  nodes: readonly string[],
  beforeS: number,
  holdS: number,
): Generator {
  const { start, stop } = faultOps(c, nodes);
  return onNemesis(seq(sleep(beforeS), start, synchronize(seq(sleep(holdS), stop))));
}

/** What the final phase runs whatever happened: restart the killed nodes, heal the network. */
export function healSchedule(): Generator {
  return onNemesis([
    { f: 'stop-partition', value: null },
    { f: 'start', value: null },
  ]);
}
