/**
 * The `counter` checker, online. The batch checker widens the bounds of open reads at an
 * add's invocation unless that add will fail, so an add's invocation can only be applied once
 * its outcome is known: ops wait in a queue behind the oldest add still open (at most an op
 * timeout's worth of ops, since the runner ends every op by then) and are then fed, in
 * history order, to the batch checker's own bounds ({@link CounterBounds}). The result is
 * the counter checker's, field for field.
 */
import type { Op } from '../../src/history/op.js';
import { CounterBounds, type CounterOptions, type CounterResult } from '../counter.js';
import type { OnlineChecker } from './types.js';

interface Queued {
  op: Op;
  /** For an add: how it ended (unset while its invocation waits for its completion). */
  outcome?: Op['type'];
  /** For an add: the value it was invoked with. */
  invoked?: unknown;
}

export class OnlineCounter implements OnlineChecker<CounterResult> {
  readonly name = 'counter';
  private readonly bounds: CounterBounds;
  private queue: Queued[] = [];
  private head = 0;
  /** Each process' open add invocation, waiting in the queue for its outcome. */
  private readonly openAdds = new Map<number, Queued>();
  private peakQueued = 0;

  constructor(options: CounterOptions = {}) {
    this.bounds = new CounterBounds(options.initial);
  }

  /** The most ops that waited at once for an add's outcome. */
  get peakQueuedOps(): number {
    return this.peakQueued;
  }

  add(op: Op): void {
    if (op.process === 'nemesis' || (op.f !== 'add' && op.f !== 'read')) return;
    if (op.f === 'add') {
      if (op.type === 'invoke') {
        const entry: Queued = { op, invoked: op.value };
        this.openAdds.set(op.process, entry);
        this.push(entry);
      } else {
        const invocation = this.openAdds.get(op.process);
        this.openAdds.delete(op.process);
        if (invocation) invocation.outcome = op.type;
        this.push({ op, outcome: op.type, invoked: invocation?.op.value });
      }
    } else this.push({ op });
    this.drain();
  }

  async finish(): Promise<CounterResult> {
    // Adds never answered may have taken effect at any time.
    for (const entry of this.openAdds.values()) entry.outcome = 'info';
    this.openAdds.clear();
    this.drain();
    return this.bounds.result();
  }

  private push(entry: Queued): void {
    this.queue.push(entry);
    const queued = this.queue.length - this.head;
    if (queued > this.peakQueued) this.peakQueued = queued;
  }

  /** Feeds the bounds every queued op up to the first add whose outcome is not known yet. */
  private drain(): void {
    while (this.head < this.queue.length) {
      const entry = this.queue[this.head]!;
      if (entry.op.f === 'add' && entry.outcome === undefined) break;
      this.head++;
      if (entry.op.f === 'add') this.bounds.add(entry.op, entry.outcome!, entry.invoked);
      else this.bounds.read(entry.op);
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}
