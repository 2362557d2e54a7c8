/**
 * The limits that keep readers from being turned against their user: the nesting limit is
 * exact, non-finite numbers are refused in every format, the time limit covers reading,
 * and what reaches a checker has sane times.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { casRegister } from '../../checkers/linearizable/index.js';
import { describeOp } from '../../checkers/linearizable/visualization.js';
import { analyzePerf } from '../../checkers/perf.js';
import { InputError } from '../../src/errors.js';
import {
  MAX_VALUE_NESTING,
  ReadTimeLimitError,
  readHistoryFile,
  readHistoryFileWithWarnings,
} from '../../src/history/codecs/index.js';
import { History } from '../../src/history/history.js';
import { checkHistoryFile } from '../../src/run/check.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-limits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const nested = (depth: number, open: string, close: string) => `${open.repeat(depth)}1${close.repeat(depth)}`;

describe('nesting', () => {
  it(`reads a value nested exactly ${MAX_VALUE_NESTING} levels and refuses one level more`, async () => {
    for (const [ext, line] of [
      ['.jsonl', (v: string) => `{"type":"invoke","process":0,"f":"write","value":${v}}`],
      ['.edn', (v: string) => `{:type :invoke, :process 0, :f :write, :value ${v}}`],
      ['.log', (v: string) => `INFO  jepsen.util - 0\t:invoke\t:write\t${v}`],
    ] as const) {
      const ok = file(`ok${ext}`, `${line(nested(MAX_VALUE_NESTING, '[', ']'))}\n`);
      expect((await readHistoryFile(ok)).length).toBe(1);
      const deep = file(`deep${ext}`, `${line(nested(MAX_VALUE_NESTING + 1, '[', ']'))}\n`);
      await expect(readHistoryFile(deep)).rejects.toThrow(/nested deeper than 100 levels/);
      const deeper = file(`deeper${ext}`, `${line(nested(100_000, '[', ']'))}\n`);
      await expect(readHistoryFile(deeper)).rejects.toBeInstanceOf(InputError);
    }
  });

  it('draws a value too deep to show in a visualization as a placeholder, not a stack overflow', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    const text = describeOp(casRegister(), {
      f: 'write',
      input: deep,
      output: undefined,
      known: false,
      key: undefined,
      index: 0,
      completionIndex: undefined,
      process: 0,
    });
    expect(text).toBe('(a value nested too deep to show)');
  });
});

describe('numbers', () => {
  it('refuses non-finite numbers in values, errors, keys and extra fields, naming the field', async () => {
    for (const [name, text, field] of [
      ['v.jsonl', '{"type":"invoke","process":0,"f":"write","value":[1,{"a":-1e400}]}', 'value\\[1\\]\\.a'],
      ['e.jsonl', '{"type":"invoke","process":0,"f":"write","value":1,"error":1e999}', 'error'],
      ['k.edn', '{:type :invoke, :process 0, :f :write, :value 1, :key 1e99999}', 'key'],
      [
        'x.edn',
        `{:type :invoke, :process 0, :f :write, :value 1, :extra [${'9'.repeat(400)}N]}`,
        'extra\\[0\\]',
      ],
      ['l.log', 'INFO  jepsen.util - 0\t:invoke\t:write\t1e400', 'value'],
    ] as const) {
      await expect(readHistoryFile(file(name, `${text}\n`))).rejects.toThrow(
        new RegExp(`${name.replace('.', '\\.')}:1:\\d+: field ${field}: -?Infinity is not a finite number`),
      );
    }
  });
});

describe('time', () => {
  it('refuses a completion earlier than its invocation, naming the op and its line', async () => {
    const path = file(
      'back.edn',
      '{:type :invoke, :process 0, :f :read, :value nil, :time 100}\n{:type :ok, :process 0, :f :read, :value nil, :time 99}\n',
    );
    await expect(readHistoryFile(path)).rejects.toThrow(
      /back\.edn:2: field time: completion \(op 1\) at time 99 is earlier than its invocation \(op 0\) at time 100/,
    );
  });

  it('perf refuses impossible options as bad input instead of throwing a TypeError', () => {
    const history = History.from([
      { index: 0, time: 0, type: 'invoke', process: 0, f: 'read', value: null },
      { index: 1, time: 5, type: 'ok', process: 0, f: 'read', value: 1 },
    ]);
    for (const windowS of [0, -1, Number.NaN]) {
      expect(() => analyzePerf(history, { windowS })).toThrow(InputError);
    }
  });

  it('lets the time limit cover reading: out of time while reading is unknown', async () => {
    const lines = Array.from(
      { length: 200_000 },
      (_, i) => `{"type":"${i % 2 ? 'ok' : 'invoke'}","process":0,"f":"write","value":${i >> 1}}`,
    );
    const path = file('long.jsonl', `${lines.join('\n')}\n`); // > 4 MiB: read in several blocks
    await expect(readHistoryFileWithWarnings(path, { deadline: Date.now() - 1 })).rejects.toBeInstanceOf(
      ReadTimeLimitError,
    );
    const { result } = await checkHistoryFile(path, { checker: 'perf', timeLimitMs: Number.MIN_VALUE });
    expect(result).toEqual({ valid: 'unknown', reason: 'the time limit ran out while reading the history' });
  });
});
