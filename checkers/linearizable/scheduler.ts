/**
 * Runs the searches of several partitions together, round-robin, under one time limit and
 * one memory budget. Interleaving matters: one hard partition must not hide an easy one that
 * is not linearizable, and once any partition is not linearizable the verdict is decided and
 * the others stop (as Porcupine does).
 */
import type { Validity } from '../result.js';
import { type SearchOutcome, type SearchProgress, searchPartition } from './checker.js';
import type { Partition } from './entries.js';
import type { Model } from './model.js';

/** Limits of one check. */
export interface Budget {
  /** `Date.now()` after which undecided partitions are `unknown`. */
  deadline: number;
  /** Bytes the searches' tables (and the process' resident memory) may reach. */
  memoryLimitBytes: number;
  /** Longest partial linearizations kept per partition. */
  maxPartials: number;
}

/** A partition's outcome, or why it was not decided. */
export interface ScheduledOutcome<State> extends Omit<SearchOutcome<State>, 'valid'> {
  valid: Validity | 'skipped';
  reason?: string;
}

/** Checks every partition; the outcomes are in the partitions' order. */
export function runPartitions<State>(
  model: Model<State>,
  partitions: readonly Partition[],
  budget: Budget,
): ScheduledOutcome<State>[] {
  const outcomes: ScheduledOutcome<State>[] = new Array(partitions.length);
  const live = partitions.map((p, i) => ({
    i,
    search: searchPartition(model, p, budget.maxPartials),
    progress: undefined as SearchProgress<State> | undefined,
  }));
  const stopAll = (valid: ScheduledOutcome<State>['valid'], reason: string): void => {
    for (const l of live) {
      const p = l.progress;
      outcomes[l.i] = {
        valid,
        reason,
        partials: p?.partials ?? [],
        configurations: p?.configurations ?? 0,
        states: p?.states ?? 0,
      };
    }
    live.length = 0;
  };
  let pauses = 0;
  while (live.length > 0) {
    let bytes = 0;
    for (let j = 0; j < live.length; ) {
      const l = live[j]!;
      const r = l.search.next();
      if (r.done) {
        outcomes[l.i] = r.value;
        live.splice(j, 1);
        if (r.value.valid === false) {
          stopAll('skipped', 'another partition is not linearizable');
          return outcomes;
        }
        continue;
      }
      l.progress = r.value;
      bytes += r.value.bytes;
      j++;
      if (Date.now() >= budget.deadline) {
        stopAll('unknown', `time limit reached (${configurations(live)} configurations explored)`);
        return outcomes;
      }
    }
    const rss = ++pauses % 8 === 0 ? process.memoryUsage.rss() : 0;
    if (bytes > budget.memoryLimitBytes || rss > budget.memoryLimitBytes) {
      stopAll(
        'unknown',
        `memory budget of ${Math.round(budget.memoryLimitBytes / 2 ** 20)} MiB reached (${configurations(live)} configurations explored)`,
      );
    }
  }
  return outcomes;
}

function configurations(live: readonly { progress: { configurations: number } | undefined }[]): number {
  return live.reduce((n, l) => n + (l.progress?.configurations ?? 0), 0);
}
