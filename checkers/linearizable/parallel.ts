/**
 * Partitions checked on worker threads, where it pays: after a short in-process start (which
 * settles the many easy partitions at no thread cost), the partitions still undecided are
 * shared among workers. Only built-in models (named) can cross to a worker; the worker file
 * exists only in the compiled tree (dist/), so under a TypeScript runner everything stays
 * in-process.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { InputError } from '../../src/errors.js';
import type { Partition } from './entries.js';
import type { Model } from './model.js';
import { type Budget, type PartitionOutcome, runPartitions } from './scheduler.js';
import type { WorkerReply, WorkerTask } from './worker.js';

const WORKER_FILE = new URL('./worker.js', import.meta.url);

/** Whether the compiled worker is there (it is not when running the TypeScript sources). */
export function workersAvailable(): boolean {
  return WORKER_FILE.protocol === 'file:' && existsSync(fileURLToPath(WORKER_FILE));
}

/** Threads to use by default: one per core. */
export function defaultWorkers(): number {
  return availableParallelism();
}

/**
 * Checks the partitions with up to `workers` threads. `modelName` names the built-in model
 * the workers rebuild; `model` is the same model, used in-process.
 */
export async function runPartitionsInParallel(
  model: Model,
  modelName: string,
  partitions: readonly Partition[],
  budget: Budget,
  workers: number,
  inProcessSteps: number,
): Promise<PartitionOutcome[]> {
  const outcomes = runPartitions(model, partitions, budget, inProcessSteps);
  if (outcomes.some((o) => o?.valid === false)) return fill(outcomes);
  const undecided = outcomes.flatMap((o, i) => (o === undefined ? [i] : []));
  if (undecided.length === 0) return fill(outcomes);
  if (undecided.length === 1 || workers < 2) {
    const rest = runPartitions(
      model,
      undecided.map((i) => partitions[i]!),
      budget,
    );
    undecided.forEach((i, j) => {
      outcomes[i] = rest[j];
    });
    return fill(outcomes);
  }
  // Share the undecided partitions out, biggest first, to the least loaded worker.
  const shares = Array.from({ length: Math.min(workers, undecided.length) }, () => ({
    load: 0,
    items: [] as number[],
  }));
  for (const i of [...undecided].sort((a, b) => partitions[b]!.ops.length - partitions[a]!.ops.length)) {
    const share = shares.reduce((a, b) => (b.load < a.load ? b : a));
    share.items.push(i);
    share.load += partitions[i]!.ops.length;
  }
  const threadBudget = { ...budget, memoryLimitBytes: budget.memoryLimitBytes / shares.length };
  // Loaded here, not at the top: most checks never get this far, and a cold one-shot check
  // is start-up bound.
  const { Worker } = await import('node:worker_threads');
  const running = shares.map((share) => {
    const task: WorkerTask = {
      model: modelName,
      partitions: share.items.map((i) => partitions[i]!),
      budget: threadBudget,
    };
    const worker = new Worker(WORKER_FILE, { workerData: task });
    const done = new Promise<(PartitionOutcome | undefined)[]>((resolve, reject) => {
      worker.once('message', (reply: WorkerReply) => {
        if ('error' in reply) {
          reject(
            reply.input ? new InputError(reply.input.reason, reply.input.location) : new Error(reply.error),
          );
        } else resolve(reply.outcomes);
      });
      worker.once('error', reject);
    });
    return { share, worker, done };
  });
  // The first share found not linearizable decides the check: stop the others.
  await new Promise<void>((resolve, reject) => {
    let pending = running.length;
    for (const r of running) {
      r.done.then((result) => {
        r.share.items.forEach((i, j) => {
          outcomes[i] = result[j];
        });
        if (result.some((o) => o?.valid === false) || --pending === 0) resolve();
      }, reject);
    }
  }).finally(() => Promise.all(running.map((r) => r.worker.terminate())));
  return fill(outcomes);
}

function fill(outcomes: (PartitionOutcome | undefined)[]): PartitionOutcome[] {
  return outcomes.map(
    (o) =>
      o ?? {
        valid: 'skipped',
        reason: 'another partition is not linearizable',
        configurations: 0,
        states: 0,
        partials: [],
      },
  );
}
