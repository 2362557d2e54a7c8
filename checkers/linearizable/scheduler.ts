/**
 * Runs the searches of several partitions together, round-robin, under one time limit and
 * one memory budget. Interleaving matters: one hard partition must not hide an easy one that
 * is not linearizable, and once any partition is not linearizable the verdict is decided and
 * the others stop (as Porcupine does).
 */
import type { Validity } from '../result.js';
import {
  type Partial,
  type SearchOutcome,
  type SearchProgress,
  STEPS_PER_PAUSE,
  searchPartition,
} from './checker.js';
import type { Partition } from './entries.js';
import type { Model } from './model.js';
import { describeState } from './visualization.js';

/** Limits of one check. */
export interface Budget {
  /** `Date.now()` after which undecided partitions are `unknown`. */
  deadline: number;
  /** Bytes the searches' tables (and the process' resident memory) may reach. */
  memoryLimitBytes: number;
  /** Longest partial linearizations kept per partition. */
  maxPartials: number;
}

/** A partial linearization with its states described: plain JSON, so it can cross threads. */
export interface DescribedPartial {
  /** Op ids (positions in the partition). */
  ops: number[];
  /** The state after each op. */
  states: string[];
  /** The state at the end. */
  end: string;
  /** The op whose return was reached before it could be linearized. */
  stuckAt: number;
}

/** A partition's verdict, or `skipped` when another partition decided the check first. */
export interface PartitionOutcome {
  valid: Validity | 'skipped';
  reason?: string;
  configurations: number;
  states: number;
  /** The longest partial linearizations (empty for valid partitions). */
  partials: DescribedPartial[];
}

/**
 * Checks the partitions; the outcomes are in the partitions' order. With `pauseAfterSteps`,
 * partitions still undecided after that many search steps (in all) are left `undefined`, to
 * be finished elsewhere. Steps, not time: the decision must not depend on how busy the
 * machine is.
 */
export function runPartitions<State>(
  model: Model<State>,
  partitions: readonly Partition[],
  budget: Budget,
  pauseAfterSteps = Number.POSITIVE_INFINITY,
): (PartitionOutcome | undefined)[] {
  const outcomes: (PartitionOutcome | undefined)[] = new Array(partitions.length).fill(undefined);
  const live = partitions.map((p, i) => ({
    i,
    search: searchPartition(model, p, budget.maxPartials),
    progress: undefined as SearchProgress<State> | undefined,
  }));
  const stopAll = (valid: PartitionOutcome['valid'], reason: string): void => {
    for (const l of live) {
      const p = l.progress;
      outcomes[l.i] = {
        valid,
        reason,
        partials: valid === 'unknown' ? describe(model, p?.partials ?? []) : [],
        configurations: p?.configurations ?? 0,
        states: p?.states ?? 0,
      };
    }
    live.length = 0;
  };
  let pauses = 0;
  let steps = 0;
  // The budget is for this check: memory the process held before it (an earlier check's
  // garbage, the caller's data) does not count against it.
  const rssBefore = process.memoryUsage.rss();
  while (live.length > 0) {
    let bytes = 0;
    for (let j = 0; j < live.length; ) {
      const l = live[j]!;
      let r: IteratorResult<SearchProgress<State>, SearchOutcome<State>>;
      try {
        r = l.search.next();
      } catch (err) {
        // A table that could not grow (RangeError: array buffer allocation failed).
        if (!(err instanceof RangeError)) throw err;
        stopAll('unknown', `out of memory: ${err.message} (${configurations(live)} configurations explored)`);
        return outcomes;
      }
      if (r.done) {
        const o = r.value;
        outcomes[l.i] = { ...o, partials: o.valid === true ? [] : describe(model, o.partials) };
        live.splice(j, 1);
        if (o.valid === false) {
          stopAll('skipped', 'another partition is not linearizable');
          return outcomes;
        }
        continue;
      }
      l.progress = r.value;
      bytes += r.value.bytes;
      steps += STEPS_PER_PAUSE;
      j++;
      const now = Date.now();
      if (now >= budget.deadline) {
        stopAll('unknown', `time limit reached (${configurations(live)} configurations explored)`);
        return outcomes;
      }
      if (steps >= pauseAfterSteps) return outcomes;
    }
    const rss = ++pauses % 8 === 0 ? process.memoryUsage.rss() - rssBefore : 0;
    if (bytes > budget.memoryLimitBytes || rss > budget.memoryLimitBytes) {
      stopAll(
        'unknown',
        `memory budget of ${Math.round(budget.memoryLimitBytes / 2 ** 20)} MiB reached (${configurations(live)} configurations explored)`,
      );
    }
  }
  return outcomes;
}

function describe<State>(model: Model<State>, partials: readonly Partial<State>[]): DescribedPartial[] {
  return partials.map((p) => ({
    ops: p.ops,
    states: p.states.map((s) => describeState(model, s)),
    end: describeState(model, p.end),
    stuckAt: p.stuckAt,
  }));
}

function configurations(live: readonly { progress: { configurations: number } | undefined }[]): number {
  return live.reduce((n, l) => n + (l.progress?.configurations ?? 0), 0);
}
