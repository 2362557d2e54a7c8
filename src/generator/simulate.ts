import type { Op } from '../history/op.js';
import type { GenContext, GenLike, GenOp, Thread } from './core.js';
import { gen } from './core.js';
import { type Random, seededRandom } from './random.js';

/** How the simulated system answers. */
export interface SimulateOptions {
  /** Client threads (processes 0..n-1). */
  concurrency: number;
  /** Include the nemesis thread (default true). */
  nemesis?: boolean;
  seed: number;
  /** Latency of an op in ns (default 1 ms). */
  latency?: (op: GenOp, random: Random) => number;
  /** Completion type of an op (default `ok`). */
  outcome?: (op: GenOp, random: Random) => 'ok' | 'fail' | 'info';
  /** Stop after this many invocations (default 1,000,000), in case a generator never ends. */
  maxOps?: number;
}

/**
 * Runs a generator against a simulated clock and system: no I/O, no real time. The result
 * is the history a real run would record if the system answered as `options` say. Used to
 * test generators (same seed, same schedule) and to preview a schedule.
 */
export function simulate(g: GenLike, options: SimulateOptions): Op[] {
  const random = seededRandom(options.seed);
  const systemRandom = seededRandom(options.seed ^ 0x5bd1e995);
  const latency = options.latency ?? (() => 1_000_000);
  const outcome = options.outcome ?? (() => 'ok' as const);
  const maxOps = options.maxOps ?? 1_000_000;
  const threads: Thread[] = [];
  for (let i = 0; i < options.concurrency; i++) threads.push(i);
  if (options.nemesis !== false) threads.push('nemesis');
  const processOf = new Map<Thread, Op['process']>(threads.map((t) => [t, t]));
  const free: Thread[] = [...threads];
  const history: Op[] = [];
  // In-flight ops, kept sorted by completion time (then invocation order).
  const inFlight: { at: number; seq: number; op: GenOp; invoke: Op }[] = [];
  let now = 0;
  let seq = 0;
  let invocations = 0;
  const stepper = gen(g).start();
  const ctx = (): GenContext => ({ time: now, free: [...free], threads, random });

  const completeDue = (): void => {
    while (inFlight.length > 0 && inFlight[0]!.at <= now) {
      const { op, invoke } = inFlight.shift()!;
      const type = op.thread === 'nemesis' ? 'info' : outcome(op, systemRandom);
      const completion: Op = { ...invoke, index: history.length, time: now, type };
      history.push(completion);
      if (type === 'info' && typeof invoke.process === 'number') {
        processOf.set(op.thread, invoke.process + options.concurrency);
      }
      free.push(op.thread);
      stepper.update?.(ctx(), { thread: op.thread, op: completion });
    }
  };

  for (;;) {
    const step = stepper.next(ctx());
    if (step.type === 'op') {
      const { op } = step;
      const at = free.indexOf(op.thread);
      if (at < 0) throw new Error(`generator chose thread ${String(op.thread)}, which is not free`);
      free.splice(at, 1);
      const invoke: Op = {
        index: history.length,
        time: now,
        type: 'invoke',
        process: processOf.get(op.thread)!,
        f: op.f,
        value: op.value,
        ...(op.key === undefined ? {} : { key: op.key }),
      };
      history.push(invoke);
      stepper.update?.(ctx(), { thread: op.thread, op: invoke });
      const entry = { at: now + latency(op, systemRandom), seq: seq++, op, invoke };
      let i = inFlight.length;
      while (i > 0 && inFlight[i - 1]!.at > entry.at) i--;
      inFlight.splice(i, 0, entry);
      if (++invocations >= maxOps) break;
      continue;
    }
    const next = inFlight[0]?.at;
    if (step.type === 'exhausted') {
      for (const last of inFlight) {
        now = Math.max(now, last.at);
        completeDue();
      }
      break;
    }
    const wake =
      step.until === undefined ? next : next === undefined ? step.until : Math.min(next, step.until);
    if (wake === undefined) break; // waits for a completion that will never come
    now = Math.max(now, wake);
    completeDue();
  }
  return history;
}
