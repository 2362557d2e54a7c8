import { describe, expect, it } from 'vitest';
import {
  boundary,
  forbiddenAnomalies,
  MODELS,
  prohibitedAnomalies,
  strongestSatisfied,
} from '../../checkers/elle/index.js';

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
    for (const a of [
      'G0',
      'G1a',
      'G1b',
      'G1c',
      'G-single-item',
      'G-nonadjacent-item',
      'G2-item',
      'internal',
    ]) {
      expect(f).toContain(a);
    }
    expect(f).not.toContain('G2-item-realtime');
    expect(f).not.toContain('G0-process');
  });

  it('strict-serializable forbids every cycle kind, snapshot isolation allows G2-item', () => {
    const strict = forbiddenAnomalies(['strict-serializable']);
    for (const base of ['G0', 'G1c', 'G-single-item', 'G-nonadjacent-item', 'G2-item']) {
      for (const suffix of ['', '-process', '-realtime']) expect(strict).toContain(base + suffix);
    }
    expect(forbiddenAnomalies(['snapshot-isolation'])).not.toContain('G2-item');
    expect(forbiddenAnomalies(['snapshot-isolation'])).toContain('G-single-item');
  });

  it('reports the weakest ruled-out models as not, the stronger ones as also-not', () => {
    const skew = boundary(['G2-item']);
    expect(skew.not).toEqual(['repeatable-read']);
    expect(skew.alsoNot).toEqual(
      expect.arrayContaining(['serializable', 'strict-serializable', 'strong-session-serializable']),
    );
    expect(skew.alsoNot).not.toContain('snapshot-isolation');
    const readSkew = boundary(['G-single-item']);
    expect(readSkew.not).toEqual(['consistent-view', 'repeatable-read']);
    const dirty = boundary(['G1a']);
    expect(dirty.not).toEqual(['read-committed']);
    expect(dirty.alsoNot).toContain('read-atomic');
    expect(boundary(['duplicate-elements']).not).toEqual(['read-uncommitted']);
    expect(boundary(['lost-update']).not).toEqual(['cursor-stability', 'update-atomic']);
    expect(boundary(['internal']).not).toEqual(['read-atomic']);
    expect(boundary(['future-read']).not).toEqual(['read-committed']);
    expect(boundary(['G1c-process']).not).toEqual(['strong-session-read-committed']);
    expect(boundary([])).toEqual({ not: [], alsoNot: [] });
  });

  it("knows every model of Elle's lattice, by friendly and canonical names", () => {
    for (const m of [
      'update-atomic',
      'forward-consistent-view',
      'monotonic-view',
      'monotonic-snapshot-read',
      'update-serializable',
      'prefix',
      'parallel-snapshot-isolation',
      'causal',
      'consistent-view',
      'cursor-stability',
    ]) {
      expect(MODELS).toContain(m);
    }
    expect(forbiddenAnomalies(['PL-2+'])).toEqual(forbiddenAnomalies(['consistent-view']));
    // Consistent view (PL-2+) forbids G-single; cursor stability does not.
    expect(forbiddenAnomalies(['consistent-view'])).toContain('G-single-item');
    expect(forbiddenAnomalies(['cursor-stability'])).not.toContain('G-single-item');
    expect(forbiddenAnomalies(['update-atomic'])).toContain('lost-update');
    expect(forbiddenAnomalies(['read-atomic'])).toContain('future-read');
  });

  it('rejects an unknown model or anomaly naming it and listing the known ones', () => {
    expect(() => forbiddenAnomalies(['serialisable'])).toThrow(
      /unknown consistency model serialisable; known: .*update-atomic/,
    );
    expect(() => prohibitedAnomalies([], ['G-sngle'])).toThrow(
      /unknown anomaly G-sngle; known: .*G-single-item/,
    );
  });

  it('gives the strongest models nothing found rules out', () => {
    expect(strongestSatisfied([])).toEqual(['strict-serializable']);
    expect(strongestSatisfied(['G2-item'])).toContain('strong-snapshot-isolation');
    expect(strongestSatisfied(['G2-item'])).not.toContain('serializable');
  });
});
