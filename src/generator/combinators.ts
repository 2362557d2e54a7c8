import type { Invocation } from '../client/types.js';
import {
  EXHAUSTED,
  earlier,
  type GenContext,
  type GenEvent,
  Generator,
  type GenLike,
  type GenOp,
  gen,
  pendingUntil,
  restrict,
  type Step,
  type Stepper,
  type Thread,
  WAIT,
} from './core.js';

const NS_PER_S = 1e9;

/** Emits `invocation` forever, one op per free thread. */
export function repeat(invocation: Invocation): Generator {
  return gen(() => invocation);
}

/** Each of `gens` in turn, without waiting for ops to complete (same as an array). */
export function seq(...gens: GenLike[]): Generator {
  return gen(gens);
}

/** Each op comes from one of `gens`, chosen at random (with the seeded random); ends when all end. */
export function mix(gens: readonly GenLike[]): Generator {
  const all = gens.map(gen);
  return new Generator(() => {
    const live: Stepper[] = all.map((g) => g.start());
    return {
      next(ctx) {
        if (ctx.free.length === 0) return live.length === 0 ? EXHAUSTED : WAIT;
        while (live.length > 0) {
          const i = Math.floor(ctx.random() * live.length);
          const step = live[i]!.next(ctx);
          if (step.type !== 'exhausted') return step;
          live.splice(i, 1);
        }
        return EXHAUSTED;
      },
      update(ctx, event) {
        for (const s of live) s.update?.(ctx, event);
      },
    };
  }, 'mix');
}

/** Ops from all of `gens` in parallel: whichever has an op first; ends when all end. */
export function any(...gens: GenLike[]): Generator {
  const all = gens.map(gen);
  return new Generator(() => {
    let live: (Stepper | undefined)[] = all.map((g) => g.start());
    // Whose turn it is to be asked first: fairness without allocation on the hot path.
    let turn = 0;
    const compact = (): void => {
      live = live.filter((s) => s !== undefined);
      turn = 0;
    };
    return {
      next(ctx) {
        let until: number | undefined;
        let dead = 0;
        const n = live.length;
        for (let k = 0; k < n; k++) {
          const i = (turn + k) % n;
          const s = live[i];
          if (s === undefined) continue;
          const step = s.next(ctx);
          if (step.type === 'op') {
            turn = (i + 1) % n;
            if (dead > 0) compact();
            return step;
          }
          if (step.type === 'exhausted') {
            live[i] = undefined;
            dead++;
          } else until = earlier(until, step.until);
        }
        if (dead > 0) compact();
        return live.length === 0 ? EXHAUSTED : pendingUntil(until);
      },
      update(ctx, event) {
        for (const s of live) s?.update?.(ctx, event);
      },
    };
  }, 'any');
}

/** At most `n` ops from `g`. */
export function limit(n: number, g: GenLike): Generator {
  const inner = gen(g);
  return new Generator(() => {
    const s = inner.start();
    let left = n;
    return {
      next(ctx) {
        if (left <= 0) return EXHAUSTED;
        const step = s.next(ctx);
        if (step.type === 'op') left--;
        return step;
      },
      update: (ctx, event) => s.update?.(ctx, event),
    };
  }, `limit ${n}`);
}

/** Exactly one op from `g` (or none, if it has none). */
export function once(g: GenLike): Generator {
  return limit(1, g);
}

/** Ops from `g` until `seconds` have passed since it was first asked. */
export function timeLimit(seconds: number, g: GenLike): Generator {
  const inner = gen(g);
  return new Generator(() => {
    const s = inner.start();
    let deadline: number | undefined;
    return {
      next(ctx) {
        deadline ??= ctx.time + seconds * NS_PER_S;
        if (ctx.time >= deadline) return EXHAUSTED;
        const step = s.next(ctx);
        if (step.type === 'pending') return pendingUntil(earlier(step.until, deadline));
        return step;
      },
      update: (ctx, event) => s.update?.(ctx, event),
    };
  }, `time-limit ${seconds}s`);
}

/** Spaces ops from `g` by intervals `interval(random)` (ns), counted over all threads together. */
function spaced(g: GenLike, interval: (ctx: GenContext) => number, label: string): Generator {
  const inner = gen(g);
  return new Generator(() => {
    const s = inner.start();
    let nextAt: number | undefined;
    return {
      next(ctx) {
        nextAt ??= ctx.time;
        if (ctx.time < nextAt) return pendingUntil(nextAt);
        const step = s.next(ctx);
        if (step.type === 'op') {
          // Catch up after a stall, but never by a burst longer than one interval.
          const dt = interval(ctx);
          nextAt = Math.max(nextAt, ctx.time - dt) + dt;
        }
        return step;
      },
      update: (ctx, event) => s.update?.(ctx, event),
    };
  }, label);
}

/** Ops from `g` at uniformly random intervals averaging `seconds` (from 0 to 2 × seconds). */
export function stagger(seconds: number, g: GenLike): Generator {
  const ns = seconds * NS_PER_S;
  return spaced(g, (ctx) => ctx.random() * 2 * ns, `stagger ${seconds}s`);
}

/** Ops from `g` at `opsPerSecond` on average over all threads (random spacing, as `stagger`). */
export function rate(opsPerSecond: number, g: GenLike): Generator {
  if (!(opsPerSecond > 0)) return gen(g);
  return stagger(1 / opsPerSecond, g);
}

/** Ops from `g` exactly `seconds` apart. */
export function delay(seconds: number, g: GenLike): Generator {
  const ns = seconds * NS_PER_S;
  return spaced(g, () => ns, `delay ${seconds}s`);
}

/** No ops for `seconds`, then ends. Useful in sequences: `[sleep(5), {f: 'start'}]`. */
export function sleep(seconds: number): Generator {
  return new Generator(() => {
    let end: number | undefined;
    return {
      next(ctx) {
        end ??= ctx.time + seconds * NS_PER_S;
        return ctx.time >= end ? EXHAUSTED : pendingUntil(end);
      },
    };
  }, `sleep ${seconds}s`);
}

/** Waits until every thread in scope is idle, then runs `g`. */
export function synchronize(g: GenLike): Generator {
  const inner = gen(g);
  return new Generator(() => {
    let s: Stepper | undefined;
    return {
      next(ctx) {
        if (!s) {
          if (ctx.free.length < ctx.threads.length) return WAIT;
          s = inner.start();
        }
        return s.next(ctx);
      },
      update: (ctx, event) => s?.update?.(ctx, event),
    };
  }, 'synchronize');
}

/** Each generator in turn; each phase starts once every op of the previous one has completed. */
export function phases(...gens: GenLike[]): Generator {
  return gen(gens.map((g, i) => (i === 0 ? gen(g) : synchronize(g))));
}

/** Runs `g` again each time it ends: forever, or `times` times in all. */
export function cycle(g: GenLike, times = Number.POSITIVE_INFINITY): Generator {
  const inner = gen(g);
  return new Generator(() => {
    let s = inner.start();
    let round = 1;
    let emittedThisRound = false;
    return {
      next(ctx) {
        for (;;) {
          const step = s.next(ctx);
          if (step.type === 'op') emittedThisRound = true;
          if (step.type !== 'exhausted') return step;
          // A round that ended without any op would end every later round the same way.
          if (round >= times || !emittedThisRound) return EXHAUSTED;
          round++;
          emittedThisRound = false;
          s = inner.start();
        }
      },
      update: (ctx, event) => s.update?.(ctx, event),
    };
  }, 'cycle');
}

/** Ops from `g` until one of them completes `ok`; then ends. */
export function untilOk(g: GenLike): Generator {
  const inner = gen(g);
  return new Generator(() => {
    const s = inner.start();
    const inFlight = new Set<Thread>();
    let succeeded = false;
    let innerDone = false;
    return {
      next(ctx) {
        if (succeeded) return EXHAUSTED;
        if (!innerDone) {
          const step = s.next(ctx);
          if (step.type === 'op') inFlight.add(step.op.thread);
          if (step.type !== 'exhausted') return step;
          innerDone = true;
        }
        return inFlight.size > 0 ? WAIT : EXHAUSTED;
      },
      update(ctx, event) {
        if (event.op.type !== 'invoke' && inFlight.delete(event.thread) && event.op.type === 'ok') {
          succeeded = true;
        }
        s.update?.(ctx, event);
      },
    };
  }, 'until-ok');
}

/** Every thread in scope runs its own copy of `g` (Jepsen's each-thread). */
export function eachThread(g: GenLike): Generator {
  const inner = gen(g);
  return new Generator(() => {
    const steppers = new Map<Thread, Stepper>();
    const done = new Set<Thread>();
    return {
      next(ctx) {
        let until: number | undefined;
        for (const thread of ctx.free) {
          if (done.has(thread)) continue;
          let s = steppers.get(thread);
          if (!s) {
            s = inner.start();
            steppers.set(thread, s);
          }
          const step = s.next(only(ctx, thread));
          if (step.type === 'op') return step;
          if (step.type === 'exhausted') done.add(thread);
          else until = earlier(until, step.until);
        }
        for (const t of ctx.threads) if (!done.has(t)) return pendingUntil(until);
        return EXHAUSTED;
      },
      update(ctx, event) {
        steppers.get(event.thread)?.update?.(only(ctx, event.thread), event);
      },
    };
  }, 'each-thread');
}

/** Same as {@link eachThread}: in faultline, a thread keeps its generator across process crashes. */
export const eachProcess = eachThread;

function only(ctx: GenContext, thread: Thread): GenContext {
  const free = ctx.free.includes(thread) ? [thread] : [];
  return { time: ctx.time, random: ctx.random, free, threads: [thread] };
}

/** `g` restricted to the threads that pass `keep`; it is told only of their events. */
export function onThreads(keep: (t: Thread) => boolean, g: GenLike, label = 'on-threads'): Generator {
  const inner = gen(g);
  return new Generator(() => {
    const s = inner.start();
    // The thread list rarely changes: filter it once, not on every step.
    let seen: readonly Thread[] | undefined;
    let seenLength = -1;
    let kept: readonly Thread[] = [];
    const narrow = (ctx: GenContext): GenContext => {
      if (ctx.threads !== seen || ctx.threads.length !== seenLength) {
        seen = ctx.threads;
        seenLength = ctx.threads.length;
        kept = ctx.threads.filter(keep);
      }
      if (kept.length === ctx.threads.length) return restrict(ctx, keep);
      return { time: ctx.time, random: ctx.random, free: freeOnly(ctx.free, keep), threads: kept };
    };
    return {
      next: (ctx) => s.next(narrow(ctx)),
      update(ctx, event) {
        if (keep(event.thread) && s.update) s.update(narrow(ctx), event);
      },
    };
  }, label);
}

function freeOnly(free: readonly Thread[], keep: (t: Thread) => boolean): readonly Thread[] {
  for (let i = 0; i < free.length; i++) if (!keep(free[i]!)) return free.filter(keep);
  return free;
}

const isClient = (t: Thread): boolean => t !== 'nemesis';
const isNemesis = (t: Thread): boolean => t === 'nemesis';

/** Ops of `g` go to client threads only. */
export function clients(g: GenLike): Generator {
  return onThreads(isClient, g, 'clients');
}

/** Ops of `g` go to the nemesis only. */
export function nemesis(g: GenLike): Generator {
  return onThreads(isNemesis, g, 'nemesis');
}

/** A client generator and a nemesis generator side by side: the usual main phase. */
export function clientsAndNemesis(clientGen: GenLike, nemesisGen?: GenLike): Generator {
  return nemesisGen === undefined ? clients(clientGen) : any(clients(clientGen), nemesis(nemesisGen));
}

/** Transforms each op of `g` (keep `thread` as it is). */
export function map(f: (op: GenOp, ctx: GenContext) => GenOp, g: GenLike): Generator {
  const inner = gen(g);
  return new Generator(() => {
    const s = inner.start();
    return {
      next(ctx): Step {
        const step = s.next(ctx);
        return step.type === 'op' ? { type: 'op', op: f(step.op, ctx) } : step;
      },
      update: (ctx: GenContext, event: GenEvent) => s.update?.(ctx, event),
    };
  }, 'map');
}

/** Options of {@link independentKeys}. */
export interface IndependentKeysOptions {
  /** Threads working on one key at a time (Jepsen's concurrent-generator n). */
  threadsPerKey: number;
  /** The keys, in order (default 0, 1, 2, ... forever). */
  keys?: Iterable<unknown>;
  /** Ops per key before its group moves on to the next key (default: until the key's generator ends). */
  opsPerKey?: number;
}

/**
 * Independent keys, as Jepsen's concurrent-generator: threads form groups of
 * `threadsPerKey`; each group runs `perKey(key)` on its own key (setting `op.key`), then
 * takes the next unused key. Histories split by key check fast (P-compositionality).
 */
export function independentKeys(
  options: IndependentKeysOptions,
  perKey: (key: unknown) => GenLike,
): Generator {
  const size = Math.max(1, Math.floor(options.threadsPerKey));
  return new Generator(() => {
    const keys = (options.keys ?? naturals())[Symbol.iterator]();
    const groupOf = new Map<Thread, number>();
    const groups: ({ key: unknown; stepper: Stepper } | 'done' | undefined)[] = [];
    /** The stepper that emitted each thread's op in flight: completions go back to it. */
    const emitter = new Map<Thread, Stepper>();
    const nextKey = (g: number): void => {
      const k = keys.next();
      if (k.done) {
        groups[g] = 'done';
        return;
      }
      const g0 = gen(perKey(k.value));
      groups[g] = {
        key: k.value,
        stepper: (options.opsPerKey === undefined ? g0 : limit(options.opsPerKey, g0)).start(),
      };
    };
    return {
      next(ctx) {
        if (groupOf.size !== ctx.threads.length) {
          ctx.threads.forEach((t, i) => {
            groupOf.set(t, Math.floor(i / size));
          });
        }
        const groupCount = Math.ceil(ctx.threads.length / size);
        let until: number | undefined;
        const asked = new Set<number>();
        for (const thread of ctx.free) {
          const g = groupOf.get(thread)!;
          if (asked.has(g)) continue;
          asked.add(g);
          for (;;) {
            if (groups[g] === undefined) nextKey(g);
            const group = groups[g]!;
            if (group === 'done') break;
            const step = group.stepper.next(restrict(ctx, (t) => groupOf.get(t) === g));
            if (step.type === 'op') {
              emitter.set(step.op.thread, group.stepper);
              step.op.key = group.key;
              return step;
            }
            if (step.type === 'pending') {
              until = earlier(until, step.until);
              break;
            }
            groups[g] = undefined; // this key is done: take the next one
          }
        }
        for (let g = 0; g < groupCount; g++) if (groups[g] !== 'done') return pendingUntil(until);
        return EXHAUSTED;
      },
      update(ctx, event) {
        const s = emitter.get(event.thread);
        if (!s) return;
        if (event.op.type !== 'invoke') emitter.delete(event.thread);
        s.update?.(ctx, event);
      },
    };
  }, 'independent-keys');
}

function* naturals(): IterableIterator<number> {
  for (let i = 0; ; i++) yield i;
}
