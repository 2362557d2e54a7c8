/**
 * The unobserved-append rule (Elle's): an append no read saw came after every element of
 * its key's longest read. So a final read of every key must not be needed to find what the
 * rule can infer. When each key has at most one append no read saw, the final read adds
 * nothing the rule did not already know: the findings must be the same. Whatever the
 * history, the final read can only rule out more models, never fewer.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Isolation, simulateListAppend } from '../../bench/elle.js';
import { checkListAppend, type ElleResult } from '../../checkers/elle/index.js';
import { History, type Op } from '../../src/history/index.js';

type Mop = [string, unknown, unknown];

const store = fc.record({
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  transactions: fc.integer({ min: 2, max: 80 }),
  concurrency: fc.integer({ min: 3, max: 10 }),
  activeKeys: fc.integer({ min: 1, max: 3 }),
  maxWritesPerKey: fc.integer({ min: 1, max: 6 }),
  failRate: fc.constantFrom(0, 0.1),
  infoRate: fc.constantFrom(0, 0.1),
  isolation: fc.constantFrom<Isolation>('snapshot-isolation', 'strict-serializable'),
  /** Inject a write skew no later read shows (two transactions miss each other's append). */
  skew: fc.boolean(),
});

/** Appends two concurrent transactions that each read keys a and b empty and append to one. */
function injectSkew(ops: Op[], a: string, b: string): Op[] {
  const out = [...ops];
  const emit = (type: Op['type'], process: number, value: Mop[]) =>
    out.push({ index: out.length, time: out.length, type, process, f: 'txn', value });
  const txn = (reads: unknown, key: string): Mop[] => [
    ['r', a, reads],
    ['r', b, reads],
    ['append', key, 1],
  ];
  emit('invoke', 1_000_001, txn(null, a));
  emit('invoke', 1_000_002, txn(null, b));
  emit('ok', 1_000_001, txn([], a));
  emit('ok', 1_000_002, txn([], b));
  return out;
}

/** The simulated history, with the fault injected, without and with a final read of every key. */
function histories(options: { skew: boolean } & Parameters<typeof simulateListAppend>[0]): [Op[], Op[]] {
  const ops = simulateListAppend(options);
  const plus = simulateListAppend({ ...options, finalRead: true });
  if (!options.skew) return [ops, plus];
  const [invoke, ok] = plus.splice(-2) as [Op, Op];
  const withSkew = injectSkew(plus, 'skew-a', 'skew-b');
  const reads = (v: unknown): Mop[] => [
    ['r', 'skew-a', v],
    ['r', 'skew-b', v],
  ];
  withSkew.push(
    { ...invoke, index: withSkew.length, value: [...(invoke.value as Mop[]), ...reads(null)] },
    { ...ok, index: withSkew.length + 1, value: [...(ok.value as Mop[]), ...reads([1])] },
  );
  return [injectSkew(ops, 'skew-a', 'skew-b'), withSkew];
}

/** The most appends no read saw on one key (ok and info appends, against every ok read). */
function mostUnobserved(ops: Op[]): number {
  const seen = new Set<string>();
  for (const op of ops) {
    if (op.type !== 'ok') continue;
    for (const [f, k, v] of op.value as Mop[]) {
      if (f === 'r') for (const x of (v as unknown[] | null) ?? []) seen.add(`${k}/${x}`);
    }
  }
  const unseen = new Map<unknown, number>();
  const history = History.from(ops);
  ops.forEach((op, i) => {
    if (op.type !== 'invoke') return;
    const end = history.partnerOf(i);
    if (end === -1 || ops[end]!.type === 'fail') return;
    for (const [f, k, v] of op.value as Mop[]) {
      if (f === 'append' && !seen.has(`${k}/${v}`)) unseen.set(k, (unseen.get(k) ?? 0) + 1);
    }
  });
  return Math.max(0, ...unseen.values());
}

const found = (r: ElleResult) =>
  [...r['anomaly-types'], ...r['other-anomaly-types']].filter((t) => t !== 'empty-transaction-graph');
const ruledOut = (r: ElleResult) => [...r.not, ...r['also-not']];

describe('the unobserved-append rule', () => {
  it('finds without a final read what the final read would show, when the rule can tell', () => {
    let decided = 0;
    let withAnomalies = 0;
    fc.assert(
      fc.property(store, (options) => {
        const [ops, plus] = histories(options);
        const models = { consistencyModels: ['serializable'] };
        const without = checkListAppend(History.from(ops), models);
        const withRead = checkListAppend(History.from(plus), models);
        // Never fewer models ruled out with more information.
        for (const m of ruledOut(without)) expect(ruledOut(withRead)).toContain(m);
        if (mostUnobserved(ops) > 1) return;
        decided++;
        if (found(withRead).length > 0) withAnomalies++;
        expect(found(without)).toEqual(found(withRead));
        expect(without.not).toEqual(withRead.not);
      }),
      { numRuns: 400 },
    );
    // The property must have had something to say: histories the rule decided, anomalies among them.
    expect(decided).toBeGreaterThan(30);
    expect(withAnomalies).toBeGreaterThan(10);
  });
});
