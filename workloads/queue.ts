import { QUEUE_CLIENT, type QueueClient } from '../src/client/kinds/queue.js';
import { flag } from '../src/client/options.js';
import type { Invocation } from '../src/client/types.js';
import { eachThread, type Generator, gen, mix } from '../src/generator/index.js';
import { type CheckerSpec, unknownOp, type Workload } from './types.js';

/**
 * A queue: `enqueue v` of unique integers and `dequeue` during the run, then every process
 * drains the queue after healing; the `queue` checker looks for acknowledged enqueues that
 * never came out (lost) and elements that came out twice (duplicated). Needs a
 * {@link QueueClient} (NATS: a work-queue stream).
 *
 * Options: `allowDuplicates` (the queue delivers at least once: duplicates are reported, not
 * invalid; default false), `callTimeoutMs` (default 3000).
 */
export const queue: Workload<QueueClient> = {
  name: 'queue',
  description: 'enqueue/dequeue of unique integers, then drains: lost and duplicated elements',
  client: QUEUE_CLIENT,
  invoke: (client, op) => {
    if (op.f === 'enqueue') return client.enqueue(op.value as number);
    if (op.f === 'dequeue') return client.dequeue();
    if (op.f === 'drain') return client.drain();
    return Promise.resolve(unknownOp(op));
  },
  generator: () => queueGenerator(),
  final: () => eachThread(DRAIN),
  checkers: (ctx): CheckerSpec => ({
    queue: { allowDuplicates: flag(ctx.options, 'allowDuplicates', false) },
  }),
};

const DEQUEUE: Invocation = { f: 'dequeue', value: null };
const DRAIN: Invocation = { f: 'drain', value: null };

/** Enqueues of 0, 1, 2, ... and dequeues, half and half. */
export function queueGenerator(): Generator {
  let next = 0;
  return mix([gen(() => ({ f: 'enqueue', value: next++ })), gen(() => DEQUEUE)]);
}
