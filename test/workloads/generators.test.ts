import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { simulate } from '../../src/generator/index.js';
import type { Op } from '../../src/history/op.js';
import { applyMicroOps, keysOf, type MicroOp, txnGenerator } from '../../workloads/append.js';
import { holdCycle } from '../../workloads/lock.js';
import { decodeValue, encodeValue, registerGenerator } from '../../workloads/register.js';
import { setGenerator } from '../../workloads/set.js';

const invokes = (ops: Op[]) => ops.filter((o) => o.type === 'invoke' && o.process !== 'nemesis');

describe('register generator', () => {
  it('emits read, write and cas on keys, each key retired after opsPerKey ops', () => {
    const ops = invokes(
      simulate(registerGenerator({ keys: 3, opsPerKey: 10 }), {
        concurrency: 4,
        seed: 7,
        nemesis: false,
        maxOps: 300,
      }),
    );
    expect(ops).toHaveLength(300);
    const perKey = new Map<unknown, number>();
    for (const op of ops) {
      perKey.set(op.key, (perKey.get(op.key) ?? 0) + 1);
      if (op.f === 'read') expect(op.value).toBeNull();
      else if (op.f === 'write') expect(op.value).toBeTypeOf('number');
      else {
        expect(op.f).toBe('cas');
        expect(op.value).toHaveLength(2);
      }
    }
    for (const n of perKey.values()) expect(n).toBeLessThanOrEqual(10);
    expect(perKey.size).toBeGreaterThanOrEqual(30);
    expect(new Set(ops.map((o) => o.f))).toEqual(new Set(['read', 'write', 'cas']));
  });

  it('is deterministic under a seed', () => {
    const run = (seed: number) =>
      invokes(simulate(registerGenerator({}), { concurrency: 3, seed, nemesis: false, maxOps: 50 })).map(
        (o) => [o.f, o.key, o.value],
      );
    expect(run(1)).toEqual(run(1));
    expect(run(1)).not.toEqual(run(2));
  });

  it('rejects bad options with the field named', () => {
    expect(() => registerGenerator({ keys: -1 })).toThrow(InputError);
    expect(() => registerGenerator({ opsPerKey: 'many' })).toThrow(
      expect.objectContaining({ location: { field: 'workloadOptions.opsPerKey' } }),
    );
  });

  it('pads values to the value size and reads them back', () => {
    expect(encodeValue(3, 0)).toBe('3');
    expect(encodeValue(3, 16)).toHaveLength(16);
    expect(decodeValue(encodeValue(4, 100))).toBe(4);
    expect(decodeValue(null)).toBeNull();
    expect(decodeValue('garbage')).toBeNull();
  });
});

describe('set generator', () => {
  it('adds unique integers, with reads only when asked', () => {
    const adds = invokes(
      simulate(setGenerator(false), { concurrency: 5, seed: 3, nemesis: false, maxOps: 200 }),
    );
    expect(adds.every((o) => o.f === 'add')).toBe(true);
    expect(new Set(adds.map((o) => o.value)).size).toBe(200);
    const mixed = invokes(
      simulate(setGenerator(true), { concurrency: 5, seed: 3, nemesis: false, maxOps: 500 }),
    );
    const reads = mixed.filter((o) => o.f === 'read').length;
    expect(reads).toBeGreaterThan(10);
    expect(reads).toBeLessThan(150);
  });
});

describe('transaction generator and micro-op semantics', () => {
  it('writes each key with fresh values and retires keys', () => {
    const ops = invokes(
      simulate(txnGenerator({ keys: 2, maxWritesPerKey: 5, maxTxnLength: 3 }, 'append'), {
        concurrency: 3,
        seed: 11,
        nemesis: false,
        maxOps: 200,
      }),
    );
    const seen = new Set<string>();
    for (const op of ops) {
      expect(op.f).toBe('txn');
      const mops = op.value as MicroOp[];
      expect(mops.length).toBeGreaterThanOrEqual(1);
      expect(mops.length).toBeLessThanOrEqual(3);
      for (const [f, k, v] of mops) {
        if (f === 'r') expect(v).toBeNull();
        else {
          expect(f).toBe('append');
          const id = `${k}/${String(v)}`;
          expect(seen.has(id)).toBe(false);
          seen.add(id);
          expect(v as number).toBeLessThanOrEqual(5);
        }
      }
    }
    expect(new Set(ops.flatMap((o) => (o.value as MicroOp[]).map((m) => m[1]))).size).toBeGreaterThan(2);
  });

  it('reads see the transaction’s own earlier appends and writes', () => {
    const snapshot = new Map([
      ['k/1', '[1,2]'],
      ['k/2', null],
    ]);
    const mops: MicroOp[] = [
      ['r', 1, null],
      ['append', 1, 3],
      ['r', 1, null],
      ['append', 2, 1],
      ['r', 2, null],
    ];
    const plan = applyMicroOps(mops, snapshot, (k) => `k/${k}`);
    expect(plan.value).toEqual([
      ['r', 1, [1, 2]],
      ['append', 1, 3],
      ['r', 1, [1, 2, 3]],
      ['append', 2, 1],
      ['r', 2, [1]],
    ]);
    expect(Object.fromEntries(plan.writes)).toEqual({ 'k/1': '[1,2,3]', 'k/2': '[1]' });
    expect(keysOf(mops)).toEqual([1, 2]);
    const wr = applyMicroOps(
      [
        ['r', 5, null],
        ['w', 5, 9],
        ['r', 5, null],
      ],
      new Map([['k/5', '4']]),
      (k) => `k/${k}`,
    );
    expect(wr.value).toEqual([
      ['r', 5, 4],
      ['w', 5, 9],
      ['r', 5, 9],
    ]);
    expect(applyMicroOps([['r', 1, null]], snapshot, (k) => `k/${k}`).writes.size).toBe(0);
  });
});

describe('hold cycle (lock, election)', () => {
  it('gives back only after an ok take, and never twice in a row per process', () => {
    const history = simulate(holdCycle('acquire', 'release', { holdMs: 10, gapMs: 5 }), {
      concurrency: 3,
      seed: 5,
      nemesis: false,
      maxOps: 200,
      outcome: (op, random) => (op.f === 'acquire' && random() < 0.5 ? 'fail' : 'ok'),
    });
    const last = new Map<unknown, Op>();
    for (const op of history) {
      if (op.type === 'invoke') {
        const prev = last.get(op.process);
        if (op.f === 'release') expect(prev).toMatchObject({ f: 'acquire', type: 'ok' });
        if (op.f === 'acquire' && prev) expect(prev.f === 'release' || prev.type !== 'ok').toBe(true);
      } else last.set(op.process, op);
    }
    expect(history.filter((o) => o.type === 'invoke' && o.f === 'release').length).toBeGreaterThan(10);
  });
});
