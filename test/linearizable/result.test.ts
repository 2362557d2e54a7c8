import { describe, expect, it } from 'vitest';
import { checkLinearizableSync, explain } from '../../checkers/linearizable/index.js';
import { history } from './helpers.js';

describe('result', () => {
  // Two keys; key "b" is fine, key "a" reads a value that was overwritten before the read began.
  const h = history([
    [0, 'invoke', 'put', 'x', 'a'],
    [1, 'invoke', 'put', 'y', 'b'],
    [0, 'ok', 'put', 'x', 'a'],
    [1, 'ok', 'put', 'y', 'b'],
    [0, 'invoke', 'put', 'z', 'a'],
    [0, 'ok', 'put', 'z', 'a'],
    [2, 'invoke', 'get', null, 'a'],
    [3, 'invoke', 'append', 'w', 'a'],
    [2, 'ok', 'get', 'x', 'a'],
    [3, 'info', 'append', 'w', 'a'],
  ]);

  it('names the op that cannot be linearized, the states it could have seen, and the longest partial linearizations', () => {
    const result = checkLinearizableSync(h, 'kv');
    expect(result.valid).toBe(false);
    expect(result.stats.partitions).toBe(2);
    expect(result.failures).toHaveLength(1);
    const [failure] = result.failures;
    expect(failure!.key).toBe('a');
    expect(failure!.op).toEqual({
      index: 6,
      completionIndex: 8,
      process: 2,
      f: 'get',
      description: 'get("a") -> "x"',
    });
    // The longest partial linearization takes the crashed append too, so the get could have seen "zw".
    expect(failure!.states).toEqual(['{"a": "zw"}']);
    expect(failure!.linearizations).toEqual([[0, 4, 7]]);
    const viz = failure!.visualization;
    expect(viz.ops.map((o) => [o.index, o.completionIndex, o.known])).toEqual([
      [0, 2, true],
      [4, 5, true],
      [6, 8, true],
      [7, 9, false],
    ]);
    expect(viz.partials[0]!.steps[0]).toEqual({
      index: 0,
      description: 'put("a", "x")',
      stateAfter: '{"a": "x"}',
    });
    // Plain JSON: survives a round trip unchanged.
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it('explains itself in a few lines', () => {
    const text = explain(checkLinearizableSync(h, 'kv'));
    expect(text.split('\n')[0]).toMatch(/^NOT linearizable \(model kv; 5 ops in 2 partition\(s\);/);
    expect(text).toMatch(/key "a": op 6 \(process 2\) get\("a"\) -> "x" cannot be linearized/);
    expect(text).toMatch(/it could have seen: \{"a": "zw"\}\n/);
    expect(explain(checkLinearizableSync(history([]), 'kv'))).toMatch(/^linearizable \(model kv; 0 ops/);
  });
});
