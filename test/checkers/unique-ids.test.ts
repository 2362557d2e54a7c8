import { describe, expect, it } from 'vitest';
import { checkUniqueIds, uniqueIdsChecker } from '../../checkers/unique-ids.js';
import { type Event, history } from './build.js';

describe('unique-ids', () => {
  const gen = (p: number, id: unknown, outcome: 'ok' | 'info' = 'ok'): Event[] => [
    [p, 'invoke', 'generate'],
    [p, outcome, 'generate', id],
  ];

  it('accepts distinct ids and gives their range', () => {
    const r = checkUniqueIds(history([...gen(0, 3), ...gen(1, 1), ...gen(0, 2), ...gen(2, null, 'info')]));
    expect(r.valid).toBe(true);
    expect(r).toMatchObject({ attemptedCount: 4, acknowledgedCount: 3, duplicatedCount: 0, range: [1, 3] });
  });

  it('reports each duplicated id with the ops that returned it', () => {
    const r = checkUniqueIds(history([...gen(0, 'a'), ...gen(1, 'b'), ...gen(0, 'a'), ...gen(1, 'a')]));
    expect(r.valid).toBe(false);
    expect(r.duplicated).toEqual([{ id: 'a', count: 3, ops: [1, 5, 7] }]);
    expect(uniqueIdsChecker.explain?.(r)).toContain('"a" returned 3 times (ops 1, 5, 7)');
  });

  it('compares compound ids by value, and is unknown when nothing was generated', () => {
    expect(checkUniqueIds(history([...gen(0, [1, 2]), ...gen(1, [1, 2])])).duplicatedCount).toBe(1);
    expect(checkUniqueIds(history(gen(0, null, 'info'))).valid).toBe('unknown');
  });
});
