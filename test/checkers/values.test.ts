import { describe, expect, it } from 'vitest';
import { asCollection, asEntries, elementKey, field, quantiles, rangesText } from '../../checkers/values.js';

describe('checker value helpers', () => {
  it('takes quantiles at floor(n·q), labelled', () => {
    const sample = Float64Array.from([5, 1, 4, 2, 3, 10, 9, 8, 7, 6]);
    expect(quantiles(sample)).toEqual({ min: 1, p50: 6, p95: 10, p99: 10, max: 10 });
    expect(quantiles(new Float64Array(0))).toBeUndefined();
    expect(sample[0]).toBe(5);
  });

  it('spells integer sets as ranges', () => {
    expect(rangesText([7, 1, 2, 3, 5, 6, 'x'])).toBe('1..3 5..7 "x"');
    expect(rangesText([])).toBe('');
  });

  it('identifies elements by value across JSON and EDN shapes', () => {
    expect(elementKey([1, 2])).toBe(elementKey([1, 2]));
    expect(elementKey({ key: 'a' })).toBe(elementKey('a'));
    expect(elementKey('1')).not.toBe(elementKey(1));
    expect(elementKey([1])).not.toBe(elementKey('[1]'));
  });

  it('reads collections and maps in their several shapes', () => {
    expect(asCollection({ '#set': [1] })).toEqual([1]);
    expect(asCollection(new Set([2]))).toEqual([2]);
    expect(asCollection(5)).toBeUndefined();
    expect(asEntries({ '#map': [[0, 1]] })).toEqual([[0, 1]]);
    expect(asEntries({ a: 1 })).toEqual([['a', 1]]);
    expect(field(new Map([[{ key: 'from' }, 3]]), 'from')).toBe(3);
    expect(field({ to: { key: 'x' } }, 'to')).toBe('x');
  });
});
