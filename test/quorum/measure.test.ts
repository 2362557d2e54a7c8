/**
 * The quorum measurements on hand-built histories: a healthy split (majority writes, minority
 * times out), a split-brain (both sides acknowledge at once), a crash beyond the quorum, and a
 * side that never tried to write (unknown, not "not writable").
 */
import { describe, expect, it } from 'vitest';
import type { Op } from '../../src/history/op.js';
import type { QuorumCase } from '../../src/quorum/matrix.js';
import { measureCase, overlapping } from '../../src/quorum/measure.js';
import type { CaseOutcome } from '../../src/quorum/run-case.js';
import { summarize } from '../../src/quorum/summary.js';
import { markdownTable } from '../../src/quorum/table.js';

const S = 1e9;

class HistoryBuilder {
  readonly ops: Op[] = [];
  private process = 0;
  private add(op: Omit<Op, 'index'>): void {
    this.ops.push({ index: this.ops.length, ...op } as Op);
  }
  nemesis(f: string, at: number, done: number, value: unknown): this {
    this.add({ time: at * S, type: 'invoke', process: 'nemesis', f, value: null });
    this.add({ time: done * S, type: 'info', process: 'nemesis', f, value });
    return this;
  }
  /** A write on `node` from `at` to `done` s, completing as `type`. */
  write(node: string, at: number, done: number, type: 'ok' | 'info' | 'fail'): this {
    const process = this.process++;
    this.add({ time: at * S, type: 'invoke', process, f: 'write', value: 1, node, key: 0 });
    this.add({ time: done * S, type, process, f: 'write', value: 1, node, key: 0 });
    return this;
  }
  build(): Op[] {
    return [...this.ops].sort((a, b) => a.time - b.time).map((op, index) => ({ ...op, index }));
  }
}

const NODES3 = ['n1', 'n2', 'n3'];
const split = (components: string[][]) => ({ kind: 'explicit', components });

describe('measureCase', () => {
  it('a healthy 1|2 split: the majority writes, the minority tries and cannot', () => {
    const ops = new HistoryBuilder()
      .write('n1', 1, 1.1, 'ok')
      .nemesis('start-partition', 2, 3, split([['n1'], ['n2', 'n3']]))
      .write('n1', 3.5, 6.5, 'info')
      .write('n2', 3.5, 3.6, 'ok')
      .write('n3', 4, 4.2, 'ok')
      .nemesis('elected', 3.4, 3.4, { leaders: ['n2'] })
      .nemesis('stop-partition', 8, 9, {})
      .write('n1', 9.5, 9.7, 'ok')
      .build();
    const m = measureCase(ops, NODES3);
    expect(m.problem).toBeUndefined();
    expect(m.sides.map((s) => [s.nodes, s.writable, s.attempted, s.acknowledged])).toEqual([
      [['n1'], 'no', 1, 0],
      [['n2', 'n3'], 'yes', 2, 2],
    ]);
    expect(m.splitBrain).toBe(false);
    expect(m.heldS).toBeCloseTo(5);
    expect(m.electedAfterS).toBeCloseTo(0.4);
    expect(m.firstWriteAfterFaultS).toBeCloseTo(0.6);
    expect(m.firstWriteAfterHealS).toBeCloseTo(0.7);
  });

  it('split-brain: both sides acknowledge writes in overlapping windows', () => {
    const ops = new HistoryBuilder()
      .nemesis('start-partition', 1, 1.5, split([['n1'], ['n2']]))
      .write('n1', 2, 2.1, 'ok')
      .write('n2', 2.05, 2.2, 'ok')
      .write('n1', 4, 4.1, 'ok')
      .nemesis('stop-partition', 5, 5.5, {})
      .build();
    const m = measureCase(ops, ['n1', 'n2']);
    expect(m.sides.every((s) => s.writable === 'yes')).toBe(true);
    expect(m.splitBrain).toBe(true);
  });

  it('a write acknowledged after the heal does not make its side writable during the fault', () => {
    const ops = new HistoryBuilder()
      .nemesis('start-partition', 1, 1.5, split([['n1'], ['n2', 'n3']]))
      .write('n1', 2, 5.2, 'ok')
      .write('n2', 2, 2.1, 'ok')
      .nemesis('stop-partition', 5, 5.1, {})
      .build();
    const m = measureCase(ops, NODES3);
    expect(m.sides[0]).toMatchObject({ nodes: ['n1'], writable: 'no', attempted: 1, acknowledged: 0 });
    expect(m.splitBrain).toBe(false);
  });

  it('a crash: the live nodes are the one side; a side that tried nothing is unknown', () => {
    const ops = new HistoryBuilder()
      .nemesis('kill', 1, 1.2, { nodes: ['n1', 'n2'] })
      .write('n1', 2, 2.01, 'fail')
      .nemesis('start', 5, 5.5, { nodes: ['n1', 'n2'] })
      .build();
    const m = measureCase(ops, NODES3);
    expect(m.down).toEqual(['n1', 'n2']);
    expect(m.sides).toEqual([{ nodes: ['n3'], attempted: 0, acknowledged: 0, writable: 'unknown' }]);
  });

  it('no fault op: a problem, not a measurement', () => {
    const m = measureCase(new HistoryBuilder().write('n1', 1, 1.1, 'ok').build(), NODES3);
    expect(m.problem).toMatch(/no fault/);
  });

  it('overlapping windows', () => {
    expect(
      overlapping([
        [0, 1],
        [1, 2],
      ]),
    ).toBe(true);
    expect(overlapping([[0, 1], undefined, [1.5, 2]])).toBe(false);
  });
});

describe('summarize', () => {
  const outcome = (
    c: QuorumCase,
    ops: Op[],
    nodes: string[],
    linearizable: true | false = true,
  ): CaseOutcome => ({
    case: c,
    dir: `/r/cases/${c.id}/t`,
    linearizable,
    measurement: measureCase(ops, nodes),
    ops: ops.length,
    versions: ['3.4.23'],
    durationS: 20,
  });

  it('a healthy 3-node ensemble matches theory and is valid', () => {
    const crash1 = new HistoryBuilder()
      .nemesis('kill', 1, 1.1, { nodes: ['n1'] })
      .write('n2', 1.5, 1.6, 'ok')
      .nemesis('start', 4, 4.5, { nodes: ['n1'] })
      .build();
    const crash2 = new HistoryBuilder()
      .nemesis('kill', 1, 1.1, { nodes: ['n1', 'n2'] })
      .write('n3', 1.5, 4.5, 'info')
      .nemesis('start', 5, 5.5, { nodes: ['n1', 'n2'] })
      .write('n3', 6, 6.5, 'ok')
      .build();
    const s = summarize(
      [
        outcome({ id: 'n3-crash-1', size: 3, fault: { kind: 'crash', count: 1 } }, crash1, NODES3),
        outcome({ id: 'n3-crash-2', size: 3, fault: { kind: 'crash', count: 2 } }, crash2, NODES3),
      ],
      (dir) => dir.replace('/r/', ''),
    );
    expect(s.verdict).toBe('valid');
    expect(s.sizes[0]).toMatchObject({
      size: 3,
      quorum: 2,
      tolerated: 1,
      measuredTolerated: 1,
      mismatches: 0,
    });
    expect(s.sizes[0]?.recoveryS).toBeCloseTo(1);
    expect(s.cases[1]?.run).toBe('cases/n3-crash-2/t');
    expect(s.findings).toEqual([]);
    // Every row of the table has as many cells as the header.
    const cells = markdownTable(s)
      .split('\n')
      .map((line) => line.split(/(?<!\\)\|/).length);
    expect(new Set(cells).size).toBe(1);
    expect(markdownTable(s)).toContain('| 3 | 2 | 1 | 1 |');
  });

  it('split-brain and a writable minority are invalid findings', () => {
    const ops = new HistoryBuilder()
      .nemesis('start-partition', 1, 1.5, split([['n1'], ['n2']]))
      .write('n1', 2, 2.1, 'ok')
      .write('n2', 2, 2.1, 'ok')
      .nemesis('stop-partition', 5, 5.5, {})
      .build();
    const s = summarize(
      [outcome({ id: 'n2-split-1', size: 2, fault: { kind: 'split', minority: 1 } }, ops, ['n1', 'n2'])],
      (d) => d,
    );
    expect(s.verdict).toBe('invalid');
    expect(s.cases[0]).toMatchObject({
      splitBrain: true,
      mismatch: 'writable-without-quorum',
      safety: 'invalid',
    });
    expect(s.sizes[0]?.splits).toEqual([
      { split: '1|1', writableSides: '1 and 1', expected: 'none', splitBrain: true },
    ]);
    expect(s.findings.join('\n')).toMatch(/split-brain/);
    expect(markdownTable(s)).toContain('1\\|1: 1 and 1 !');
  });

  it('a site layout gets a plain sentence', () => {
    const loss = (site: number, down: string[]) =>
      outcome(
        {
          id: `n4-2:2-site-${site}-loss`,
          size: 4,
          sites: [2, 2],
          fault: { kind: 'site-loss', site: site - 1 },
        },
        new HistoryBuilder()
          .nemesis('kill', 1, 1.1, { nodes: down })
          .write(down[0] === 'n1' ? 'n3' : 'n1', 1.5, 4.5, 'info')
          .nemesis('start', 5, 5.5, {})
          .build(),
        ['n1', 'n2', 'n3', 'n4'],
      );
    const s = summarize([loss(1, ['n1', 'n2']), loss(2, ['n3', 'n4'])], (d) => d);
    expect(s.layouts.map((l) => l.sentence)).toEqual(['2+2: the loss of either site stops all writes']);
  });
});
