import { describe, expect, it } from 'vitest';
import { bankChecker, checkBank } from '../../checkers/bank.js';
import { type Event, history } from './build.js';

const read = (p: number, balances: unknown): Event[] => [
  [p, 'invoke', 'read'],
  [p, 'ok', 'read', balances],
];
const transfer = (
  p: number,
  from: number,
  to: number,
  amount: number,
  outcome: 'ok' | 'fail' = 'ok',
): Event[] => [
  [p, 'invoke', 'transfer', { from, to, amount }],
  [p, outcome, 'transfer', { from, to, amount }],
];

describe('bank', () => {
  it('accepts reads that keep the total, as JSON objects or Maps', () => {
    const events = [
      ...read(0, { 0: 50, 1: 50 }),
      ...transfer(1, 0, 1, 10),
      ...read(
        0,
        new Map([
          [0, 40],
          [1, 60],
        ]),
      ),
      ...transfer(1, 1, 0, 5, 'fail'),
    ];
    const r = checkBank(history(events), { total: 100, accounts: [0, 1] });
    expect(r.valid).toBe(true);
    expect(r).toMatchObject({ readCount: 2, errorCount: 0, transfers: { ok: 1, fail: 1, info: 0 } });
  });

  it('reports a read with the wrong total, with the lowest and highest', () => {
    const events = [...read(0, { a: 50, b: 50 }), ...read(0, { a: 40, b: 50 }), ...read(0, { a: 70, b: 50 })];
    const r = checkBank(history(events), { total: 100 });
    expect(r.valid).toBe(false);
    expect(r.errors['wrong-total']).toMatchObject({
      count: 2,
      lowest: { read: 3, total: 90 },
      highest: { read: 5, total: 120 },
    });
    expect(r.errors['wrong-total']?.worst.read).toBe(5);
    expect(r.firstError).toMatchObject({ type: 'wrong-total', read: 3 });
    expect(bankChecker.explain?.(r)).toContain('wrong-total: 2 reads');
  });

  it('takes the total and accounts most reads show when not told, not the first read', () => {
    const events = [...read(0, { a: 10, b: 80 }), ...read(0, { a: 50, b: 50 }), ...read(0, { a: 30, b: 70 })];
    const r = checkBank(history(events));
    expect(r).toMatchObject({ total: 100, totalInferred: true, accounts: ['a', 'b'], errorCount: 1 });
    expect(r.firstError?.read).toBe(1);
  });

  it('rejects negative balances unless allowed', () => {
    const events = read(0, { a: -10, b: 110 });
    const r = checkBank(history(events), { total: 100 });
    expect(r.errors['negative-balance']?.first).toMatchObject({ accounts: ['a'], total: -10 });
    expect(checkBank(history(events), { total: 100, negativeBalancesAllowed: true }).valid).toBe(true);
  });

  it('reports unexpected, missing and nil accounts', () => {
    const events = [
      ...read(0, { a: 50, b: 50 }),
      ...read(0, { a: 50, c: 50 }),
      ...read(0, { a: 50, b: null }),
    ];
    const r = checkBank(history(events), { accounts: ['a', 'b'], total: 100 });
    expect(r.errors['unexpected-account']?.first).toMatchObject({ read: 3, accounts: ['c'] });
    expect(r.errors['missing-account']?.first).toMatchObject({ read: 3, accounts: ['b'] });
    expect(r.errors['nil-balance']?.first).toMatchObject({ read: 5, accounts: ['b'] });
    expect(r.errors['wrong-total']).toBeUndefined();
  });

  it('reads EDN-shaped maps with keyword accounts', () => {
    const edn = {
      map: [
        [{ key: 'a' }, 60],
        [{ key: 'b' }, 40],
      ],
    };
    expect(checkBank(history(read(0, edn)), { accounts: ['a', 'b'], total: 100 }).valid).toBe(true);
  });

  it('is unknown without reads, and rejects non-map reads', () => {
    expect(checkBank(history(transfer(0, 0, 1, 1))).valid).toBe('unknown');
    expect(() => checkBank(history(read(0, [1, 2])))).toThrow(/op 1/);
  });
});
