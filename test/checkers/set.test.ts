import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkSet, checkSetFull, setChecker, setFullChecker } from '../../checkers/set.js';
import { History, type Op } from '../../src/history/index.js';
import { type Event, history } from './build.js';

/** Adds of `values` by process 0, each invoked and acknowledged in turn. */
function acked(...values: unknown[]): Event[] {
  return values.flatMap((v): Event[] => [
    [0, 'invoke', 'add', v],
    [0, 'ok', 'add', v],
  ]);
}

function read(process: number, seen: unknown[]): Event[] {
  return [
    [process, 'invoke', 'read'],
    [process, 'ok', 'read', seen],
  ];
}

describe('set', () => {
  it('is valid when the final read holds every acknowledged element', () => {
    const r = checkSet(history([...acked(1, 2, 3), ...read(1, [3, 1, 2])]));
    expect(r.valid).toBe(true);
    expect(r).toMatchObject({ attemptCount: 3, acknowledgedCount: 3, okCount: 3, lostCount: 0, ok: '1..3' });
    expect(r.finalRead).toBe(7);
  });

  it('reports an acknowledged element missing from the final read as lost, citing its add', () => {
    const r = checkSet(history([...acked(1, 2, 3), ...read(1, [1, 3])]));
    expect(r.valid).toBe(false);
    expect(r.lost).toEqual([2]);
    expect(r.lostAdds).toEqual([{ element: 2, add: 3 }]);
    expect(setChecker.explain?.(r)).toContain('lost: 2');
  });

  it('judges only the last ok read', () => {
    const r = checkSet(history([...acked(1, 2), ...read(1, [1]), ...read(1, [1, 2])]));
    expect(r.valid).toBe(true);
    const bad = checkSet(history([...acked(1, 2), ...read(1, [1, 2]), ...read(1, [1])]));
    expect(bad.lost).toEqual([2]);
  });

  it('counts an info add that shows up as recovered, and one that does not as fine', () => {
    const events: Event[] = [
      ...acked(1),
      [2, 'invoke', 'add', 7],
      [2, 'info', 'add', 7],
      [3, 'invoke', 'add', 8],
      ...read(1, [1, 7]),
    ];
    const r = checkSet(history(events));
    expect(r.valid).toBe(true);
    expect(r).toMatchObject({ attemptCount: 3, acknowledgedCount: 1, recoveredCount: 1, recovered: '7' });
  });

  it('flags elements never attempted, and elements whose add failed, when read', () => {
    const events: Event[] = [
      ...acked(1),
      [2, 'invoke', 'add', 5],
      [2, 'fail', 'add', 5],
      ...read(1, [1, 5, 9]),
    ];
    const r = checkSet(history(events));
    expect(r.valid).toBe(false);
    expect(r.unexpected).toEqual([9]);
    expect(r.failedButRead).toEqual([5]);
    expect(r.lostCount).toBe(0);
  });

  it('a failed add that stays absent is no problem', () => {
    const events: Event[] = [...acked(1), [2, 'invoke', 'add', 5], [2, 'fail', 'add', 5], ...read(1, [1])];
    expect(checkSet(history(events)).valid).toBe(true);
  });

  it('flags an element the final read returns twice', () => {
    const r = checkSet(history([...acked(1, 2), ...read(1, [1, 2, 2])]));
    expect(r.valid).toBe(false);
    expect(r.duplicated).toEqual([{ element: 2, count: 2 }]);
  });

  it('is unknown when the set was never read (failed reads do not count)', () => {
    const events: Event[] = [...acked(1), [1, 'invoke', 'read'], [1, 'fail', 'read']];
    const r = checkSet(history(events));
    expect(r.valid).toBe('unknown');
    expect(r.reason).toMatch(/never read/);
  });

  it('compares compound and EDN-shaped elements by value', () => {
    const events: Event[] = [
      ...acked('a', [1, 2], { key: 'k' }),
      ...read(1, { set: ['a', [1, 2], 'k'] } as never),
    ];
    const r = checkSet(history(events));
    expect(r.valid).toBe(true);
    expect(r.okCount).toBe(3);
  });

  it("reads our EDN codec's sets", () => {
    const r = checkSet(history([...acked(1, 2), ...read(1, { '#set': [2] } as never)]));
    expect(r.lost).toEqual([1]);
  });

  it('rejects an ok read whose value is not a collection, naming the op', () => {
    expect(() => checkSet(history([...acked(1), ...read(1, 5 as never)]))).toThrow(/op 3/);
  });
});

describe('set-full', () => {
  it('calls an element read right after its add stable, with latency 0', () => {
    const r = checkSetFull(history([...acked(0), ...read(1, [0]), ...read(1, [0])]));
    expect(r.valid).toBe(true);
    expect(r).toMatchObject({ stableCount: 1, lostCount: 0, staleCount: 0, neverReadCount: 0 });
    expect(r.stableLatencies).toEqual({ min: 0, p50: 0, p95: 0, p99: 0, max: 0 });
  });

  it('calls an element lost when reads that began after it was known stop showing it', () => {
    const r = checkSetFull(history([...acked(0, 1), ...read(1, [0, 1]), ...read(1, [1]), ...read(2, [1])]));
    expect(r.valid).toBe(false);
    expect(r.lost).toEqual([0]);
    // Known when the add was acknowledged (op 1), last seen by the read invoked at op 4,
    // missing from the read invoked at op 6 (5 ms later).
    expect(r.lostDetail).toEqual([{ element: 0, known: 1, lastSeen: 4, missedBy: 6, latencyMs: 5 }]);
    expect(r.lostLatencies?.p50).toBe(5);
    expect(setFullChecker.explain?.(r)).toMatch(/lost 0: known at op 1/);
  });

  it('calls an acknowledged element that no read ever showed lost, from the first read after it', () => {
    const r = checkSetFull(history([...acked(0, 1), ...read(1, [1])]));
    expect(r.lost).toEqual([0]);
    expect(r.lostDetail[0]).toMatchObject({ known: 1, lastSeen: null, missedBy: 4 });
  });

  it('calls an element stale when a read began after it was known yet missed it', () => {
    const r = checkSetFull(history([...acked(0), ...read(1, []), ...read(1, [0])]));
    expect(r.valid).toBe(true);
    expect(r.stale).toEqual([0]);
    expect(r.worstStale).toEqual([{ element: 0, known: 1, lastSeen: 4, missedBy: 2, latencyMs: 1 }]);
    expect(r.stableLatencies?.max).toBe(1);
    expect(
      checkSetFull(history([...acked(0), ...read(1, []), ...read(1, [0])]), { linearizable: true }).valid,
    ).toBe(false);
  });

  it('does not hold a read concurrent with the add against it (near miss of stale)', () => {
    const events: Event[] = [
      [1, 'invoke', 'read'],
      [0, 'invoke', 'add', 0],
      [0, 'ok', 'add', 0],
      [1, 'ok', 'read', []],
      ...read(1, [0]),
    ];
    const r = checkSetFull(history(events), { linearizable: true });
    expect(r.valid).toBe(true);
    expect(r.staleCount).toBe(0);
  });

  it('knows an element from a read that saw it before its add completed', () => {
    // Add of 0 is still open when a read returns it; a later read misses it: the element
    // was known from that first read, so the miss is a staleness, then it comes back.
    const events: Event[] = [
      [0, 'invoke', 'add', 0],
      ...read(1, [0]),
      ...read(1, []),
      [0, 'ok', 'add', 0],
      ...read(1, [0]),
    ];
    const r = checkSetFull(history(events));
    expect(r.stale).toEqual([0]);
    expect(r.worstStale[0]).toMatchObject({ known: 2, missedBy: 3 });
  });

  it('calls an element of an info add lost once a read showed it and later reads did not', () => {
    const events: Event[] = [[0, 'invoke', 'add', 0], [0, 'info', 'add', 0], ...read(1, [0]), ...read(1, [])];
    const r = checkSetFull(history(events));
    expect(r.lost).toEqual([0]);
  });

  it('calls an info add that no read showed never-read, not lost', () => {
    const events: Event[] = [
      ...acked(1),
      [0 + 5, 'invoke', 'add', 0],
      [5, 'info', 'add', 0],
      ...read(1, [1]),
    ];
    const r = checkSetFull(history(events));
    expect(r.valid).toBe(true);
    expect(r.neverRead).toEqual([0]);
  });

  it('is unknown when nothing was ever stably read', () => {
    const events: Event[] = [...read(1, []), ...acked(0)];
    const r = checkSetFull(history(events));
    expect(r.valid).toBe('unknown');
    expect(r.neverRead).toEqual([0]);
  });

  it('flags duplicates within a read, unexpected elements, and elements of failed adds', () => {
    const events: Event[] = [
      ...acked(0),
      [2, 'invoke', 'add', 1],
      [2, 'fail', 'add', 1],
      ...read(1, [0, 0, 1, 42]),
    ];
    const r = checkSetFull(history(events));
    expect(r.valid).toBe(false);
    expect(r.duplicatedCount).toBe(1);
    expect(r.unexpected).toEqual([{ element: 42, read: 5 }]);
    expect(r.failedButRead).toEqual([{ element: 1, read: 5 }]);
  });
});

// --- Property tests -------------------------------------------------------------------------

interface Simulated {
  ops: Op[];
  /** Elements whose add was acknowledged. */
  acknowledged: unknown[];
}

/**
 * A correct (linearizable) set: each op takes effect at one instant between its invocation
 * and completion. Script entries: [process, kind, outcome]; adds of fresh elements; an
 * `info` add takes effect or not as `outcome` says; reads return the state at the instant.
 */
function simulateSet(script: [number, 'add' | 'read', number][], element: (i: number) => unknown): Simulated {
  const ops: Op[] = [];
  const state: unknown[] = [];
  const open = new Map<number, { f: string; value: unknown; effect: () => unknown; outcome: number }>();
  const crashed = new Set<number>();
  const acknowledged: unknown[] = [];
  let next = 0;
  const emit = (process: number, type: Op['type'], f: string, value: unknown) =>
    ops.push({ index: ops.length, time: ops.length * 1000, type, process, f, value });
  for (const [p, kind, outcome] of script) {
    if (crashed.has(p)) continue;
    const pending = open.get(p);
    if (pending) {
      // Complete: the effect happens now (at latest), unless the op fails or an info op skips it.
      open.delete(p);
      const type = pending.outcome % 5 === 0 ? 'info' : pending.outcome % 7 === 0 ? 'fail' : 'ok';
      if (pending.f === 'add') {
        if (type === 'ok' || (type === 'info' && pending.outcome % 2 === 0)) pending.effect();
        if (type === 'ok') acknowledged.push(pending.value);
        emit(p, type, 'add', pending.value);
      } else if (type === 'ok') emit(p, 'ok', 'read', pending.effect());
      else emit(p, type, 'read', null);
      if (type === 'info') crashed.add(p);
    } else if (kind === 'add') {
      const value = element(next++);
      emit(p, 'invoke', 'add', value);
      // Some adds take effect right at invocation, the rest at completion.
      let done = false;
      const effect = () => {
        if (!done) state.push(value);
        done = true;
      };
      if (outcome % 3 === 0 && outcome % 5 !== 0 && outcome % 7 !== 0) effect();
      open.set(p, { f: 'add', value, effect, outcome });
    } else {
      emit(p, 'invoke', 'read', null);
      // A read sees the state at its invocation or at its completion.
      const snapshot = outcome % 2 === 0 ? [...state] : undefined;
      open.set(p, {
        f: 'read',
        value: null,
        effect: () => snapshot ?? [...state],
        outcome: outcome * 11 + 1,
      });
    }
  }
  // Complete what is open as info (no effect), then a final read by a fresh process.
  for (const [p, pending] of open) emit(p, 'info', pending.f, pending.f === 'add' ? pending.value : null);
  emit(1000, 'invoke', 'read', null);
  emit(1000, 'ok', 'read', [...state]);
  return { ops, acknowledged };
}

const scriptArb = fc.array(
  fc.tuple(fc.integer({ min: 0, max: 5 }), fc.constantFrom('add' as const, 'read' as const), fc.nat(1000)),
  { maxLength: 120 },
);

describe('set and set-full properties', () => {
  it('a correct set never reports lost, stale, unexpected or duplicated elements', () => {
    fc.assert(
      fc.property(scriptArb, fc.boolean(), (script, strings) => {
        const { ops } = simulateSet(script, strings ? (i) => `e${i}` : (i) => i);
        const h = History.from(ops);
        const full = checkSetFull(h, { linearizable: true });
        expect(full.lostCount).toBe(0);
        expect(full.staleCount).toBe(0);
        expect(full.unexpectedCount + full.duplicatedCount + full.failedButRead.length).toBe(0);
        expect(full.valid).not.toBe(false);
        expect(checkSet(h).valid).toBe(true);
      }),
    );
  });

  it('dropping one acknowledged element from the final read reports exactly it lost', () => {
    fc.assert(
      fc.property(scriptArb, fc.nat(), (script, pick) => {
        const { ops, acknowledged } = simulateSet(script, (i) => i);
        fc.pre(acknowledged.length > 0);
        const dropped = acknowledged[pick % acknowledged.length];
        const final = ops.at(-1)!;
        final.value = (final.value as unknown[]).filter((v) => v !== dropped);
        const h = History.from(ops);
        const r = checkSet(h);
        expect(r.lost).toEqual([dropped]);
        expect(r.valid).toBe(false);
        expect(checkSetFull(h).lost).toEqual([dropped]);
      }),
    );
  });

  it('agrees with a direct per-element, per-read evaluation of set-full on arbitrary reads', () => {
    const arb = fc.array(
      fc.oneof(
        fc.tuple(
          fc.constant('add' as const),
          fc.integer({ min: 0, max: 6 }),
          fc.constantFrom('ok', 'info', 'fail'),
        ),
        fc.tuple(
          fc.constant('read' as const),
          fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { maxLength: 7 }),
        ),
      ),
      { maxLength: 40 },
    );
    fc.assert(
      fc.property(
        arb,
        fc.boolean(),
        fc.array(fc.nat(), { minLength: 40, maxLength: 40 }),
        (steps, strings, picks) => {
          // Up to three ops open at a time, completed in an arbitrary order, so that reads
          // overlap adds and each other, and later reads may complete first.
          const name = (v: number) => (strings ? `x${v}` : v);
          const ops: Op[] = [];
          const emit = (process: number, type: Op['type'], f: string, value: unknown) =>
            ops.push({ index: ops.length, time: ops.length, type, process, f, value });
          const open: (() => void)[] = [];
          steps.forEach((step, process) => {
            if (step[0] === 'add') {
              emit(process, 'invoke', 'add', name(step[1]));
              open.push(() => emit(process, step[2] as Op['type'], 'add', name(step[1])));
            } else {
              emit(process, 'invoke', 'read', null);
              open.push(() => emit(process, 'ok', 'read', step[1].map(name)));
            }
            const pick = picks[process]!;
            if (open.length > 2 || pick % 2 === 0) open.splice(pick % open.length, 1)[0]!();
          });
          for (const complete of open) complete();
          const got = checkSetFull(History.from(ops));
          const want = referenceSetFull(ops);
          expect(new Set(got.lost)).toEqual(want.lost);
          expect(new Set(got.stale)).toEqual(want.stale);
          expect(new Set(got.neverRead)).toEqual(want.neverRead);
          expect(got.stableCount).toBe(want.stable);
        },
      ),
      { numRuns: 500 },
    );
  });
});

/** Set-full's definitions evaluated directly, element by element and read by read. */
function referenceSetFull(ops: Op[]) {
  const invokeOf = new Map<number, number>();
  const reads: { inv: number; comp: number; seen: Set<unknown> }[] = [];
  const elements = new Map<unknown, { ack: number }>();
  const open = new Map<Op['process'], number>();
  for (const op of ops) {
    if (op.type === 'invoke') {
      open.set(op.process, op.index);
      if (op.f === 'add' && !elements.has(op.value)) elements.set(op.value, { ack: Infinity });
      continue;
    }
    const inv = open.get(op.process)!;
    invokeOf.set(op.index, inv);
    if (op.f === 'add' && op.type === 'ok') {
      const e = elements.get(op.value)!;
      e.ack = Math.min(e.ack, op.index);
    }
    if (op.f === 'read' && op.type === 'ok')
      reads.push({ inv, comp: op.index, seen: new Set(op.value as unknown[]) });
  }
  const lost = new Set<unknown>();
  const stale = new Set<unknown>();
  const neverRead = new Set<unknown>();
  let stable = 0;
  for (const [element, { ack }] of elements) {
    let known = ack;
    let lastPresent = -1;
    let lastAbsent = -1;
    for (const r of reads) {
      if (r.seen.has(element)) {
        known = Math.min(known, r.comp);
        lastPresent = Math.max(lastPresent, r.inv);
      } else lastAbsent = Math.max(lastAbsent, r.inv);
    }
    if (lastPresent >= 0 && lastAbsent < lastPresent) {
      stable++;
      if (lastAbsent > known) stale.add(element);
    } else if (known !== Infinity && lastAbsent > lastPresent && lastAbsent > known) lost.add(element);
    else neverRead.add(element);
  }
  return { lost, stale, neverRead, stable };
}
