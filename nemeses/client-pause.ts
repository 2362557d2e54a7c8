/**
 * Client pauses, like a long GC pause: SIGSTOP the process of one client (`pause-client`),
 * preferably one that says it holds a lock or lease, and SIGCONT it (`resume-client`, or by
 * itself after `ms`). A stopped client sends nothing — no calls, no lease keep-alives, no
 * session heartbeats — and, resumed, goes on with what it was doing, unaware of the time it
 * lost. Needs clients hosted in processes of their own (the runner does so when this family is
 * in the plan); the processes are on the controller, so no node is touched.
 */
import type { HostedClient } from '../src/client/processes.js';
import type { Nemesis, NemesisContext, NemesisFamily, NemesisOutcome } from './types.js';

export const CLIENT_PAUSE = 'client-pause';

/** Whom `pause-client` stops: a client holding the lock (any client when none does), or any client. */
export type ClientPauseTarget = 'holder' | 'random';

/** The value of a `pause-client` op. */
export interface ClientPauseValue {
  target: ClientPauseTarget;
  /** Resume by itself after this long (recorded as a `resume-client` op); else at `resume-client`. */
  ms?: number;
}

/** Reads a `pause-client` op value (a target name, or `{ target, ms }`); defaults: holder, no timer. */
export function clientPauseValue(value: unknown): ClientPauseValue {
  if (value === 'holder' || value === 'random') return { target: value };
  if (value !== null && typeof value === 'object') {
    const v = value as { target?: unknown; ms?: unknown };
    const target = v.target === 'random' ? 'random' : 'holder';
    return typeof v.ms === 'number' && v.ms > 0 ? { target, ms: v.ms } : { target };
  }
  return { target: 'holder' };
}

/** Picks whom to stop among the running, unpaused clients; undefined when there is none. Pure. */
export function pickClient(
  clients: readonly HostedClient[],
  target: ClientPauseTarget,
  random: () => number,
): HostedClient | undefined {
  const running = clients.filter((c) => !c.paused);
  const holders = running.filter((c) => c.holding);
  const pool = target === 'holder' && holders.length > 0 ? holders : running;
  return pool[Math.floor(random() * pool.length)];
}

/** Builds the client-pause nemesis. `heal` resumes every client it stopped. */
export function clientPauseNemesis(): Nemesis {
  /** pid -> the logical process it served and its resume timer, for clients this nemesis stopped. */
  const paused = new Map<number, { process: number | null; timer?: NodeJS.Timeout }>();

  function resumeAll(ctx: NemesisContext): { pids: number[]; processes: (number | null)[] } {
    const pids = [...paused.keys()].sort((a, b) => a - b);
    const processes = pids.map((pid) => paused.get(pid)!.process);
    for (const pid of pids) {
      clearTimeout(paused.get(pid)!.timer);
      ctx.clients?.resume(pid);
    }
    paused.clear();
    return { pids, processes };
  }

  async function pause(ctx: NemesisContext, value: unknown): Promise<NemesisOutcome> {
    const { target, ms } = clientPauseValue(value);
    const clients = ctx.clients;
    if (!clients) return { value: { target }, error: 'clients run inside the runner: nothing to pause' };
    const victim = pickClient(clients.list(), target, ctx.random);
    if (!victim || !clients.pause(victim.pid))
      return { value: { target }, error: 'no running client to pause' };
    const entry: { process: number | null; timer?: NodeJS.Timeout } = { process: victim.process };
    paused.set(victim.pid, entry);
    if (ms !== undefined) {
      entry.timer = setTimeout(() => {
        if (paused.get(victim.pid) !== entry) return;
        paused.delete(victim.pid);
        clients.resume(victim.pid);
        ctx.record?.('resume-client', {
          pids: [victim.pid],
          processes: [victim.process],
          cause: `paused for ${ms} ms`,
        });
      }, ms);
    }
    ctx.log(
      `paused client process ${victim.pid} (process ${victim.process ?? '-'}${victim.holding ? ', holding the lock' : ''})`,
    );
    return {
      value: {
        target,
        pid: victim.pid,
        process: victim.process,
        holding: victim.holding,
        ...(ms !== undefined ? { ms } : {}),
        mechanism: 'SIGSTOP of the client process',
      },
    };
  }

  return {
    name: CLIENT_PAUSE,
    fs: ['pause-client', 'resume-client'],
    async setup() {},
    async invoke(ctx, op) {
      if (op.f === 'pause-client') return pause(ctx, op.value);
      if (op.f === 'resume-client') return { value: { ...resumeAll(ctx), mechanism: 'SIGCONT' } };
      return { value: null, error: `client-pause nemesis cannot ${op.f}` };
    },
    async heal(ctx) {
      resumeAll(ctx);
    },
    async teardown(ctx) {
      resumeAll(ctx);
    },
  };
}

/** Client pauses: SIGSTOP a client (one holding the lock, when one does), SIGCONT it at the stop. */
export const clientPauseFamily: NemesisFamily = {
  name: CLIENT_PAUSE,
  description: 'SIGSTOP a client process (one holding a lock, when one does), then SIGCONT it',
  requires: [],
  // It changes how clients run (a process each): asked for by name, not by `all`.
  inAll: false,
  effects: { 'pause-client': 'begins', 'resume-client': 'ends' },
  style: { label: 'client pause', fill: 'rgba(234,179,8,0.16)', text: '#a16207' },
  // Timed pauses end by themselves: no stop op, which could cut one short.
  schedule: ({ clientPauseMs }) =>
    clientPauseMs
      ? {
          startOps: [{ f: 'pause-client', value: { target: 'holder', ms: clientPauseMs } }],
          finalOps: [{ f: 'resume-client', value: null }],
        }
      : {
          startOps: [{ f: 'pause-client', value: { target: 'holder' } }],
          stopOp: { f: 'resume-client', value: null },
          finalOps: [{ f: 'resume-client', value: null }],
        },
  create: clientPauseNemesis,
};
