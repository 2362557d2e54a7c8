import type { Invocation } from '../src/client/types.js';
import { delay, eachThread, type Generator, gen, untilOk } from '../src/generator/index.js';
import type { WorkloadContext } from './types.js';

/** Seconds between a thread's final reads while they do not answer `ok`. */
export const FINAL_READ_RETRY_S = 0.1;

/**
 * After the heal, every thread reads until one of its reads answers `ok` (Jepsen's final
 * reads): they check the state the faults left, and they time the recovery from the last heal,
 * which no op would measure otherwise. Bounded by the plan's `finalTimeLimit`.
 */
export function finalReads(read: () => Invocation): Generator {
  return eachThread(untilOk(delay(FINAL_READ_RETRY_S, gen(read))));
}

const liveKeysOfTest = new WeakMap<WorkloadContext, number[]>();

/**
 * The keys a test's main phase is using, kept up to date by its generator, so that the final
 * reads read them. One list per test (per workload context).
 */
export function liveKeys(ctx: WorkloadContext): number[] {
  let keys = liveKeysOfTest.get(ctx);
  if (!keys) {
    keys = [];
    liveKeysOfTest.set(ctx, keys);
  }
  return keys;
}
