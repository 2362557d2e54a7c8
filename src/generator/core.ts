import type { Invocation } from '../client/types.js';
import type { Op } from '../history/op.js';
import type { Random } from './random.js';

/**
 * A worker that performs ops: client threads are numbered 0..n-1, the nemesis has its own.
 * A thread is stable for the whole run; the *process* it acts as changes when it crashes.
 */
export type Thread = number | 'nemesis';

/** An op a generator emits: what to do, and which free thread does it. */
export interface GenOp extends Invocation {
  thread: Thread;
}

/** What a generator sees when asked for its next op. */
export interface GenContext {
  /** Nanoseconds since the start of the test. */
  readonly time: number;
  /** Threads in this generator's scope that are idle now, oldest idle first. */
  readonly free: readonly Thread[];
  /** Every thread in this generator's scope. */
  readonly threads: readonly Thread[];
  /** Seeded randomness: the only source of chance a generator may use. */
  readonly random: Random;
}

/** The answer to "what next?". */
export type Step =
  /** Perform this op now. */
  | { readonly type: 'op'; readonly op: GenOp }
  /** Nothing now; ask again at `until` (ns), or when an op completes if `until` is absent. */
  | { readonly type: 'pending'; readonly until?: number }
  /** Never anything again. */
  | { readonly type: 'exhausted' };

/** An op that was invoked or completed, reported back to the generator that emitted it. */
export interface GenEvent {
  readonly thread: Thread;
  readonly op: Op;
}

/** The running state of a generator. Asked for steps, told of events. */
export interface Stepper {
  next(ctx: GenContext): Step;
  update?(ctx: GenContext, event: GenEvent): void;
}

/**
 * A generator: an immutable description of a schedule of ops. `start()` gives a fresh
 * running state, so one generator can be reused (by `cycle`, or once per thread by
 * `eachThread`). Same seed and same events, same schedule.
 */
export class Generator {
  constructor(
    /** Creates a fresh running state. */
    readonly start: () => Stepper,
    /** A short description, for logs. */
    readonly label = 'generator',
  ) {}
}

/** Anything the combinators accept as a generator. */
export type GenLike =
  | Generator
  /** A single op, emitted once. */
  | Invocation
  /** Called for each op; `undefined` ends the generator. */
  | ((ctx: GenContext) => Invocation | undefined)
  /** Each in turn, without waiting for the previous one's ops to complete. */
  | readonly GenLike[];

export const EXHAUSTED: Step = Object.freeze({ type: 'exhausted' });
export const WAIT: Step = Object.freeze({ type: 'pending' });

/** A pending step until a time, or until the next completion when `until` is undefined. */
export function pendingUntil(until: number | undefined): Step {
  return until === undefined ? WAIT : { type: 'pending', until };
}

/** The earlier of two wake-up times (undefined means "on the next completion" only). */
export function earlier(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a < b ? a : b;
}

/** Turns a {@link GenLike} into a {@link Generator}. */
export function gen(x: GenLike): Generator {
  if (x instanceof Generator) return x;
  if (typeof x === 'function') return fromFunction(x);
  if (Array.isArray(x)) return sequence(x as readonly GenLike[]);
  return single(x as Invocation);
}

function single(invocation: Invocation): Generator {
  return new Generator(() => {
    let done = false;
    return {
      next(ctx) {
        if (done) return EXHAUSTED;
        const thread = ctx.free[0];
        if (thread === undefined) return WAIT;
        done = true;
        return { type: 'op', op: withThread(invocation, thread) };
      },
    };
  }, `op ${invocation.f}`);
}

function fromFunction(f: (ctx: GenContext) => Invocation | undefined): Generator {
  return new Generator(() => {
    let done = false;
    return {
      next(ctx) {
        if (done) return EXHAUSTED;
        const thread = ctx.free[0];
        if (thread === undefined) return WAIT;
        const invocation = f(ctx);
        if (invocation === undefined) {
          done = true;
          return EXHAUSTED;
        }
        return { type: 'op', op: withThread(invocation, thread) };
      },
    };
  }, 'function');
}

/** A fresh op object of one fixed shape (cheaper than a spread on the hot path). */
function withThread(invocation: Invocation, thread: Thread): GenOp {
  const op: GenOp = { f: invocation.f, value: invocation.value, thread };
  if (invocation.key !== undefined) op.key = invocation.key;
  return op;
}

function sequence(items: readonly GenLike[]): Generator {
  const gens = items.map(gen);
  return new Generator(() => {
    let i = 0;
    let current: Stepper | undefined;
    return {
      next(ctx) {
        while (i < gens.length) {
          current ??= gens[i]!.start();
          const step = current.next(ctx);
          if (step.type !== 'exhausted') return step;
          i++;
          current = undefined;
        }
        return EXHAUSTED;
      },
      update(ctx, event) {
        current?.update?.(ctx, event);
      },
    };
  }, 'sequence');
}

/** A context narrowed to the threads that pass `keep`. */
export function restrict(ctx: GenContext, keep: (t: Thread) => boolean): GenContext {
  let free = ctx.free;
  for (let i = 0; i < free.length; i++) {
    if (!keep(free[i]!)) {
      free = free.filter(keep);
      break;
    }
  }
  let threads = ctx.threads;
  for (let i = 0; i < threads.length; i++) {
    if (!keep(threads[i]!)) {
      threads = threads.filter(keep);
      break;
    }
  }
  if (free === ctx.free && threads === ctx.threads) return ctx;
  return { time: ctx.time, random: ctx.random, free, threads };
}
