import { describe, expect, it } from 'vitest';
import { checkQueue, queueChecker } from '../../checkers/queue.js';
import { type Event, history } from './build.js';

const enq = (p: number, v: unknown, outcome: 'ok' | 'fail' | 'info' = 'ok'): Event[] => [
  [p, 'invoke', 'enqueue', v],
  [p, outcome, 'enqueue', v],
];
const deq = (p: number, v: unknown, outcome: 'ok' | 'info' = 'ok'): Event[] => [
  [p, 'invoke', 'dequeue'],
  [p, outcome, 'dequeue', v],
];
const drain = (p: number, vs: unknown[]): Event[] => [
  [p, 'invoke', 'drain'],
  [p, 'ok', 'drain', vs],
];

describe('queue', () => {
  it('is valid when everything acknowledged comes out once and the queue ends empty', () => {
    const r = checkQueue(history([...enq(0, 1), ...enq(0, 2), ...deq(1, 2), ...deq(1, 1), ...deq(1, null)]));
    expect(r.valid).toBe(true);
    expect(r).toMatchObject({ attemptCount: 2, acknowledgedCount: 2, dequeuedCount: 2, lostCount: 0 });
    expect(r.lastSeenEmpty).toBe(9);
  });

  it('calls an acknowledged element missing after a drain lost', () => {
    const r = checkQueue(history([...enq(0, 1), ...enq(0, 2), ...deq(1, 1), ...drain(1, [])]));
    expect(r.valid).toBe(false);
    expect(r.lost).toEqual([{ element: 2, count: 1 }]);
    expect(r.confirmedLostCount).toBe(1);
    expect(queueChecker.explain?.(r)).toContain('lost: 2');
  });

  it('is unknown about a missing element when the queue was never seen empty after it went in', () => {
    const r = checkQueue(history([...enq(0, 1), ...enq(0, 2), ...deq(1, 1)]));
    expect(r.valid).toBe('unknown');
    expect(r.lostCount).toBe(1);
    expect(r.confirmedLostCount).toBe(0);
    // A drain that began before the acknowledgement proves nothing either.
    const early: Event[] = [[1, 'invoke', 'drain'], ...enq(0, 1), [1, 'ok', 'drain', []]];
    expect(checkQueue(history(early)).valid).toBe('unknown');
  });

  it('is unknown when a crashed dequeue may have taken the missing element', () => {
    const r = checkQueue(history([...enq(0, 1), ...enq(0, 2), ...deq(1, null, 'info'), ...drain(2, [1])]));
    expect(r.valid).toBe('unknown');
    expect(r.crashedDequeues).toBe(1);
    const two = checkQueue(history([...enq(0, 1), ...enq(0, 2), ...deq(1, null, 'info'), ...drain(2, [])]));
    expect(two.valid).toBe(false);
  });

  it('flags duplicates unless the queue is at-least-once', () => {
    const events = [...enq(0, 1), ...deq(1, 1), ...deq(1, 1), ...drain(1, [])];
    const r = checkQueue(history(events));
    expect(r.valid).toBe(false);
    expect(r.duplicated).toEqual([{ element: 1, count: 1 }]);
    expect(checkQueue(history(events), { allowDuplicates: true }).valid).toBe(true);
  });

  it('flags elements never enqueued and elements whose enqueue failed', () => {
    const r = checkQueue(history([...enq(0, 3, 'fail'), ...deq(1, 3), ...deq(1, 9)]));
    expect(r.valid).toBe(false);
    expect(r.unexpected).toEqual([{ element: 9, count: 1 }]);
    expect(r.failedButDequeued).toEqual([{ element: 3, count: 1 }]);
  });

  it('counts an info enqueue that comes out as recovered, and one that does not as fine', () => {
    const r = checkQueue(history([...enq(0, 4, 'info'), ...enq(1, 5, 'info'), ...drain(2, [4])]));
    expect(r.valid).toBe(true);
    expect(r.recovered).toEqual([{ element: 4, count: 1 }]);
  });

  it('counts repeated values as a multiset', () => {
    const r = checkQueue(history([...enq(0, 'x'), ...enq(0, 'x'), ...drain(1, ['x'])]));
    expect(r.lost).toEqual([{ element: 'x', count: 1 }]);
    expect(r.valid).toBe(false);
  });
});
