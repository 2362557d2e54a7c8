import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findOverlaps, holdsOf } from '../../checkers/intervals.js';
import { checkLock, lockChecker } from '../../checkers/lock.js';
import { History, type Op } from '../../src/history/index.js';
import { type Event, history } from './build.js';

const acquire = (p: number, outcome: 'ok' | 'fail' | 'info' = 'ok', node?: string): Event[] => [
  [p, 'invoke', 'acquire', null, node ? { node } : {}],
  [p, outcome, 'acquire', null, node ? { node } : {}],
];
const release = (p: number, outcome: 'ok' | 'fail' | 'info' = 'ok'): Event[] => [
  [p, 'invoke', 'release'],
  [p, outcome, 'release'],
];

describe('lock', () => {
  it('accepts clients taking turns', () => {
    const r = checkLock(history([...acquire(1), ...release(1), ...acquire(2), ...release(2)]));
    expect(r.valid).toBe(true);
    expect(r).toMatchObject({ holdCount: 2, violationCount: 0, uncertainCount: 0, maxHolders: 1 });
  });

  it('accepts holds that touch: the release began before the next acquire completed', () => {
    const events: Event[] = [
      ...acquire(1),
      [1, 'invoke', 'release'],
      [2, 'invoke', 'acquire'],
      [2, 'ok', 'acquire'],
      [1, 'ok', 'release'],
    ];
    const r = checkLock(history(events));
    expect(r.valid).toBe(true);
    expect(r.uncertainCount).toBe(0);
  });

  it('reports two clients surely holding at once, with processes, nodes and window', () => {
    const events: Event[] = [
      ...acquire(1, 'ok', 'n1'),
      ...acquire(2, 'ok', 'n2'),
      ...release(1),
      ...release(2),
    ];
    const r = checkLock(history(events));
    expect(r.valid).toBe(false);
    expect(r.violationCount).toBe(1);
    expect(r.violations[0]).toMatchObject({
      lock: 'lock',
      first: { process: 1, node: 'n1', acquire: 0, acquired: 1, release: 4, released: 5 },
      second: { process: 2, node: 'n2', acquire: 2, acquired: 3, release: 6 },
      from: { op: 3, time: 3e6 },
      until: { op: 4, time: 4e6 },
    });
    expect(lockChecker.explain?.(r)).toContain(
      'both held lock: process 1 (node n1) from op 1 and process 2 (node n2) from op 3, from op 3',
    );
  });

  it('counts a lock never released as held to the end, and a failed release as no release', () => {
    const never = checkLock(history([...acquire(1), ...acquire(2)]));
    expect(never.valid).toBe(false);
    expect(never.violations[0]?.until).toBeNull();
    const failed = checkLock(history([...acquire(1), ...release(1, 'fail'), ...acquire(2), ...release(2)]));
    expect(failed.valid).toBe(false);
    expect(failed.violations[0]).toMatchObject({ from: { op: 5 }, until: { op: 6 } });
  });

  it('a failed acquire holds nothing', () => {
    expect(checkLock(history([...acquire(1), ...acquire(2, 'fail'), ...release(1)])).valid).toBe(true);
  });

  it('reports overlaps resting on an info acquire as uncertain, not as violations', () => {
    const r = checkLock(history([...acquire(1, 'info'), ...acquire(2), ...release(2)]));
    expect(r.valid).toBe(true);
    expect(r.uncertainCount).toBe(1);
    expect(r.uncertain[0]?.because).toBe("process 1's acquire (op 0) ended info and may have taken effect");
    expect(r.uncertain[0]?.first).toMatchObject({ process: 1, acquired: null, acquireOutcome: 'info' });
  });

  it('reports overlaps resting on an info release as uncertain', () => {
    const r = checkLock(history([...acquire(1), ...release(1, 'info'), ...acquire(2), ...release(2)]));
    expect(r.valid).toBe(true);
    expect(r.uncertain).toHaveLength(1);
    expect(r.uncertain[0]).toMatchObject({ from: { op: 5 }, until: { op: 6 } });
    expect(r.uncertain[0]?.because).toBe(
      "process 1's release (op 2) ended info and may have taken effect late or never",
    );
  });

  it('keeps locks of different names apart', () => {
    const events: Event[] = [
      [1, 'invoke', 'acquire', 'a'],
      [1, 'ok', 'acquire', 'a'],
      [2, 'invoke', 'acquire', { lock: 'b' }],
      [2, 'ok', 'acquire', { lock: 'b' }],
      [3, 'invoke', 'acquire', null, { key: 'a' }],
      [3, 'ok', 'acquire', null, { key: 'a' }],
    ];
    const r = checkLock(history(events));
    expect(r.lockCount).toBe(2);
    expect(r.violations.map((v) => [v.lock, v.first.process, v.second.process])).toEqual([['a', 1, 3]]);
  });

  it('reports every pair when three clients hold at once', () => {
    const r = checkLock(history([...acquire(1), ...acquire(2), ...acquire(3)]));
    expect(r.violationCount).toBe(3);
    expect(r.maxHolders).toBe(3);
  });

  it('notes releases by clients that held nothing', () => {
    const r = checkLock(history([...release(1), ...acquire(2), ...release(2)]));
    expect(r.valid).toBe(true);
    expect(r.strayReleases).toEqual([1]);
  });

  it('is unknown when nobody ever acquired', () => {
    expect(checkLock(history(acquire(1, 'fail'))).valid).toBe('unknown');
  });
});

// --- Property tests -------------------------------------------------------------------------

type Step = [number, number];

/**
 * A lock service driven by a script of [process, roll]. A process with nothing open invokes
 * acquire (when not holding) or release; the next step of that process completes it. The
 * service is correct when `broken` is false: it grants the lock only when free, at the
 * completion. When broken it sometimes grants a held lock.
 */
function simulateLock(script: Step[], broken: boolean): Op[] {
  const ops: Op[] = [];
  let holder: number | undefined;
  const holding = new Set<number>();
  const open = new Map<number, 'acquire' | 'release'>();
  const crashed = new Set<number>();
  const emit = (process: number, type: Op['type'], f: string) =>
    ops.push({ index: 0, time: ops.length * 10, type, process, f, value: null });
  for (const [p, roll] of script) {
    if (crashed.has(p)) continue;
    const f = open.get(p);
    if (!f) {
      const next = holding.has(p) ? 'release' : 'acquire';
      open.set(p, next);
      emit(p, 'invoke', next);
      continue;
    }
    open.delete(p);
    if (f === 'acquire') {
      const free = holder === undefined || (broken && roll % 4 === 0);
      if (free && roll % 9 === 8) {
        // Crash: the grant may or may not happen.
        if (roll % 2 === 0) holder = p;
        crashed.add(p);
        emit(p, 'info', f);
      } else if (free) {
        holder = p;
        holding.add(p);
        emit(p, 'ok', f);
      } else emit(p, 'fail', f);
    } else {
      if (roll % 9 === 8) {
        // Crash while releasing: it may or may not be released.
        if (roll % 2 === 0 && holder === p) holder = undefined;
        crashed.add(p);
        emit(p, 'info', f);
      } else {
        if (holder === p) holder = undefined;
        holding.delete(p);
        emit(p, 'ok', f);
      }
    }
  }
  return ops;
}

const scriptArb = fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.nat(1000)), { maxLength: 100 });

describe('lock properties', () => {
  it('a correct lock service never surely overlaps', () => {
    fc.assert(
      fc.property(scriptArb, (script) => {
        const r = checkLock(History.from(simulateLock(script, false)));
        expect(r.violations).toEqual([]);
        expect(r.valid).not.toBe(false);
      }),
    );
  });

  it('the sweep finds exactly the overlapping pairs a pairwise comparison finds', () => {
    fc.assert(
      fc.property(scriptArb, fc.boolean(), (script, broken) => {
        const h = History.from(simulateLock(script, broken));
        const { holds } = holdsOf(h, {
          acquire: new Set(['acquire']),
          release: new Set(['release']),
          resourceOf: () => 'l',
        });
        const found = findOverlaps(holds, h.ops);
        let sure = 0;
        let uncertain = 0;
        for (let i = 0; i < holds.length; i++) {
          for (let j = i + 1; j < holds.length; j++) {
            const a = holds[i]!;
            const b = holds[j]!;
            if (a.process === b.process) continue;
            const start = Math.max(a.from, b.from);
            if (a.acquired && b.acquired && start < Math.min(a.sureUntil, b.sureUntil)) sure++;
            else if (start < Math.min(a.mayUntil, b.mayUntil)) uncertain++;
          }
        }
        expect(found.sureCount).toBe(sure);
        expect(found.uncertainCount).toBe(uncertain);
      }),
    );
  });

  it('a broken lock service that grants a held lock is caught', () => {
    // p1 holds; p2 is granted the lock while p1 still holds it.
    const ops = simulateLock(
      [
        [1, 1],
        [1, 1],
        [2, 4],
        [2, 4],
      ],
      true,
    );
    expect(checkLock(History.from(ops)).violationCount).toBe(1);
  });
});
