import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { History, type Op } from '../../src/history/index.js';

let t = 0;
function op(process: Op['process'], type: Op['type'], f: string, value: unknown, key?: unknown): Op {
  return { index: -1, time: t++, process, type, f, value, ...(key === undefined ? {} : { key }) };
}

describe('History', () => {
  it('pairs invocations with completions in O(1) and treats open invocations as info', () => {
    const h = History.from([
      op(0, 'invoke', 'write', 1),
      op(1, 'invoke', 'read', null),
      op(0, 'ok', 'write', 1),
      op('nemesis', 'info', 'start-partition', 'halves'),
      op(1, 'ok', 'read', 1),
      op(2, 'invoke', 'cas', [1, 2]),
    ]);
    expect(h.ops.map((o) => o.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(h.completionOf(0)?.index).toBe(2);
    expect(h.invocationOf(4)?.index).toBe(1);
    expect(h.completionOf(3)).toBeUndefined();
    const pairs = [...h.pairs()];
    expect(pairs.map((p) => p.type)).toEqual(['ok', 'ok', 'info']);
    expect(h.incomplete().map((o) => o.index)).toEqual([5]);
    expect(h.nemesisOps()).toHaveLength(1);
  });

  it('gives per-process and per-key views that keep original indices', () => {
    const h = History.from([
      op(0, 'invoke', 'put', 'a', 'x'),
      op(1, 'invoke', 'put', 'b', 'y'),
      op(1, 'ok', 'put', 'b', 'y'),
      op(0, 'ok', 'put', 'a', 'x'),
    ]);
    const byKey = h.partition((o) => o.key);
    expect([...byKey.keys()]).toEqual(['x', 'y']);
    const x = byKey.get('x')!;
    expect(x.ops.map((o) => o.index)).toEqual([0, 3]);
    expect(x.completionOf(0)?.index).toBe(3);
    expect(
      h
        .byProcess()
        .get(1)!
        .ops.map((o) => o.index),
    ).toEqual([1, 2]);
  });

  it('rejects a process that invokes twice, or again after crashing', () => {
    expect(() => History.from([op(0, 'invoke', 'read', null), op(0, 'invoke', 'read', null)])).toThrow(
      /still open/,
    );
    expect(() =>
      History.from([
        op(0, 'invoke', 'read', null),
        op(0, 'info', 'read', null),
        op(0, 'invoke', 'read', null),
      ]),
    ).toThrow(/fresh id/);
    expect(() => History.from([op(0, 'ok', 'read', null)])).toThrow(InputError);
    expect(() => History.from([op(0, 'invoke', 'read', null), op(0, 'ok', 'write', 1)])).toThrow(/field f/);
  });

  it('names the file and line when a locator is given', () => {
    try {
      History.from([op(0, 'ok', 'read', null)], { locate: (i) => ({ file: 'h.jsonl', line: i + 1 }) });
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).toBe(
        'h.jsonl:1: field type: completion (ok) of process 0 has no open invocation',
      );
    }
  });
});
