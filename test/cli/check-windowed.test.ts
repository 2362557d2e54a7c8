/** `faultline check --checker list-append --windowed [ops]` on history files, end to end. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { simulateListAppend } from '../../bench/elle.js';
import { opToEdn, opToJsonl } from '../../src/history/codecs/index.js';
import type { Op } from '../../src/history/index.js';
import { describeBuilt, needsBuild, requireBuilt, faultline as run } from '../support/cli.js';

const faultline = (...args: string[]) => run(args);

let dir: string;
let clean: string;
let planted: string;
let malformed: string;
let edn: string;
/** The 0-based position of the malformed op (its line is one more). */
let malformedAt: number;
beforeAll(async () => {
  if (needsBuild) requireBuilt();
  dir = await mkdtemp(join(tmpdir(), 'faultline-windowed-'));
  const write = async (name: string, ops: Op[], encode: (op: Op) => string = opToJsonl) => {
    const path = join(dir, name);
    await writeFile(path, `${ops.map((op, i) => encode({ ...op, index: i, time: i })).join('\n')}\n`);
    return path;
  };
  const ops = simulateListAppend({ transactions: 6_000, activeKeys: 10, maxWritesPerKey: 5, seed: 4 });
  clean = await write('clean.jsonl', ops);
  edn = await write('clean.edn', ops, opToEdn);
  // A G1c between two fresh keys, deep inside.
  const g1c: Op[] = [
    {
      index: 0,
      time: 0,
      type: 'invoke',
      process: 900,
      f: 'txn',
      value: [
        ['append', 'x', 1],
        ['r', 'y', null],
      ],
    },
    {
      index: 0,
      time: 0,
      type: 'invoke',
      process: 901,
      f: 'txn',
      value: [
        ['append', 'y', 1],
        ['r', 'x', null],
      ],
    },
    {
      index: 0,
      time: 0,
      type: 'ok',
      process: 900,
      f: 'txn',
      value: [
        ['append', 'x', 1],
        ['r', 'y', [1]],
      ],
    },
    {
      index: 0,
      time: 0,
      type: 'ok',
      process: 901,
      f: 'txn',
      value: [
        ['append', 'y', 1],
        ['r', 'x', [1]],
      ],
    },
  ];
  planted = await write('planted.jsonl', [...ops.slice(0, 9_000), ...g1c, ...ops.slice(9_000)]);
  const bad = ops.map((op) => ({ ...op }));
  malformedAt = bad.findIndex((op, i) => i > 5_000 && op.type === 'ok');
  bad[malformedAt]!.value = [['append', 'k']];
  malformed = await write('malformed.jsonl', bad);
}, 180_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describeBuilt('faultline check --windowed', () => {
  it('checks a clean file window by window and says what it covered', () => {
    const r = faultline('check', clean, '--checker', 'list-append', '--windowed', '2000', '--json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.valid).toBe(true);
    expect(result.windowed.windowOps).toBe(2_000);
    expect(result.windowed.ops).toBe(12_000);
    expect(result.windowed.windows).toBeGreaterThan(5);
    expect(result.windowed.maxOpsInMemory).toBeLessThanOrEqual(2_000);
    const text = faultline('check', clean, '--model', 'list-append', '--windowed', '2000');
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^valid under strict-serializable/);
    expect(text.stdout).toMatch(/windows of 2000 ops over 12000 ops/);
  });

  it('reads EDN too, streaming', () => {
    const r = faultline('check', edn, '--checker', 'list-append', '--windowed', '2000', '--json');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).windowed.ops).toBe(12_000);
  });

  it('finds a planted G1c and exits 1', () => {
    const r = faultline('check', planted, '--checker', 'list-append', '--windowed', '2000', '--json');
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout)['anomaly-types']).toContain('G1c');
  });

  it('names file, line and field of bad input, and of a bad flag (exit 254)', () => {
    const r = faultline('check', malformed, '--checker', 'list-append', '--windowed', '2000');
    expect(r.status).toBe(254);
    expect(r.stderr).toContain(
      `malformed.jsonl:${malformedAt + 1}: field op ${malformedAt} value[0]: expected a micro-op`,
    );
    const flag = faultline('check', clean, '--checker', 'list-append', '--windowed', '1.5');
    expect(flag.status).toBe(254);
    expect(flag.stderr).toMatch(/--windowed: expected a whole number of ops/);
    const other = faultline('check', clean, '--checker', 'set', '--windowed');
    expect(other.status).toBe(254);
    expect(other.stderr).toMatch(/windowed checking is for list-append and rw-register/);
  });
});
