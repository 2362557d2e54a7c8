/**
 * Queue: what goes in must come out, once (Jepsen's `total-queue`, made honest about crashes).
 *
 * Op shapes (as Jepsen's):
 * - `enqueue`: invoke with `value: v`; `ok` (enqueued), `fail` (surely not), `info` (maybe).
 * - `dequeue`: invoke with any value; `ok` with `value: v`, the element taken, or `null`
 *   (or no value) when the queue was empty.
 * - `drain`: invoke with any value; `ok` with `value: [v, ...]`, every element taken until
 *   the queue was empty. Counted as one dequeue per element.
 *
 * Elements are compared by value and counted as multisets. Per element:
 * - *lost*: acknowledged enqueues that never came out;
 * - *unexpected*: dequeued, but never enqueued;
 * - *duplicated*: dequeued more often than enqueues were attempted;
 * - *failed but dequeued*: dequeued more often than enqueues that did not fail;
 * - *recovered*: dequeued, though the enqueue's outcome was unknown.
 *
 * An acknowledged element that has not come out is only surely lost when the queue was
 * later seen empty (an `ok` drain, or a dequeue returning nothing, invoked after the
 * acknowledgement), and when crashed (`info`) dequeues could not have taken it; otherwise
 * the verdict is `unknown`. Duplicates are invalid unless `allowDuplicates` is set (for
 * at-least-once queues; Jepsen only reports them).
 */
import type { History } from '../src/history/index.js';
import type { Checker, CheckResult, CommonCheckOptions, Validity } from './result.js';
import {
  asCollection,
  type ElementKey,
  elementKey,
  listed,
  plural,
  sortElements,
  verdictWord,
} from './values.js';

/** Options of `queue`. */
export interface QueueOptions extends CommonCheckOptions {
  /** The queue delivers at least once: duplicates are reported but not invalid. */
  allowDuplicates?: boolean;
}

/** An element with how many times it is counted. */
export interface Counted {
  element: unknown;
  count: number;
}

/** What `queue` found. Multisets are lists of elements with counts, sorted by element. */
export interface QueueResult extends CheckResult {
  attemptCount: number;
  acknowledgedCount: number;
  dequeuedCount: number;
  lostCount: number;
  /** Lost elements whose acknowledgement preceded a read of the empty queue. */
  confirmedLostCount: number;
  unexpectedCount: number;
  duplicatedCount: number;
  failedButDequeuedCount: number;
  recoveredCount: number;
  lost: Counted[];
  unexpected: Counted[];
  duplicated: Counted[];
  failedButDequeued: Counted[];
  recovered: Counted[];
  /** `op.index` of the last completion showing the queue empty, if any. */
  lastSeenEmpty: number | null;
  /** Dequeues and drains that crashed (`info`): they may have taken elements unseen. */
  crashedDequeues: number;
  crashedDrains: number;
}

interface Tally {
  element: unknown;
  attempts: number;
  failed: number;
  acknowledged: number;
  /** Position of the latest acknowledgement. */
  lastAck: number;
  dequeued: number;
}

/** Checks a queue history. O(n + elements log elements). */
export function checkQueue(history: History, options: QueueOptions = {}): QueueResult {
  const ops = history.ops;
  const tallies = new Map<ElementKey, Tally>();
  const tally = (element: unknown): Tally => {
    const key = elementKey(element);
    let t = tallies.get(key);
    if (!t) {
      t = { element, attempts: 0, failed: 0, acknowledged: 0, lastAck: -1, dequeued: 0 };
      tallies.set(key, t);
    }
    return t;
  };
  let attemptCount = 0;
  let acknowledgedCount = 0;
  let dequeuedCount = 0;
  let crashedDequeues = 0;
  let crashedDrains = 0;
  // Invocation position of the latest ok op that saw the queue empty, and its completion.
  let emptyInvoke = -1;
  let emptyCompletion = -1;

  for (let pos = 0; pos < ops.length; pos++) {
    const op = ops[pos]!;
    if (op.process === 'nemesis' || op.type === 'invoke') {
      if (op.f === 'enqueue' && op.type === 'invoke') {
        attemptCount++;
        tally(op.value).attempts++;
      }
      continue;
    }
    const invoke = history.partnerOf(pos);
    if (op.f === 'enqueue') {
      const t = tally(ops[invoke]!.value);
      if (op.type === 'ok') {
        acknowledgedCount++;
        t.acknowledged++;
        t.lastAck = pos;
      } else if (op.type === 'fail') t.failed++;
    } else if (op.f === 'dequeue' || op.f === 'drain') {
      if (op.type === 'info') {
        if (op.f === 'dequeue') crashedDequeues++;
        else crashedDrains++;
        continue;
      }
      if (op.type !== 'ok') continue;
      const taken = op.f === 'drain' ? (asCollection(op.value) ?? []) : op.value == null ? [] : [op.value];
      for (let j = 0; j < taken.length; j++) tally(taken[j]).dequeued++;
      dequeuedCount += taken.length;
      if ((op.f === 'drain' || taken.length === 0) && invoke > emptyInvoke) {
        emptyInvoke = invoke;
        emptyCompletion = pos;
      }
    }
  }

  const lost: Counted[] = [];
  const unexpected: Counted[] = [];
  const duplicated: Counted[] = [];
  const failedButDequeued: Counted[] = [];
  const recovered: Counted[] = [];
  let confirmedLost = 0;
  for (const t of tallies.values()) {
    const { element, attempts, failed, acknowledged, dequeued } = t;
    if (attempts === 0) {
      if (dequeued > 0) unexpected.push({ element, count: dequeued });
      continue;
    }
    if (dequeued > attempts) duplicated.push({ element, count: dequeued - attempts });
    const fromFailed = Math.min(dequeued, attempts) - (attempts - failed);
    if (fromFailed > 0) failedButDequeued.push({ element, count: fromFailed });
    if (acknowledged > dequeued) {
      lost.push({ element, count: acknowledged - dequeued });
      if (t.lastAck < emptyInvoke) confirmedLost += acknowledged - dequeued;
    }
    const unacknowledgedOut = Math.min(dequeued, attempts - failed) - acknowledged;
    if (unacknowledgedOut > 0) recovered.push({ element, count: unacknowledgedOut });
  }
  const sum = (xs: Counted[]) => xs.reduce((s, x) => s + x.count, 0);
  const lostCount = sum(lost);
  const duplicatedCount = sum(duplicated);

  let valid: Validity = true;
  let reason: string | undefined;
  const definitelyBad =
    unexpected.length > 0 ||
    failedButDequeued.length > 0 ||
    (duplicatedCount > 0 && !options.allowDuplicates) ||
    (confirmedLost > 0 && crashedDrains === 0 && confirmedLost > crashedDequeues);
  if (definitelyBad) valid = false;
  else if (lostCount > 0) {
    valid = 'unknown';
    reason =
      confirmedLost === 0
        ? `${plural(lostCount, 'acknowledged element')} never came out, but the queue was not seen empty after they went in`
        : `${plural(confirmedLost, 'acknowledged element')} never came out, but crashed dequeues may have taken them`;
  }
  const bySortedElement = (xs: Counted[]) => {
    const order = new Map(sortElements(xs.map((x) => x.element)).map((e, i) => [e, i]));
    return xs.sort((a, b) => order.get(a.element)! - order.get(b.element)!);
  };
  return {
    valid,
    ...(reason ? { reason } : {}),
    attemptCount,
    acknowledgedCount,
    dequeuedCount,
    lostCount,
    confirmedLostCount: confirmedLost,
    unexpectedCount: sum(unexpected),
    duplicatedCount,
    failedButDequeuedCount: sum(failedButDequeued),
    recoveredCount: sum(recovered),
    lost: bySortedElement(lost),
    unexpected: bySortedElement(unexpected),
    duplicated: bySortedElement(duplicated),
    failedButDequeued: bySortedElement(failedButDequeued),
    recovered: bySortedElement(recovered),
    lastSeenEmpty: emptyCompletion < 0 ? null : ops[emptyCompletion]!.index,
    crashedDequeues,
    crashedDrains,
  };
}

/** `--checker queue`. */
export const queueChecker: Checker<QueueOptions> = {
  name: 'queue',
  description: 'queue: every acknowledged enqueue comes out exactly once; nothing else comes out',
  check: (history, options) => checkQueue(history, options),
  explain(result) {
    const r = result as QueueResult;
    const lines = [
      `${verdictWord(r.valid)}${r.reason ? `: ${r.reason}` : ''}: ${r.attemptCount} enqueues attempted, ${r.acknowledgedCount} acknowledged, ${r.dequeuedCount} dequeued.`,
      `${r.lostCount} lost (${r.confirmedLostCount} after the queue was seen empty), ${r.duplicatedCount} duplicated, ${r.unexpectedCount} unexpected, ${r.failedButDequeuedCount} from failed enqueues, ${r.recoveredCount} recovered.`,
    ];
    const show = (label: string, xs: Counted[]) => {
      if (xs.length)
        lines.push(
          `${label}: ${listed(xs.map((x) => (x.count > 1 ? `${JSON.stringify(x.element)}×${x.count}` : x.element)))}`,
        );
    };
    show('lost', r.lost);
    show('duplicated', r.duplicated);
    show('unexpected', r.unexpected);
    show('dequeued although the enqueue failed', r.failedButDequeued);
    return lines.join('\n');
  },
};
