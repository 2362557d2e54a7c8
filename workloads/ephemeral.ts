import { EPHEMERAL_CLIENT, type EphemeralClient } from '../src/client/kinds/ephemeral.js';
import { count, type Options, positive } from '../src/client/options.js';
import { InputError } from '../src/errors.js';
import {
  eachThread,
  Generator,
  gen,
  pendingUntil,
  type Step,
  type Stepper,
  sleep,
  WAIT,
} from '../src/generator/index.js';
import { type CheckerSpec, unknownOp, type Workload, type WorkloadContext } from './types.js';

/**
 * The ops the checker's promises rest on: a run in which one of them never succeeded proves
 * nothing (the `stats` checker makes it unknown). The endings are not among them: `die` and
 * `cut` happen in the client alone, and `leave` is tried only a few times a run, by members
 * whose own node a fault may hold down until the run ends (a kill of every node before the
 * first membership ended left `leave` with no `ok`, on a run the checker found valid).
 */
const MAIN_FS = ['register', 'heartbeat', 'list'] as const;

/** How a membership may end: a clean leave, the member's client dying, or being cut off. */
const ENDINGS = ['leave', 'die', 'cut'] as const;
type Ending = (typeof ENDINGS)[number];

/**
 * Ephemeral nodes and leases (membership, service discovery). The first `observers` threads
 * list the members every `listMs`; every other thread is a member that, again and again,
 * `register`s under a fresh name (a node under a new session or lease of `ttlMs`), sends
 * `heartbeat`s every `heartbeatMs` (about `heartbeats` of them), and then ends the membership
 * one of the `endings` ways: `leave` (clean), `die` (its client drops the connection without
 * closing the session), `cut` (its client goes silent). Server kills and partitions come from
 * the nemesis. The final phase waits `ttlMs + boundMs` and lists again, so every death is judged.
 * The `ephemeral` checker judges the history (see checkers/ephemeral.ts).
 *
 * Options: `ttlMs` (default 4000), `observers` (default a third of the threads, at least 1),
 * `heartbeatMs` (1000), `heartbeats` (4), `listMs` (250), `gapMs` (500), `endings`
 * (default all three), `slackMs` (1000) and `boundMs` (5000) for the checker, `callTimeoutMs`,
 * and `testOnlyDeleteOwnNode` (members delete their own node while alive: must be caught).
 */
export const ephemeral: Workload<EphemeralClient> = {
  name: 'ephemeral',
  description:
    'members register ephemeral znodes / leased keys, heart-beat, leave, die or are cut off; observers list them',
  client: EPHEMERAL_CLIENT,
  invoke: (client, op) => {
    const member = String(op.value);
    switch (op.f) {
      case 'register':
        return client.register(member);
      case 'heartbeat':
        return client.heartbeat();
      case 'leave':
        return client.leave();
      case 'die':
        return client.die();
      case 'cut':
        return client.cut();
      case 'list':
        return client.list();
      default:
        return Promise.resolve(unknownOp(op));
    }
  },
  generator: (ctx) => {
    const o = settings(ctx);
    return eachThread(new Generator(() => threadStepper(o), 'ephemeral member/observer'));
  },
  final: (ctx) => {
    const o = settings(ctx);
    return gen([
      sleep((o.ttlMs + o.boundMs) / 1000 + 1),
      { f: 'list', value: null },
      { f: 'list', value: null },
    ]);
  },
  checkers: (ctx): CheckerSpec => {
    const o = settings(ctx);
    return {
      ephemeral: { ttlMs: o.ttlMs, slackMs: o.slackMs, boundMs: o.boundMs },
      stats: { fs: [...MAIN_FS] },
    };
  },
};

interface Settings {
  ttlMs: number;
  observers: number;
  heartbeatNs: number;
  heartbeats: number;
  listNs: number;
  gapNs: number;
  endings: readonly Ending[];
  slackMs: number;
  boundMs: number;
}

function settings(ctx: WorkloadContext): Settings {
  const o = ctx.options;
  return {
    ttlMs: positive(o, 'ttlMs', 4000),
    observers: Math.min(
      Math.max(1, ctx.concurrency - 1),
      count(o, 'observers', Math.max(1, Math.floor(ctx.concurrency / 3))),
    ),
    heartbeatNs: positive(o, 'heartbeatMs', 1000) * 1e6,
    heartbeats: positive(o, 'heartbeats', 4),
    listNs: positive(o, 'listMs', 250) * 1e6,
    gapNs: positive(o, 'gapMs', 500) * 1e6,
    endings: endingsOf(o),
    slackMs: count(o, 'slackMs', 1000),
    boundMs: count(o, 'boundMs', 5000),
  };
}

function endingsOf(o: Options): readonly Ending[] {
  const v = o.endings;
  if (v === undefined) return ENDINGS;
  const ok = (x: unknown): x is Ending => (ENDINGS as readonly unknown[]).includes(x);
  if (!Array.isArray(v) || v.length === 0 || !v.every(ok)) {
    throw new InputError(`expected a list of ${ENDINGS.join(', ')}, got ${JSON.stringify(v)}`, {
      field: 'workloadOptions.endings',
    });
  }
  return v;
}

type Phase = 'unregistered' | 'member';

/** One thread: an observer (thread number below `observers`) or a member. */
function threadStepper(o: Settings): Stepper {
  let inFlight = false;
  let notBefore = 0;
  let phase: Phase = 'unregistered';
  let member = '';
  let serial = 0;
  let beatsLeft = 0;
  return {
    next(ctx) {
      if (inFlight) return WAIT;
      if (ctx.time < notBefore) return pendingUntil(notBefore);
      const thread = ctx.free[0];
      if (thread === undefined || thread === 'nemesis') return WAIT;
      inFlight = true;
      if (thread < o.observers) return op('list', null, thread);
      if (phase === 'unregistered') {
        member = `m${thread}-${serial++}`;
        beatsLeft = Math.max(1, Math.round(o.heartbeats * (0.5 + ctx.random())));
        return op('register', member, thread);
      }
      if (beatsLeft > 0) {
        beatsLeft--;
        return op('heartbeat', member, thread);
      }
      const ending = o.endings[Math.floor(ctx.random() * o.endings.length)] ?? 'leave';
      return op(ending, member, thread);
    },
    update(ctx, event) {
      if (event.op.type === 'invoke') return;
      inFlight = false;
      const { f, type } = event.op;
      let wait = o.heartbeatNs;
      if (f === 'list') wait = o.listNs;
      else if (type === 'info') {
        // The process crashed: its client is closed and a fresh one opened; start over.
        phase = 'unregistered';
        wait = o.gapNs;
      } else if (f === 'register') {
        phase = type === 'ok' ? 'member' : 'unregistered';
        if (type !== 'ok') wait = o.gapNs;
      } else if (f !== 'heartbeat' && type === 'ok') {
        phase = 'unregistered';
        wait = o.gapNs;
      }
      notBefore = ctx.time + wait * (0.5 + ctx.random());
    },
  };
}

function op(f: string, value: string | null, thread: number): Step {
  return { type: 'op' as const, op: { f, value, thread } };
}
