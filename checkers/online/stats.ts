/**
 * The `stats` checker, online: the batch checker's own tally (counts per `f` of ok, fail and
 * info, and errors by kind) fed op by op, so the result is the stats checker's, field for
 * field. Memory: one entry per `f` and per error kind.
 */
import type { Op } from '../../src/history/op.js';
import { type StatsOptions, type StatsResult, StatsTally } from '../stats.js';
import type { OnlineChecker } from './types.js';

export class OnlineStats implements OnlineChecker<StatsResult> {
  readonly name = 'stats';
  private readonly tally = new StatsTally();

  constructor(private readonly options: StatsOptions = {}) {}

  add(op: Op): void {
    this.tally.add(op);
  }

  async finish(): Promise<StatsResult> {
    return this.tally.result(this.options);
  }
}
