import { describe, expect, it } from 'vitest';
import { readVarints, VarintWriter } from '../../src/report/columns.js';

function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

describe('report columns', () => {
  const values = [
    0,
    1,
    -1,
    63,
    -64,
    64,
    127,
    128,
    300,
    -300,
    2 ** 21,
    2 ** 28 - 1,
    2 ** 28,
    2 ** 31 + 5,
    -(2 ** 35),
    2 ** 52,
  ];

  it('reads back signed varints of every size, up to 2^52', () => {
    const w = new VarintWriter(2);
    for (const v of values) w.signed(v);
    expect(Array.from(readVarints(b64(w.view()), values.length, true))).toEqual(values);
  });

  it('reads back unsigned varints and running sums (deltas)', () => {
    const w = new VarintWriter();
    const positives = values.filter((v) => v >= 0);
    for (const v of positives) w.unsigned(v);
    expect(Array.from(readVarints(b64(w.view()), positives.length, false))).toEqual(positives);
    const d = new VarintWriter();
    for (const v of [1_700_000_000_000, 5, -3, 0]) d.signed(v);
    expect(Array.from(readVarints(b64(d.view()), 4, true, true))).toEqual([
      1_700_000_000_000, 1_700_000_000_005, 1_700_000_000_002, 1_700_000_000_002,
    ]);
  });
});
