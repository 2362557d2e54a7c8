import { describe, expect, it } from 'vitest';
import { checkListAppend, type ElleOptions, explainElle } from '../../checkers/elle/index.js';
import { InputError } from '../../src/errors.js';
import type { History } from '../../src/history/index.js';
import { build, type Mop, type TxnSpec } from './build.js';

const check = (h: History, options: ElleOptions = {}) => checkListAppend(h, options);
const types = (h: History, options: ElleOptions = {}) => check(h, options)['anomaly-types'];

// Each case: an anomaly, a minimal history showing it, and a near miss that must not.
interface Case {
  anomaly: string;
  /** Process anomalies need a model that asks about process order (Elle adds its edges then). */
  options?: ElleOptions;
  bad: () => History;
  nearMiss: () => History;
}

const writeSkew = (t2ReadsX: number[]): Record<string, TxnSpec> => ({
  t1: {
    mops: [
      ['r', 'x', []],
      ['r', 'y', []],
      ['append', 'x', 1],
    ],
  },
  t2: {
    mops: [
      ['r', 'x', t2ReadsX],
      ['r', 'y', []],
      ['append', 'y', 1],
    ],
  },
  t3: {
    mops: [
      ['r', 'x', [1]],
      ['r', 'y', [1]],
    ],
  },
});

const nonadjacent = (t3ReadsC: number[]): Record<string, TxnSpec> => ({
  t1: {
    mops: [
      ['r', 'a', []],
      ['r', 'd', [1]],
    ],
  },
  t2: {
    mops: [
      ['append', 'a', 1],
      ['append', 'b', 1],
    ],
  },
  t3: {
    mops: [
      ['r', 'b', [1]],
      ['r', 'c', t3ReadsC],
    ],
  },
  t4: {
    mops: [
      ['append', 'c', 1],
      ['append', 'd', 1],
    ],
  },
  t5: {
    mops: [
      ['r', 'a', [1]],
      ['r', 'c', [1]],
    ],
  },
});

const CASES: Case[] = [
  {
    anomaly: 'G0',
    bad: () =>
      build({
        t1: {
          mops: [
            ['append', 'x', 1],
            ['append', 'y', 1],
          ],
        },
        t2: {
          mops: [
            ['append', 'x', 2],
            ['append', 'y', 2],
          ],
        },
        t3: {
          mops: [
            ['r', 'x', [1, 2]],
            ['r', 'y', [2, 1]],
          ],
        },
      }),
    nearMiss: () =>
      build({
        t1: {
          mops: [
            ['append', 'x', 1],
            ['append', 'y', 1],
          ],
        },
        t2: {
          mops: [
            ['append', 'x', 2],
            ['append', 'y', 2],
          ],
        },
        t3: {
          mops: [
            ['r', 'x', [1, 2]],
            ['r', 'y', [1, 2]],
          ],
        },
      }),
  },
  {
    anomaly: 'G1c',
    bad: () =>
      build({
        t1: {
          mops: [
            ['append', 'x', 1],
            ['r', 'y', [1]],
          ],
        },
        t2: {
          mops: [
            ['append', 'y', 1],
            ['r', 'x', [1]],
          ],
        },
      }),
    nearMiss: () =>
      build({
        t1: {
          mops: [
            ['append', 'x', 1],
            ['r', 'y', []],
          ],
        },
        t2: {
          mops: [
            ['append', 'y', 1],
            ['r', 'x', [1]],
          ],
        },
      }),
  },
  {
    anomaly: 'G-single-item',
    bad: () =>
      build({
        t1: {
          mops: [
            ['r', 'x', []],
            ['r', 'y', [1]],
          ],
        },
        t2: {
          mops: [
            ['append', 'x', 1],
            ['append', 'y', 1],
          ],
        },
        t3: { mops: [['r', 'x', [1]]] },
      }),
    nearMiss: () =>
      build({
        t1: {
          mops: [
            ['r', 'x', [1]],
            ['r', 'y', [1]],
          ],
        },
        t2: {
          mops: [
            ['append', 'x', 1],
            ['append', 'y', 1],
          ],
        },
        t3: { mops: [['r', 'x', [1]]] },
      }),
  },
  {
    anomaly: 'G-nonadjacent-item',
    bad: () => build(nonadjacent([])),
    nearMiss: () => build(nonadjacent([1])),
  },
  { anomaly: 'G2-item', bad: () => build(writeSkew([])), nearMiss: () => build(writeSkew([1])) },
  {
    // t2 runs after t1 on the same process, yet misses t1's append.
    anomaly: 'G-single-item-process',
    options: { consistencyModels: ['strong-session-serializable'] },
    bad: () =>
      build(
        {
          t1: { p: 1, mops: [['append', 'x', 1]] },
          t2: { p: 1, mops: [['r', 'x', []]] },
          t3: { mops: [['r', 'x', [1]]] },
        },
        't3 t1 t1 t2 t2 t3',
      ),
    nearMiss: () =>
      build(
        {
          t1: { p: 1, mops: [['append', 'x', 1]] },
          t2: { p: 2, mops: [['r', 'x', []]] },
          t3: { mops: [['r', 'x', [1]]] },
        },
        't3 t1 t2 t1 t2 t3',
      ),
  },
  {
    anomaly: 'G-single-item-realtime',
    bad: () =>
      build(
        {
          t1: { p: 1, mops: [['append', 'x', 1]] },
          t2: { p: 2, mops: [['r', 'x', []]] },
          t3: { mops: [['r', 'x', [1]]] },
        },
        't3 t1 t1 t2 t2 t3',
      ),
    nearMiss: () =>
      build(
        {
          t1: { p: 1, mops: [['append', 'x', 1]] },
          t2: { p: 2, mops: [['r', 'x', []]] },
          t3: { mops: [['r', 'x', [1]]] },
        },
        't3 t1 t2 t1 t2 t3',
      ),
  },
  {
    // t2 began after t1 finished, yet its append is ordered before t1's.
    anomaly: 'G0-realtime',
    bad: () =>
      build(
        {
          t1: { mops: [['append', 'x', 1]] },
          t2: { mops: [['append', 'x', 2]] },
          t3: { mops: [['r', 'x', [2, 1]]] },
        },
        't3 t1 t1 t2 t2 t3',
      ),
    nearMiss: () =>
      build(
        {
          t1: { mops: [['append', 'x', 1]] },
          t2: { mops: [['append', 'x', 2]] },
          t3: { mops: [['r', 'x', [1, 2]]] },
        },
        't3 t1 t1 t2 t2 t3',
      ),
  },
  {
    anomaly: 'G0-process',
    options: { consistencyModels: ['strong-session-serializable'] },
    bad: () =>
      build(
        {
          t1: { p: 1, mops: [['append', 'x', 1]] },
          t2: { p: 1, mops: [['append', 'x', 2]] },
          t3: { mops: [['r', 'x', [2, 1]]] },
        },
        't3 t1 t1 t2 t2 t3',
      ),
    nearMiss: () =>
      build(
        {
          t1: { p: 1, mops: [['append', 'x', 1]] },
          t2: { p: 1, mops: [['append', 'x', 2]] },
          t3: { mops: [['r', 'x', [1, 2]]] },
        },
        't3 t1 t1 t2 t2 t3',
      ),
  },
  {
    // t1 read t2's append although t2 began only after t1 finished.
    anomaly: 'G1c-realtime',
    bad: () => build({ t1: { mops: [['r', 'x', [1]]] }, t2: { mops: [['append', 'x', 1]] } }, 't1 t1 t2 t2'),
    nearMiss: () =>
      build({ t1: { mops: [['r', 'x', [1]]] }, t2: { mops: [['append', 'x', 1]] } }, 't1 t2 t1 t2'),
  },
  {
    anomaly: 'G1c-process',
    options: { consistencyModels: ['strong-session-serializable'] },
    bad: () =>
      build(
        { t1: { p: 1, mops: [['r', 'x', [1]]] }, t2: { p: 1, mops: [['append', 'x', 1]] } },
        't1 t1 t2 t2',
      ),
    nearMiss: () =>
      build(
        { t1: { p: 1, mops: [['r', 'x', []]] }, t2: { p: 1, mops: [['append', 'x', 1]] } },
        't1 t1 t2 t2',
      ),
  },
  {
    // t1 finished before t2 began; t2 and t3 then write-skew around t1.
    anomaly: 'G2-item-realtime',
    bad: () =>
      build(
        {
          t1: { mops: [['append', 'x', 1]] },
          t2: {
            mops: [
              ['r', 'y', []],
              ['append', 'z', 1],
            ],
          },
          t3: {
            mops: [
              ['r', 'x', []],
              ['append', 'y', 1],
            ],
          },
          t4: {
            mops: [
              ['r', 'x', [1]],
              ['r', 'y', [1]],
            ],
          },
        },
        't3 t4 t1 t1 t2 t2 t3 t4',
      ),
    nearMiss: () =>
      build(
        {
          t1: { mops: [['append', 'x', 1]] },
          t2: {
            mops: [
              ['r', 'y', []],
              ['append', 'z', 1],
            ],
          },
          t3: {
            mops: [
              ['r', 'x', []],
              ['append', 'y', 1],
            ],
          },
          t4: {
            mops: [
              ['r', 'x', [1]],
              ['r', 'y', [1]],
            ],
          },
        },
        't3 t4 t1 t2 t1 t2 t3 t4',
      ),
  },
  {
    anomaly: 'G1a',
    bad: () => build({ t1: { type: 'fail', mops: [['append', 'x', 1]] }, t2: { mops: [['r', 'x', [1]]] } }),
    nearMiss: () =>
      build({ t1: { type: 'info', mops: [['append', 'x', 1]] }, t2: { mops: [['r', 'x', [1]]] } }),
  },
  {
    anomaly: 'G1b',
    bad: () =>
      build({
        t1: {
          mops: [
            ['append', 'x', 1],
            ['append', 'x', 2],
          ],
        },
        t2: { mops: [['r', 'x', [1]]] },
        t3: { mops: [['r', 'x', [1, 2]]] },
      }),
    nearMiss: () =>
      build({
        t1: {
          mops: [
            ['append', 'x', 1],
            ['append', 'x', 2],
          ],
        },
        t2: { mops: [['r', 'x', [1, 2]]] },
      }),
  },
  {
    anomaly: 'internal',
    bad: () =>
      build({
        t1: {
          mops: [
            ['r', 'x', []],
            ['append', 'x', 1],
            ['r', 'x', []],
          ],
        },
      }),
    nearMiss: () =>
      build({
        t1: {
          mops: [
            ['r', 'x', []],
            ['append', 'x', 1],
            ['r', 'x', [1]],
          ],
        },
      }),
  },
  {
    anomaly: 'dirty-update',
    bad: () =>
      build({
        t1: { type: 'fail', mops: [['append', 'x', 1]] },
        t2: { mops: [['append', 'x', 2]] },
        t3: { mops: [['r', 'x', [1, 2]]] },
      }),
    nearMiss: () =>
      build({
        t1: { type: 'fail', mops: [['append', 'x', 1]] },
        t2: { mops: [['append', 'x', 2]] },
        t3: { mops: [['r', 'x', [2]]] },
      }),
  },
  {
    anomaly: 'duplicate-elements',
    bad: () => build({ t1: { mops: [['append', 'x', 1]] }, t2: { mops: [['r', 'x', [1, 1]]] } }),
    nearMiss: () => build({ t1: { mops: [['append', 'x', 1]] }, t2: { mops: [['r', 'x', [1]]] } }),
  },
  {
    anomaly: 'incompatible-order',
    bad: () =>
      build({
        t1: { mops: [['append', 'x', 1]] },
        t2: { mops: [['append', 'x', 2]] },
        t3: { mops: [['r', 'x', [1, 2]]] },
        t4: { mops: [['r', 'x', [2, 1]]] },
      }),
    nearMiss: () =>
      build({
        t1: { mops: [['append', 'x', 1]] },
        t2: { mops: [['append', 'x', 2]] },
        t3: { mops: [['r', 'x', [1, 2]]] },
        t4: { mops: [['r', 'x', [1]]] },
      }),
  },
  {
    anomaly: 'lost-update',
    bad: () =>
      build({
        t1: {
          mops: [
            ['r', 'x', []],
            ['append', 'x', 1],
          ],
        },
        t2: {
          mops: [
            ['r', 'x', []],
            ['append', 'x', 2],
          ],
        },
        t3: { mops: [['r', 'x', [1, 2]]] },
      }),
    nearMiss: () =>
      build({
        t1: {
          mops: [
            ['r', 'x', []],
            ['append', 'x', 1],
          ],
        },
        t2: {
          mops: [
            ['r', 'x', [1]],
            ['append', 'x', 2],
          ],
        },
        t3: { mops: [['r', 'x', [1, 2]]] },
      }),
  },
];

describe('list-append anomalies', () => {
  for (const c of CASES) {
    it(`detects ${c.anomaly}`, () => {
      const result = check(c.bad(), c.options);
      expect(result['anomaly-types']).toContain(c.anomaly);
      expect(result.valid).toBe(false);
      for (const a of result.anomalies[c.anomaly]!) expect(a.explanation.length).toBeGreaterThan(20);
    });
    it(`does not report ${c.anomaly} in a near miss`, () => {
      const result = check(c.nearMiss(), c.options);
      // A lone transaction leaves nothing to stand on: unknown, never invalid.
      expect(result['anomaly-types'].filter((t) => t !== 'empty-transaction-graph')).toEqual([]);
      expect(result.valid).not.toBe(false);
    });
  }

  it('explains a cycle edge by edge, citing op indices', () => {
    const result = check(
      build({
        t1: {
          mops: [
            ['append', 'x', 1],
            ['r', 'y', [1]],
          ],
        },
        t2: {
          mops: [
            ['append', 'y', 1],
            ['r', 'x', [1]],
          ],
        },
      }),
    );
    const [g1c] = result.anomalies.G1c!;
    expect(g1c!.ops.sort()).toEqual([2, 3]);
    const words = g1c!.cycle!.map((e) => e.explanation);
    expect(words).toContain('T3 read key "x" = [1], which includes T2\'s append of 1, so T2 →wr T3');
    expect(words).toContain('T2 read key "y" = [1], which includes T3\'s append of 1, so T3 →wr T2');
    expect(explainElle(result)).toContain('G1c');
  });

  it('treats a completed read of nil as the empty list', () => {
    const txns = {
      t1: { mops: [['append', 'x', 1]] as Mop[] },
      t2: { mops: [['r', 'x', null]] as Mop[] },
      t3: { mops: [['r', 'x', [1]]] as Mop[] },
    };
    expect(types(build(txns, 't3 t1 t1 t2 t2 t3'))).toEqual(['G-single-item-realtime']);
    expect(types(build(txns, 't3 t1 t2 t1 t2 t3'))).toEqual([]);
  });

  it('judges anomalies by the models asked for', () => {
    const h = build(writeSkew([]));
    const si = check(h, { consistencyModels: ['snapshot-isolation'] });
    expect(si.valid).toBe(true);
    expect(si['anomaly-types']).toEqual([]); // SI does not look for G2-item
    const ser = check(h, { consistencyModels: ['serializable'] });
    expect(ser.valid).toBe(false);
    expect(ser.not).toEqual(['repeatable-read']);
    expect(ser['also-not']).toContain('serializable');
    expect(ser['also-not']).not.toContain('snapshot-isolation');
  });

  it('real-time anomalies do not matter to serializable', () => {
    const h = build({ t1: { mops: [['r', 'x', [1]]] }, t2: { mops: [['append', 'x', 1]] } }, 't1 t1 t2 t2');
    expect(check(h, { consistencyModels: ['serializable'] }).valid).toBe(true);
    expect(types(h)).toEqual(['G1c-realtime']);
  });

  it('rejects an unknown model and a malformed micro-op as bad input', () => {
    const h = build({ t1: { mops: [['append', 'x', 1]] } });
    expect(() => check(h, { consistencyModels: ['serialisable'] })).toThrow(InputError);
    expect(() => check(build({ t1: { mops: [['inc', 'x', 1]] } }))).toThrow(/value\[0\]\[0\]/);
  });

  it('gives unknown, not a hang, when the time limit cuts the cycle search short', () => {
    // A ww chain T0 → … → Tn on key a; Tn read n empty keys b_j that X_j appended to, and
    // each X_j read a empty: n cycles Tn →rw X_j →rw T0 →ww … Tn, all with adjacent rw
    // edges. Looking for G-nonadjacent (absent) costs a walk of the chain per X_j.
    const n = 20_000;
    const txns: Record<string, TxnSpec> = {};
    for (let i = 0; i <= n; i++) txns[`t${i}`] = { mops: [['append', 'a', i]] };
    txns[`t${n}`]!.mops.push(...Array.from({ length: n }, (_, j): Mop => ['r', `b${j}`, []]));
    for (let j = 0; j < n; j++) {
      txns[`x${j}`] = {
        mops: [
          ['r', 'a', []],
          ['append', `b${j}`, 1],
        ],
      };
    }
    txns.reader = {
      mops: [
        ['r', 'a', Array.from({ length: n + 1 }, (_, i) => i)],
        ...Array.from({ length: n }, (_, j): Mop => ['r', `b${j}`, [1]]),
      ],
    };
    const h = build(txns);
    const started = Date.now();
    const limited = check(h, { timeLimitMs: 300, consistencyModels: ['snapshot-isolation'] });
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(limited.valid).toBe('unknown');
    expect(limited.reason).toMatch(/cut short/);
    // Asked about serializability instead, a G2-item turns up at once.
    const ser = check(h, { consistencyModels: ['serializable'] });
    // Like Elle, every data cycle kind is searched; the G-nonadjacent-item search is cut short.
    expect(ser['anomaly-types']).toEqual(['G2-item', 'cycle-search-timeout']);
    expect(ser.valid).toBe(false);
  });

  it('stops at the time limit with unknown', () => {
    const h = build({
      t1: {
        mops: [
          ['append', 'x', 1],
          ['r', 'y', [1]],
        ],
      },
      t2: {
        mops: [
          ['append', 'y', 1],
          ['r', 'x', [1]],
        ],
      },
    });
    const result = check(h, { timeLimitMs: 0 });
    expect(result.anomalies['cycle-search-timeout']![0]!.explanation).toMatch(/time limit/);
    // As Elle, the components still prove a forbidden cycle exists: invalid, not unknown.
    expect(result['anomaly-types']).toEqual(['PL-2-cycle-exists', 'cycle-search-timeout']);
    expect(result.valid).toBe(false);
    expect(result.not).toEqual(['read-committed']);
  });
});
