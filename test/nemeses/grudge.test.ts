import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canTalk,
  components,
  connectedPairs,
  GRUDGE_KINDS,
  type Grudge,
  majoritiesRing,
  makeGrudge,
} from '../../nemeses/grudge.js';
import { seededRandom } from '../../src/generator/random.js';

const five = ['n1', 'n2', 'n3', 'n4', 'n5'];

function isSymmetric(g: Grudge): boolean {
  return Object.entries(g).every(([a, drops]) => drops.every((b) => (g[b] ?? []).includes(a)));
}

describe('grudges', () => {
  it('one isolates exactly one node', () => {
    const g = makeGrudge('one', five, seededRandom(1));
    const comps = components(g, five);
    expect(comps.map((c) => c.length)).toEqual([4, 1]);
  });

  it('halves splits by position into [2] and [3]', () => {
    const g = makeGrudge('halves', five, seededRandom(1));
    expect(components(g, five)).toEqual([
      ['n3', 'n4', 'n5'],
      ['n1', 'n2'],
    ]);
    expect(connectedPairs(g, five)).toEqual(['n1<->n2', 'n3<->n4', 'n3<->n5', 'n4<->n5']);
  });

  it('majority and random-halves make a majority and a minority, varying with the seed', () => {
    const seen = new Set<string>();
    for (let seed = 1; seed < 20; seed++) {
      const g = makeGrudge('majority', five, seededRandom(seed));
      const comps = components(g, five);
      expect(comps.map((c) => c.length)).toEqual([3, 2]);
      seen.add(comps[1]!.join(','));
    }
    expect(seen.size).toBeGreaterThan(3);
  });

  it('minority-third isolates floor(n/3) nodes', () => {
    const nine = Array.from({ length: 9 }, (_, i) => `n${i + 1}`);
    expect(
      components(makeGrudge('minority-third', nine, seededRandom(3)), nine).map((c) => c.length),
    ).toEqual([6, 3]);
    expect(
      components(makeGrudge('minority-third', five, seededRandom(3)), five).map((c) => c.length),
    ).toEqual([4, 1]);
  });

  it('majorities-ring: on 5 nodes each sees itself and its two ring neighbours, no two the same majority', () => {
    const g = majoritiesRing(five);
    expect(g).toEqual({
      n1: ['n3', 'n4'],
      n2: ['n4', 'n5'],
      n3: ['n1', 'n5'],
      n4: ['n1', 'n2'],
      n5: ['n2', 'n3'],
    });
    const views = five.map((n) => five.filter((m) => canTalk(g, n, m)).join(','));
    expect(new Set(views).size).toBe(5);
    // Still one connected component: no clean split, which is the point.
    expect(components(g, five)).toHaveLength(1);
  });

  it('bridge: one node talks to both halves, the halves do not talk', () => {
    const g = makeGrudge('bridge', five, seededRandom(7));
    const bridges = five.filter((n) => (g[n] ?? []).length === 0);
    expect(bridges).toHaveLength(1);
    const others = five.filter((n) => n !== bridges[0]);
    const left = others.filter((n) => canTalk(g, n, others[0]!));
    expect(left).toHaveLength(2);
    for (const a of left)
      for (const b of others.filter((n) => !left.includes(n))) expect(canTalk(g, a, b)).toBe(false);
  });

  it('primaries isolates the leaders; falls back to one node without a leader', () => {
    const g = makeGrudge('primaries', five, seededRandom(1), ['n4']);
    expect(components(g, five)).toEqual([['n1', 'n2', 'n3', 'n5'], ['n4']]);
    expect(components(makeGrudge('primaries', five, seededRandom(1), []), five).map((c) => c.length)).toEqual(
      [4, 1],
    );
  });

  it('every kind is symmetric, never drops a node itself, and is reproducible from the seed', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...GRUDGE_KINDS),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 2 ** 31 }),
        (kind, n, seed) => {
          const nodes = Array.from({ length: n }, (_, i) => `n${i + 1}`);
          const g = makeGrudge(kind, nodes, seededRandom(seed), ['n1']);
          expect(isSymmetric(g)).toBe(true);
          for (const [node, drops] of Object.entries(g)) expect(drops).not.toContain(node);
          expect(makeGrudge(kind, nodes, seededRandom(seed), ['n1'])).toEqual(g);
        },
      ),
    );
  });
});
