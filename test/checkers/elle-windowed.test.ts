/**
 * Key-windowed Elle checking: on rotating-key histories it agrees with the in-memory checker
 * when cycles are short-lived, and it says what it could not see when they are not.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { simulateListAppend } from '../../bench/elle.js';
import {
  checkListAppend,
  checkListAppendWindowed,
  checkRwRegister,
  checkRwRegisterWindowed,
} from '../../checkers/elle/index.js';
import { InputError } from '../../src/errors.js';
import { History, type Op } from '../../src/history/index.js';

type Mop = [string, unknown, unknown];

/** A stream that can be read again, over ops renumbered by position. */
function stream(ops: Op[]): () => AsyncIterable<Op> {
  ops.forEach((op, i) => {
    op.index = i;
    op.time = i;
  });
  return async function* () {
    yield* ops;
  };
}

/** Two transactions run concurrently (invoked together, then completed), on fresh processes. */
function concurrent(process: number, a: Mop[], b: Mop[]): Op[] {
  const op = (type: Op['type'], p: number, value: Mop[]): Op => ({
    index: 0,
    time: 0,
    type,
    process: p,
    f: 'txn',
    value,
  });
  const invoke = (mops: Mop[]) => mops.map(([f, k, v]): Mop => [f, k, f === 'r' ? null : v]);
  return [
    op('invoke', process, invoke(a)),
    op('invoke', process + 1, invoke(b)),
    op('ok', process, a),
    op('ok', process + 1, b),
  ];
}

/** One transaction alone, invoked and completed. */
function alone(process: number, mops: Mop[], type: Op['type'] = 'ok'): Op[] {
  const invoke = mops.map(([f, k, v]): Mop => [f, k, f === 'r' ? null : v]);
  return [
    { index: 0, time: 0, type: 'invoke', process, f: 'txn', value: invoke },
    { index: 0, time: 0, type, process, f: 'txn', value: mops },
  ];
}

/** A clean rotating-key history: 20 keys in use, each retired after 6 appends. */
function rotating(transactions: number, seed = 7): Op[] {
  return simulateListAppend({
    transactions,
    activeKeys: 20,
    maxWritesPerKey: 6,
    concurrency: 8,
    failRate: 0.05,
    infoRate: 0.02,
    seed,
  });
}

/** `ops` with `planted` spliced in at `at`. */
function splice(ops: Op[], at: number, planted: Op[]): Op[] {
  return [...ops.slice(0, at), ...planted, ...ops.slice(at)];
}

const full = (ops: Op[]) => checkListAppend(History.from(ops.map((op) => ({ ...op }))));

describe('checkListAppendWindowed', () => {
  it('finds nothing in a clean history of many windows, and infers nothing from dropped transactions', async () => {
    const ops = rotating(20_000);
    const result = await checkListAppendWindowed(stream(ops), { windowOps: 2_000 });
    expect(full(ops).valid).toBe(true);
    expect(result.valid).toBe(true);
    // No garbage or aborted reads: every key's writers (ok, failed, info) are in its windows.
    expect(result['anomaly-types']).toEqual([]);
    expect(result['other-anomaly-types']).toEqual([]);
    expect(result.windowed.windows).toBeGreaterThan(30);
    expect(result.windowed.keysUnchecked).toBe(0);
    expect(result.windowed.keysInWindows).toBe(result.windowed.keys);
    expect(result.windowed.maxOpsInMemory).toBeLessThanOrEqual(2_000);
    expect(result.txns).toBe(20_000);
  });

  it('finds a G1c, a lost update and an aborted read planted deep in a long history, as the full check does', async () => {
    const clean = rotating(20_000, 11);
    const g1c = concurrent(
      900,
      [
        ['append', 'gx', 1],
        ['r', 'gy', [1]],
      ],
      [
        ['append', 'gy', 1],
        ['r', 'gx', [1]],
      ],
    );
    const lostUpdate = concurrent(
      910,
      [
        ['r', 'lu', []],
        ['append', 'lu', 1],
      ],
      [
        ['r', 'lu', []],
        ['append', 'lu', 2],
      ],
    );
    const aborted = [
      ...alone(920, [['append', 'ab', 1]], 'fail'),
      ...alone(921, [['r', 'ab', [1]]]),
      ...alone(922, [['r', 'lu', [1, 2]]]),
    ];
    const ops = splice(clean, 30_000, [...g1c, ...lostUpdate, ...aborted]);
    const expected = full(ops);
    const result = await checkListAppendWindowed(stream(ops), { windowOps: 2_000 });
    expect(expected.valid).toBe(false);
    expect(result.valid).toBe(false);
    expect(result['anomaly-types']).toEqual(expected['anomaly-types']);
    expect(result['anomaly-types']).toEqual(expect.arrayContaining(['G1a', 'G1c', 'lost-update']));
    expect(result.not).toEqual(expected.not);
    // Each found once, though two overlapping windows hold the planted keys.
    expect(result['anomaly-counts'].G1c).toBe(1);
    expect(result['anomaly-counts']['lost-update']).toBe(1);
    expect(result['anomaly-counts'].G1a).toBe(1);
    expect(result.anomalies.G1c![0]!.txns!.map((t) => t.index).sort((a, b) => a - b)).toEqual(
      expected.anomalies.G1c![0]!.txns!.map((t) => t.index).sort((a, b) => a - b),
    );
  });

  it('agrees with the full check on the anomaly kinds of a snapshot-isolated store', async () => {
    const ops = simulateListAppend({
      transactions: 10_000,
      activeKeys: 10,
      maxWritesPerKey: 4,
      concurrency: 6,
      isolation: 'snapshot-isolation',
      seed: 3,
    });
    const expected = full(ops);
    const result = await checkListAppendWindowed(stream(ops), { windowOps: 4_000 });
    expect(expected.valid).toBe(false);
    expect(result.valid).toBe(false);
    expect(result['anomaly-types']).toEqual(expected['anomaly-types']);
  });

  it('never alarms where the full check does not, whatever the window', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1_000 }),
        fc.integer({ min: 50, max: 3_000 }),
        fc.constantFrom('strict-serializable' as const, 'snapshot-isolation' as const),
        async (seed, windowOps, isolation) => {
          const ops = simulateListAppend({
            transactions: 1_500,
            activeKeys: 8,
            maxWritesPerKey: 5,
            concurrency: 5,
            failRate: 0.05,
            infoRate: 0.05,
            isolation,
            seed,
          });
          const expected = full(ops);
          const result = await checkListAppendWindowed(stream(ops), { windowOps });
          if (result.valid === false) expect(expected.valid).toBe(false);
          if (isolation === 'strict-serializable') expect(result.valid).not.toBe(false);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('misses a cycle through keys that never share a window, and says what it covered', async () => {
    // W = 2000: windows [0, 2000), [1000, 3000), ... Key `a` lives over [3800, 4500], key `b`
    // over [4500, 5200]: each fits a window (3 and 4), no window holds both, though their
    // span (1400) is under W: only spans up to W/2 are certain to be seen together.
    const filler = rotating(5_000, 5);
    const cycle = concurrent(
      950,
      [
        ['append', 'a', 1],
        ['r', 'b', [1]],
      ],
      [
        ['append', 'b', 1],
        ['r', 'a', [1]],
      ],
    );
    let ops = splice(filler, 5_200, alone(961, [['r', 'b', [1]]]));
    ops = splice(ops, 4_500, cycle);
    ops = splice(ops, 3_800, alone(960, [['r', 'a', []]]));
    const position = (key: string) =>
      ops.flatMap((op, i) => ((op.value as Mop[]).some((m) => m[1] === key) ? [i] : []));
    expect([position('a')[0], position('a').at(-1)]).toEqual([3_800, 4_505]);
    expect([position('b')[0], position('b').at(-1)]).toEqual([4_502, 5_207]);
    expect(full(ops)['anomaly-types']).toContain('G1c');

    const result = await checkListAppendWindowed(stream(ops), { windowOps: 2_000 });
    expect(result.valid).toBe(true);
    expect(result['anomaly-counts'].G1c).toBeUndefined();
    expect(result.windowed.keysInWindows).toBe(result.windowed.keys);
    expect(result.windowed.seenTogetherWithinOps).toBe(1_000);
    expect(result.scope).toMatch(/a cycle is seen only when one window holds the lifetimes of all its keys/);
    // A window twice as long holds both keys and finds it.
    const wider = await checkListAppendWindowed(stream(ops), { windowOps: 4_000 });
    expect(wider['anomaly-types']).toContain('G1c');
  });

  it('checks a long-lived key alone: its own anomalies are found, cycles through it are not', async () => {
    const filler = rotating(5_000, 9);
    // Key `long` is read every 500 ops over the whole history: no window of 2000 holds it.
    let ops = filler;
    for (let at = 9_500; at >= 0; at -= 500) ops = splice(ops, at, alone(2_000 + at, [['r', 'long', []]]));
    // A lost update on it, in the middle.
    ops = splice(
      ops,
      5_000,
      concurrent(
        990,
        [
          ['r', 'long', []],
          ['append', 'long', 1],
        ],
        [
          ['r', 'long', []],
          ['append', 'long', 2],
        ],
      ),
    );
    const result = await checkListAppendWindowed(stream(ops), { windowOps: 2_000 });
    expect(result.windowed.keysCheckedAlone).toBe(1);
    expect(result.windowed.keysUnchecked).toBe(0);
    expect(result.valid).toBe(false);
    expect(result['anomaly-types']).toContain('lost-update');
  });

  it('is unknown when a key lives too long and has too many ops to check alone', async () => {
    const filler = rotating(5_000, 13);
    let ops = filler;
    for (let at = 9_900; at >= 0; at -= 20) ops = splice(ops, at, alone(3_000 + at, [['r', 'hot', []]]));
    const result = await checkListAppendWindowed(stream(ops), { windowOps: 600 });
    expect(result.valid).toBe('unknown');
    expect(result.windowed.keysUnchecked).toBe(1);
    expect(result.windowed.uncheckedKeys).toEqual(['hot']);
    expect(result.reason).toMatch(/1 keys lived longer than a window of 600 ops/);
    expect(result.windowed.windows).toBeGreaterThan(0);
  });

  it('names the op and field of a malformed micro-op, and where the caller says it is', async () => {
    const ops = rotating(100);
    const at = ops.findIndex((op, i) => i > 40 && op.type === 'ok');
    ops[at] = { ...ops[at]!, value: [['append', 1]] };
    const check = checkListAppendWindowed(stream(ops), {
      locate: (op) => ({ file: 'h.jsonl', line: op.index + 1 }),
    });
    await expect(check).rejects.toThrow(InputError);
    await expect(check).rejects.toThrow(
      new RegExp(`h\\.jsonl:${at + 1}: field op ${at} value\\[0\\]: expected a micro-op`),
    );
  });

  it('is unknown on a history without transactions', async () => {
    const result = await checkListAppendWindowed(stream([]));
    expect(result.valid).toBe('unknown');
  });
});

describe('checkRwRegisterWindowed', () => {
  it('finds a G-single planted among rotating keys, as the full check does', async () => {
    // Registers rotated every 3 writes, read and written by transactions of two keys.
    const ops: Op[] = [];
    let process = 0;
    for (let k = 0; k < 2_000; k += 2) {
      for (let v = 1; v <= 3; v++) {
        ops.push(
          ...alone(process++, [
            ['r', k, v === 1 ? null : v - 1],
            ['w', k, v],
            ['w', k + 1, v],
          ]),
        );
      }
      if (k === 1_200) {
        // Read skew: T1 reads x before T2's write and y after it.
        ops.push(
          ...concurrent(
            5_000,
            [
              ['r', 'x', null],
              ['r', 'y', 1],
            ],
            [
              ['w', 'x', 1],
              ['w', 'y', 1],
            ],
          ),
        );
      }
    }
    const expected = checkRwRegister(History.from(ops.map((op) => ({ ...op }))));
    const result = await checkRwRegisterWindowed(stream(ops), { windowOps: 1_000 });
    expect(expected['anomaly-types']).toContain('G-single-item');
    expect(result.valid).toBe(false);
    expect(result['anomaly-types']).toEqual(expected['anomaly-types']);
    expect(result['anomaly-counts']['G-single-item']).toBe(1);
  });
});
