import { describe, expect, it } from 'vitest';
import { checkRwRegister } from '../../checkers/elle/index.js';
import { InputError } from '../../src/errors.js';
import type { History } from '../../src/history/index.js';
import { build, type Mop, type TxnSpec } from './build.js';

const two = (a: Mop[], b: Mop[], extra: Partial<TxnSpec> = {}): History =>
  build({ t1: { ...extra, mops: a }, t2: { mops: b } });

interface Case {
  anomaly: string;
  bad: History;
  nearMiss: History;
}

const CASES: Case[] = [
  {
    // Each ww edge here comes with a wr edge on the same pair; like Elle's rw-register, the
    // cycle is named after its wr edges.
    anomaly: 'G1c',
    bad: two(
      [
        ['r', 'y', 2],
        ['w', 'y', 1],
        ['w', 'x', 1],
      ],
      [
        ['r', 'x', 1],
        ['w', 'x', 2],
        ['w', 'y', 2],
      ],
    ),
    nearMiss: two(
      [
        ['r', 'y', null],
        ['w', 'y', 1],
        ['w', 'x', 1],
      ],
      [
        ['r', 'x', 1],
        ['w', 'x', 2],
        ['w', 'y', 2],
      ],
    ),
  },
  {
    anomaly: 'G1c',
    bad: two(
      [
        ['w', 'x', 1],
        ['r', 'y', 1],
      ],
      [
        ['w', 'y', 1],
        ['r', 'x', 1],
      ],
    ),
    nearMiss: two(
      [
        ['w', 'x', 1],
        ['r', 'y', null],
      ],
      [
        ['w', 'y', 1],
        ['r', 'x', 1],
      ],
    ),
  },
  {
    anomaly: 'G-single-item',
    bad: two(
      [
        ['r', 'x', null],
        ['r', 'y', 1],
      ],
      [
        ['w', 'x', 1],
        ['w', 'y', 1],
      ],
    ),
    nearMiss: two(
      [
        ['r', 'x', 1],
        ['r', 'y', 1],
      ],
      [
        ['w', 'x', 1],
        ['w', 'y', 1],
      ],
    ),
  },
  {
    anomaly: 'G2-item',
    bad: two(
      [
        ['r', 'x', null],
        ['r', 'y', null],
        ['w', 'x', 1],
      ],
      [
        ['r', 'x', null],
        ['r', 'y', null],
        ['w', 'y', 1],
      ],
    ),
    nearMiss: two(
      [
        ['r', 'x', null],
        ['r', 'y', null],
        ['w', 'x', 1],
      ],
      [
        ['r', 'x', 1],
        ['r', 'y', null],
        ['w', 'y', 1],
      ],
    ),
  },
  {
    anomaly: 'G1a',
    bad: two([['w', 'x', 1]], [['r', 'x', 1]], { type: 'fail' }),
    nearMiss: two([['w', 'x', 1]], [['r', 'x', 1]], { type: 'info' }),
  },
  {
    anomaly: 'G1b',
    bad: two(
      [
        ['w', 'x', 1],
        ['w', 'x', 2],
      ],
      [['r', 'x', 1]],
    ),
    nearMiss: two(
      [
        ['w', 'x', 1],
        ['w', 'x', 2],
      ],
      [['r', 'x', 2]],
    ),
  },
  {
    anomaly: 'internal',
    bad: build({
      t1: {
        mops: [
          ['w', 'x', 1],
          ['r', 'x', 2],
        ],
      },
      t2: { mops: [['w', 'x', 2]] },
    }),
    nearMiss: build({
      t1: {
        mops: [
          ['w', 'x', 1],
          ['r', 'x', 1],
        ],
      },
    }),
  },
  {
    anomaly: 'lost-update',
    bad: two(
      [
        ['r', 'x', null],
        ['w', 'x', 1],
      ],
      [
        ['r', 'x', null],
        ['w', 'x', 2],
      ],
    ),
    nearMiss: two(
      [
        ['r', 'x', null],
        ['w', 'x', 1],
      ],
      [
        ['r', 'x', 1],
        ['w', 'x', 2],
      ],
    ),
  },
  {
    anomaly: 'cyclic-versions',
    bad: two(
      [
        ['r', 'x', 2],
        ['w', 'x', 1],
      ],
      [
        ['r', 'x', 1],
        ['w', 'x', 2],
      ],
    ),
    nearMiss: two(
      [
        ['r', 'x', null],
        ['w', 'x', 1],
      ],
      [
        ['r', 'x', 1],
        ['w', 'x', 2],
      ],
    ),
  },
  {
    anomaly: 'G-single-item-realtime',
    bad: build({ t1: { mops: [['w', 'x', 1]] }, t2: { mops: [['r', 'x', null]] } }, 't1 t1 t2 t2'),
    nearMiss: build({ t1: { mops: [['w', 'x', 1]] }, t2: { mops: [['r', 'x', null]] } }, 't1 t2 t1 t2'),
  },
];

describe('rw-register anomalies', () => {
  for (const c of CASES) {
    it(`detects ${c.anomaly}`, () => {
      const result = checkRwRegister(c.bad);
      expect(result['anomaly-types']).toContain(c.anomaly);
      expect(result.valid).toBe(false);
    });
    it(`does not report ${c.anomaly} in a near miss`, () => {
      const result = checkRwRegister(c.nearMiss);
      // A lone transaction leaves nothing to stand on: unknown, never invalid.
      expect(result['anomaly-types'].filter((t) => t !== 'empty-transaction-graph')).toEqual([]);
      expect(result.valid).not.toBe(false);
    });
  }

  it('explains rw and wr edges in words', () => {
    const result = checkRwRegister(CASES.find((c) => c.anomaly === 'G-single-item')!.bad);
    const cycle = result.anomalies['G-single-item']![0]!.cycle!;
    const words = cycle.map((e) => e.explanation).join(' | ');
    expect(words).toContain(
      'T2 read key "x" = nil, and T3 set it to 1, which came later in the version order',
    );
    expect(words).toContain('so T2 →rw T3');
    expect(cycle.find((e) => e.type === 'rw')).toMatchObject({ key: 'x', value: null, "value'": 1 });
    expect(words).toContain('T2 read key "y" = 1, which T3 wrote, so T3 →wr T2');
  });

  it('lost update rules out repeatable-read but not read-committed', () => {
    const result = checkRwRegister(CASES.find((c) => c.anomaly === 'lost-update')!.bad, {
      consistencyModels: ['read-committed'],
    });
    expect(result.valid).toBe(true);
    expect(result.not).toContain('cursor-stability');
    expect(result['also-not']).toContain('repeatable-read');
    expect([...result.not, ...result['also-not']]).not.toContain('read-committed');
  });

  it('refuses a history whose writes are not unique', () => {
    expect(() => checkRwRegister(two([['w', 'x', 1]], [['w', 'x', 1]]))).toThrow(InputError);
  });
});
