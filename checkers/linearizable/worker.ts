/**
 * A worker thread that checks some partitions of a history against a built-in model and
 * posts each partition's outcome as soon as it is decided. Started by `parallel.ts`; only
 * the compiled form (dist/) is ever run.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { InputError, type InputLocation } from '../../src/errors.js';
import type { Partition } from './entries.js';
import { MODELS } from './models/index.js';
import { type Budget, runPartitions } from './scheduler.js';

/** What the main thread sends. */
export interface WorkerTask {
  model: string;
  partitions: Partition[];
  budget: Budget;
}

/** What the worker sends back: one message with every outcome, in the task's order. */
export type WorkerReply =
  | { outcomes: ReturnType<typeof runPartitions> }
  | { error: string; input?: { reason: string; location: InputLocation } };

const task = workerData as WorkerTask;
try {
  const model = MODELS.get(task.model)!();
  parentPort!.postMessage({
    outcomes: runPartitions(model, task.partitions, task.budget),
  } satisfies WorkerReply);
} catch (err) {
  // Bad input (an op the model does not understand) stays an InputError on the other side.
  const input = err instanceof InputError ? { reason: err.reason, location: err.location } : undefined;
  parentPort!.postMessage({
    error: err instanceof Error ? err.message : String(err),
    ...(input ? { input } : {}),
  } satisfies WorkerReply);
}
