/** A queue of integers (the `queue` workload). */
import { clientKind } from '../kind.js';
import type { Done, Outcome, Session } from '../types.js';

export interface QueueClient extends Session {
  /** Puts a unique element in the queue. */
  enqueue(element: number): Promise<Done>;
  /** Takes one element out; `ok` with null only when the queue was surely empty. */
  dequeue(): Promise<Outcome<number | null>>;
  /** Takes every element out until the queue is surely empty. */
  drain(): Promise<Outcome<number[]>>;
}

export const QUEUE_CLIENT = clientKind<QueueClient>('queue', 'enqueue, dequeue and drain of integers');
