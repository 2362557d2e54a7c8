/**
 * Linearizability checking (Knossos/Porcupine class): is there a total order of the history's
 * operations, consistent with real time, that a sequential model accepts?
 *
 *     const result = await checkLinearizable(history, 'cas-register', { timeLimitMs: 10_000 });
 *
 * Add a model by implementing {@link Model}; the built-in ones are in {@link MODELS}.
 */
import { InputError } from '../../src/errors.js';
import type { History } from '../../src/history/index.js';
import type { Checker, CheckResult, CommonCheckOptions } from '../result.js';
import { type Partition, toPartitions } from './entries.js';
import type { Model } from './model.js';
import { MODELS } from './models/index.js';
import { defaultWorkers, runPartitionsInParallel, workersAvailable } from './parallel.js';
import { explain, type LinearizableResult, type PartitionReport } from './result.js';
import { type Budget, type PartitionOutcome, runPartitions } from './scheduler.js';
import { describeOp, visualize } from './visualization.js';

export type { Partial, SearchOutcome, SearchProgress } from './checker.js';
export type { Dropped, Partition } from './entries.js';
export * from './model.js';
export * from './models/index.js';
export type { LinearizableResult, OpReport, PartitionReport } from './result.js';
export { explain } from './result.js';
export type { Budget, DescribedPartial, PartitionOutcome } from './scheduler.js';
export { runPartitions } from './scheduler.js';
export type { PartitionVisualization } from './visualization.js';

/** Options of {@link checkLinearizable}. */
export interface LinearizableOptions extends CommonCheckOptions {
  /** Split the history by the model's partition key and check keys apart (default true). */
  split?: boolean;
  /** How many longest partial linearizations to report per partition (default 4). */
  maxPartials?: number;
  /**
   * Worker threads for partitions still undecided after a short in-process start (default:
   * one per core; 0 or 1: in-process only). Used only with a built-in model given by name,
   * and only when the compiled worker is available.
   */
  workers?: number;
  /** Search steps in-process before undecided partitions move to workers (default 3 million, about 0.5 s). */
  inProcessSteps?: number;
}

/** Default memory budget of the search: 2 GiB. */
export const DEFAULT_MEMORY_LIMIT_BYTES = 2 * 2 ** 30;

/** The model named `name` (a fresh instance), or an {@link InputError} listing the known ones. */
export function modelNamed(name: string): Model {
  const make = MODELS.get(name);
  if (!make) {
    throw new InputError(`unknown model ${JSON.stringify(name)}; known: ${[...MODELS.keys()].join(', ')}`, {
      field: 'model',
    });
  }
  return make();
}

/**
 * Checks that `history` is linearizable with respect to `model` (a {@link Model} or the name
 * of a built-in one). `fail` ops never happened; `info` and never-completed ops took effect at
 * some time after their invocation, or never. The verdict is `unknown`, with a reason, when
 * the time limit or the memory budget is reached first.
 */
export function checkLinearizableSync<State>(
  history: History,
  model: Model<State> | string,
  options: LinearizableOptions = {},
): LinearizableResult {
  const { m, partitions, dropped, budget, started } = prepare(history, model, options);
  const outcomes = runPartitions(m, partitions, budget) as PartitionOutcome[];
  return report(m, partitions, outcomes, dropped, nowMs() - started);
}

/**
 * Milliseconds from an arbitrary origin. Not `performance.now()`: its first use loads Node's
 * perf_hooks, over a millisecond of a cold one-shot check.
 */
function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

function prepare<State>(history: History, model: Model<State> | string, options: LinearizableOptions) {
  const started = nowMs();
  const m = (typeof model === 'string' ? modelNamed(model) : model) as Model;
  const { partitions, dropped } = toPartitions(history, m, options.split ?? true);
  const budget: Budget = {
    deadline: options.timeLimitMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.timeLimitMs,
    memoryLimitBytes: options.memoryLimitBytes ?? DEFAULT_MEMORY_LIMIT_BYTES,
    maxPartials: options.maxPartials ?? 4,
  };
  return { m, partitions, dropped, budget, started };
}

/**
 * In-process search steps (about half a second's work) before undecided partitions move to
 * worker threads: the workers start those partitions afresh, so they pay only for checks that
 * take longer than this.
 */
const IN_PROCESS_STEPS = 3_000_000;

/**
 * {@link checkLinearizableSync}, as a promise (the CLI's and the registry's entry point).
 * Long checks of several partitions continue on worker threads (see `workers`).
 */
export async function checkLinearizable<State>(
  history: History,
  model: Model<State> | string,
  options: LinearizableOptions = {},
): Promise<LinearizableResult> {
  const workers = options.workers ?? defaultWorkers();
  if (typeof model !== 'string' || workers < 2 || !workersAvailable()) {
    return checkLinearizableSync(history, model, options);
  }
  const { m, partitions, dropped, budget, started } = prepare(history, model, options);
  const outcomes = await runPartitionsInParallel(
    m,
    model,
    partitions,
    budget,
    workers,
    options.inProcessSteps ?? IN_PROCESS_STEPS,
  );
  return report(m, partitions, outcomes, dropped, nowMs() - started);
}

function report(
  model: Model,
  partitions: readonly Partition[],
  outcomes: readonly PartitionOutcome[],
  dropped: { failed: number; unknownReads: number },
  elapsedMs: number,
): LinearizableResult {
  const failures: PartitionReport[] = [];
  let configurations = 0;
  let reason: string | undefined;
  let skipped = 0;
  outcomes.forEach((o, i) => {
    configurations += o.configurations;
    if (o.valid === true) return;
    if (o.valid === 'skipped') {
      skipped++;
      return;
    }
    const partition = partitions[i]!;
    const stuck = o.partials[0]?.stuckAt ?? -1;
    const op = partition.ops[stuck];
    const key = partition.key === undefined ? null : partition.key;
    if (o.valid === 'unknown' && reason === undefined) {
      reason = `${o.reason}${key === null ? '' : ` (key ${JSON.stringify(key)})`}`;
    }
    failures.push({
      key,
      valid: o.valid,
      ...(o.reason === undefined ? {} : { reason: o.reason }),
      ...(op && o.valid === false
        ? {
            op: {
              index: op.index,
              completionIndex: op.completionIndex ?? null,
              process: op.process,
              f: op.f,
              description: describeOp(model, op),
            },
          }
        : {}),
      states: o.partials.map((p) => p.end),
      linearizations: o.partials.map((p) => p.ops.map((id) => partition.ops[id]!.index)),
      visualization: visualize(model, partition, o.partials),
    });
  });
  // Invalid partitions first: they decide the verdict.
  failures.sort((a, b) => (a.valid === b.valid ? 0 : a.valid === false ? -1 : 1));
  const valid = failures.length === 0 ? true : failures[0]!.valid;
  return {
    valid,
    ...(valid === 'unknown' && reason !== undefined ? { reason } : {}),
    model: model.name,
    failures,
    stats: {
      ops: partitions.reduce((n, p) => n + p.ops.length, 0),
      partitions: partitions.length,
      droppedFailed: dropped.failed,
      droppedUnknownReads: dropped.unknownReads,
      skippedPartitions: skipped,
      configurations,
      elapsedMs,
    },
  };
}

/** The checker as `faultline check --checker linearizable --model NAME` runs it. */
export const linearizableChecker: Checker<LinearizableOptions> = {
  name: 'linearizable',
  description: 'linearizability against a model (register, cas-register, kv, mutex, set, queues, ...)',
  check(history: History, options: LinearizableOptions = {}): Promise<CheckResult> {
    if (!options.model) {
      throw new InputError(`the linearizable checker needs --model NAME (${[...MODELS.keys()].join(', ')})`, {
        field: '--model',
      });
    }
    return checkLinearizable(history, options.model, options);
  },
  explain: (result: CheckResult) => explain(result as LinearizableResult),
};
