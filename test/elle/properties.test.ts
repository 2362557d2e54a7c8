import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { random, simulateListAppend } from '../../bench/elle.js';
import { checkListAppend, checkRwRegister } from '../../checkers/elle/index.js';
import { History, type Op } from '../../src/history/index.js';

const store = fc.record({
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  transactions: fc.integer({ min: 1, max: 400 }),
  concurrency: fc.integer({ min: 1, max: 10 }),
  activeKeys: fc.integer({ min: 1, max: 8 }),
  maxWritesPerKey: fc.integer({ min: 1, max: 40 }),
  failRate: fc.constantFrom(0, 0.05, 0.2),
  infoRate: fc.constantFrom(0, 0.05, 0.2),
});

/** Two concurrent transactions that each read x and y empty and append to one of them, then a reader. */
function writeSkew(after: Op[]): Op[] {
  const ops = [...after];
  const push = (type: Op['type'], process: number, value: unknown) =>
    ops.push({ index: ops.length, time: ops.length, type, process, f: 'txn', value });
  const t = (reads: unknown[], key: string) => [
    ['r', 'ws-x', reads[0]],
    ['r', 'ws-y', reads[1]],
    ['append', key, 1],
  ];
  push('invoke', 100_001, t([null, null], 'ws-x'));
  push('invoke', 100_002, t([null, null], 'ws-y'));
  push('ok', 100_001, t([[], []], 'ws-x'));
  push('ok', 100_002, t([[], []], 'ws-y'));
  push('invoke', 100_003, [
    ['r', 'ws-x', null],
    ['r', 'ws-y', null],
  ]);
  push('ok', 100_003, [
    ['r', 'ws-x', [1]],
    ['r', 'ws-y', [1]],
  ]);
  return ops;
}

describe('Elle list-append on simulated stores', () => {
  it('a strict-serializable store always checks valid under strict-serializable', () => {
    fc.assert(
      fc.property(store, (options) => {
        const history = History.from(simulateListAppend({ ...options, isolation: 'strict-serializable' }));
        const result = checkListAppend(history, { consistencyModels: ['strict-serializable'] });
        expect(result['anomaly-types'].filter((t) => t !== 'empty-transaction-graph')).toEqual([]);
        expect(result.valid).toBe(result.edges > 0 ? true : 'unknown');
      }),
      { numRuns: 150 },
    );
  });

  it('a snapshot-isolation store checks valid under snapshot-isolation', () => {
    fc.assert(
      fc.property(store, (options) => {
        const history = History.from(simulateListAppend({ ...options, isolation: 'snapshot-isolation' }));
        const result = checkListAppend(history, { consistencyModels: ['snapshot-isolation'] });
        expect(result.valid).toBe(result.edges > 0 ? true : 'unknown');
      }),
      { numRuns: 150 },
    );
  });

  it('write skew on a snapshot-isolation store is G2-item: not serializable, still snapshot isolation', () => {
    fc.assert(
      fc.property(store, (options) => {
        const ops = writeSkew(simulateListAppend({ ...options, isolation: 'snapshot-isolation' }));
        const history = History.from(ops);
        const serializable = checkListAppend(history, { consistencyModels: ['serializable'] });
        expect(serializable['anomaly-types']).toContain('G2-item');
        expect(serializable.valid).toBe(false);
        const ruledOut = [...serializable.not, ...serializable['also-not']];
        expect(ruledOut).toContain('serializable');
        expect(ruledOut).not.toContain('snapshot-isolation');
        expect(checkListAppend(history, { consistencyModels: ['snapshot-isolation'] }).valid).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('a snapshot-isolation store with contention is caught under serializable (the checker can fail)', () => {
    // Over many seeds, SI's write skews among random transactions show up as G2-item.
    let caught = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const ops = simulateListAppend({
        transactions: 300,
        concurrency: 8,
        activeKeys: 3,
        maxWritesPerKey: 1000,
        isolation: 'snapshot-isolation',
        seed,
      });
      const result = checkListAppend(History.from(ops), { consistencyModels: ['serializable'] });
      if (result.valid === false) caught++;
    }
    expect(caught).toBeGreaterThan(0);
  });
});

/** A register store whose transactions take effect atomically at completion; writes are unique per key. */
function registerStore(seed: number, transactions: number, concurrency: number, keys: number): Op[] {
  const rand = random(seed);
  const state = new Map<number, number>();
  let nextValue = 1;
  const ops: Op[] = [];
  const pending: (unknown[][] | undefined)[] = new Array(concurrency).fill(undefined);
  const processes = Array.from({ length: concurrency }, (_, i) => i);
  let nextProcess = concurrency;
  let invoked = 0;
  const emit = (type: Op['type'], process: number, value: unknown) =>
    ops.push({ index: ops.length, time: ops.length, type, process, f: 'txn', value });
  while (invoked < transactions || pending.some((p) => p)) {
    const w = Math.floor(rand() * concurrency);
    const mops = pending[w];
    if (!mops) {
      if (invoked >= transactions) continue;
      invoked++;
      const txn = Array.from({ length: 1 + Math.floor(rand() * 4) }, () => {
        const k = Math.floor(rand() * keys);
        return rand() < 0.5 ? ['r', k, null] : ['w', k, nextValue++];
      });
      pending[w] = txn;
      emit('invoke', processes[w]!, txn);
      continue;
    }
    pending[w] = undefined;
    const roll = rand();
    if (roll < 0.1) {
      emit('fail', processes[w]!, mops);
      continue;
    }
    const apply = roll >= 0.2 || rand() < 0.5;
    const done = mops.map(([f, k, v]) => {
      if (f === 'r') return [f, k, state.get(k as number) ?? null];
      if (apply) state.set(k as number, v as number);
      return [f, k, v];
    });
    if (roll < 0.2) {
      emit('info', processes[w]!, mops);
      processes[w] = nextProcess++;
    } else emit('ok', processes[w]!, done);
  }
  return ops;
}

describe('Elle rw-register on a simulated store', () => {
  it('a strict-serializable register store always checks valid under strict-serializable', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 6 }),
        (seed, transactions, concurrency, keys) => {
          const history = History.from(registerStore(seed, transactions, concurrency, keys));
          const result = checkRwRegister(history, { consistencyModels: ['strict-serializable'] });
          expect(result['anomaly-types'].filter((t) => t !== 'empty-transaction-graph')).toEqual([]);
          expect(result.valid).toBe(result.edges > 0 ? true : 'unknown');
        },
      ),
      { numRuns: 150 },
    );
  });
});
