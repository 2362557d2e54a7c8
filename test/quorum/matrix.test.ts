import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import {
  buildMatrix,
  expectWritable,
  parseFaultFilter,
  parseSites,
  parseSizes,
  siteNodes,
  theory,
} from '../../src/quorum/matrix.js';

describe('quorum theory', () => {
  it('is the table operators know: quorum floor(N/2)+1, tolerates floor((N-1)/2)', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => [theory(n).quorum, theory(n).tolerated])).toEqual([
      [1, 0],
      [2, 0],
      [2, 1],
      [3, 1],
      [3, 2],
      [4, 2],
      [4, 3],
    ]);
    // A 2|2 split of four nodes leaves no side with a quorum.
    expect(expectWritable(4, 2)).toBe(false);
    expect(expectWritable(5, 3)).toBe(true);
  });
});

describe('quorum matrix', () => {
  it('has crashes of 0..N and every k|N-k split per size', () => {
    const ids = buildMatrix([1, 4], [], parseFaultFilter(undefined)).map((c) => c.id);
    expect(ids).toEqual([
      'n1-crash-0',
      'n1-crash-1',
      'n4-crash-0',
      'n4-crash-1',
      'n4-crash-2',
      'n4-crash-3',
      'n4-crash-4',
      'n4-split-1',
      'n4-split-2',
    ]);
    // sizes 1-5: 20 crash cases and 6 splits
    expect(buildMatrix(parseSizes('1-5'), [], () => true)).toHaveLength(26);
  });

  it('adds the loss of each site and the cut between sites per layout', () => {
    const cases = buildMatrix([], parseSites('2:2:1'), () => true);
    expect(cases.map((c) => c.id)).toEqual([
      'n5-2:2:1-site-1-loss',
      'n5-2:2:1-site-2-loss',
      'n5-2:2:1-site-3-loss',
      'n5-2:2:1-site-split',
    ]);
    expect(siteNodes([2, 2, 1], ['n1', 'n2', 'n3', 'n4', 'n5'])).toEqual([
      ['n1', 'n2'],
      ['n3', 'n4'],
      ['n5'],
    ]);
  });

  it('keeps only the faults --faults names', () => {
    const ids = buildMatrix([3, 4], parseSites('2:2'), parseFaultFilter('crash:1,split:1')).map((c) => c.id);
    expect(ids).toEqual(['n3-crash-1', 'n3-split-1', 'n4-crash-1', 'n4-split-1']);
    expect(buildMatrix([3], parseSites('2:1'), parseFaultFilter('sites')).map((c) => c.fault.kind)).toEqual([
      'site-loss',
      'site-loss',
      'site-split',
    ]);
  });

  it('refuses malformed sizes, layouts and fault lists as bad input naming the flag', () => {
    expect(parseSizes('1-3,7')).toEqual([1, 2, 3, 7]);
    for (const [f, text, flag] of [
      [parseSizes, '0-3', '--sizes'],
      [parseSizes, '5-3', '--sizes'],
      [parseSizes, 'x', '--sizes'],
      [parseSites, '4', '--sites'],
      [parseSites, '2:0', '--sites'],
      [parseFaultFilter, 'kill', '--faults'],
    ] as const) {
      expect(() => (f as (t: string) => unknown)(text)).toThrow(InputError);
      try {
        (f as (t: string) => unknown)(text);
      } catch (err) {
        expect((err as InputError).message).toContain(flag);
      }
    }
  });
});
