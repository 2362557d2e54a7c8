import { describe, expect, it } from 'vitest';
import { boundary, forbiddenAnomalies, MODELS } from '../../checkers/elle/index.js';

describe('consistency model lattice', () => {
  it('knows the models the checkers are asked about', () => {
    for (const m of [
      'read-uncommitted',
      'read-committed',
      'monotonic-atomic-view',
      'repeatable-read',
      'snapshot-isolation',
      'serializable',
      'strong-session-serializable',
      'strict-serializable',
      'linearizable',
      'sequential',
    ]) {
      expect(MODELS).toContain(m);
    }
  });

  it('serializable forbids data cycles but not real-time ones', () => {
    const f = forbiddenAnomalies(['serializable']);
    for (const a of ['G0', 'G1a', 'G1b', 'G1c', 'G-single', 'G-nonadjacent', 'G2-item', 'internal']) {
      expect(f).toContain(a);
    }
    expect(f).not.toContain('G2-item-realtime');
    expect(f).not.toContain('G0-process');
  });

  it('strict-serializable forbids every cycle kind, snapshot isolation allows G2-item', () => {
    const strict = forbiddenAnomalies(['strict-serializable']);
    for (const base of ['G0', 'G1c', 'G-single', 'G-nonadjacent', 'G2-item']) {
      for (const suffix of ['', '-process', '-realtime']) expect(strict).toContain(base + suffix);
    }
    expect(forbiddenAnomalies(['snapshot-isolation'])).not.toContain('G2-item');
    expect(forbiddenAnomalies(['snapshot-isolation'])).toContain('G-single');
  });

  it('reports the weakest ruled-out models as not, the stronger ones as also-not', () => {
    const skew = boundary(['G2-item']);
    expect(skew.not).toEqual(['repeatable-read']);
    expect(skew.alsoNot).toEqual(
      expect.arrayContaining(['serializable', 'strict-serializable', 'strong-session-serializable']),
    );
    expect(skew.alsoNot).not.toContain('snapshot-isolation');
    const readSkew = boundary(['G-single']);
    expect(readSkew.not).toEqual(['repeatable-read', 'snapshot-isolation']);
    const dirty = boundary(['G1a']);
    expect(dirty.not).toEqual(['read-committed']);
    expect(dirty.alsoNot).toContain('read-atomic');
    expect(boundary(['duplicate-elements']).not).toEqual(['read-uncommitted', 'sequential']);
    expect(boundary(['duplicate-elements']).alsoNot).toContain('linearizable');
    expect(boundary([])).toEqual({ not: [], alsoNot: [] });
  });
});
