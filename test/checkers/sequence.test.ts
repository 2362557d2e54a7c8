import { describe, expect, it } from 'vitest';
import { checkSequence, sequenceChecker } from '../../checkers/sequence.js';
import { type Event, history } from './build.js';

describe('sequence checker', () => {
  it('accepts increasing numbers and reports the gaps failed and indefinite creates leave', () => {
    const r = checkSequence(
      history([
        [0, 'invoke', 'create'],
        [0, 'ok', 'create', 1],
        [1, 'invoke', 'create'],
        [1, 'fail', 'create', null, { error: 'refused' }],
        [2, 'invoke', 'create'],
        [2, 'info', 'create', null, { error: 'timeout' }],
        [0, 'invoke', 'create'],
        [0, 'ok', 'create', 4],
      ]),
    );
    expect(r.valid).toBe(true);
    expect(r).toMatchObject({ acknowledgedCount: 2, failedCount: 1, indefiniteCount: 1, gapCount: 2 });
    expect(r.gaps).toEqual([[2, 3]]);
  });

  it('lets concurrent creates take numbers in either order', () => {
    const r = checkSequence(
      history([
        [0, 'invoke', 'create'],
        [1, 'invoke', 'create'],
        [0, 'ok', 'create', 5],
        [1, 'ok', 'create', 3],
      ]),
    );
    expect(r.valid).toBe(true);
  });

  it('names both creates that returned one number', () => {
    const events: Event[] = [
      [0, 'invoke', 'create'],
      [1, 'invoke', 'create'],
      [0, 'ok', 'create', 7],
      [1, 'ok', 'create', 7],
    ];
    const r = checkSequence(history(events));
    expect(r.valid).toBe(false);
    expect(r.duplicatedCount).toBe(1);
    expect(r.outOfOrderCount).toBe(0);
    expect(r.duplicated[0]!.creates.map((c) => [c.invoke, c.ok])).toEqual([
      [0, 2],
      [1, 3],
    ]);
    expect(sequenceChecker.explain!(r)).toContain('duplicated 7');
  });

  it('finds a create numbered below one that completed before it began, naming both', () => {
    const r = checkSequence(
      history([
        [0, 'invoke', 'create'],
        [0, 'ok', 'create', 5],
        [1, 'invoke', 'create'],
        [1, 'ok', 'create', 3],
      ]),
    );
    expect(r.valid).toBe(false);
    expect(r.duplicatedCount).toBe(0);
    expect(r.outOfOrder).toEqual([
      {
        before: { number: 5, process: 0, invoke: 0, ok: 1 },
        after: { number: 3, process: 1, invoke: 2, ok: 3 },
      },
    ]);
  });

  it('is unknown when no create was acknowledged', () => {
    const r = checkSequence(
      history([
        [0, 'invoke', 'create'],
        [0, 'fail', 'create'],
      ]),
    );
    expect(r.valid).toBe('unknown');
  });
});
