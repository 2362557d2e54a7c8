import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEdnGeneral } from '../../src/history/codecs/edn-value.js';
import {
  parseEdnValue,
  readHistoryFile,
  readOps,
  toEdn,
  writeHistoryFile,
} from '../../src/history/codecs/index.js';
import type { Op } from '../../src/history/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'faultline-edn-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function collect(path: string): Promise<Op[]> {
  const ops: Op[] = [];
  for await (const op of readOps(path)) ops.push(op);
  return ops;
}

describe('EDN values', () => {
  it('map to JSON-like values as documented', () => {
    expect(parseEdnValue(':read')).toBe('read');
    expect(parseEdnValue(':jepsen/x')).toBe('jepsen/x');
    expect(parseEdnValue('"a \\"b\\"\\n"')).toBe('a "b"\n');
    expect(parseEdnValue('nil')).toBeNull();
    expect(parseEdnValue('[true false -1.5e3 42]')).toEqual([true, false, -1500, 42]);
    expect(parseEdnValue('(1 (2 3))')).toEqual([1, [2, 3]]);
    expect(parseEdnValue('#{1 :a}')).toEqual({ '#set': [1, 'a'] });
    expect(parseEdnValue('{:a 1, "b" [2]}')).toEqual({ a: 1, b: [2] });
    expect(parseEdnValue('{0 10, 1 20}')).toEqual({
      '#map': [
        [0, 10],
        [1, 20],
      ],
    });
    expect(parseEdnValue('{:a 1 "a" 2}')).toEqual({
      '#map': [
        ['a', 1],
        ['a', 2],
      ],
    });
    expect(parseEdnValue('12N')).toBe(12);
    expect(parseEdnValue('foo')).toBe('foo');
    expect(parseEdnValue('\\a')).toBe('a');
    expect(parseEdnValue('#inst "2020-01-01T00:00:00.000-00:00"')).toBe('2020-01-01T00:00:00.000-00:00');
    expect(parseEdnValue('#jepsen.history.Op{:type :ok, :f :read}')).toEqual({ type: 'ok', f: 'read' });
    expect(parseEdnValue('[1 ; a comment\n 2]')).toEqual([1, 2]);
    expect(() => parseEdnValue('[1 2')).toThrow(/unclosed/);
    expect(() => parseEdnValue('[1 2)')).toThrow(/unexpected \)/);
  });

  it('are written back as EDN that reads as the same value', () => {
    const v = { a: [1, 'x', null, true], 'not a keyword': { '#set': [1, 2] }, m: { '#map': [[0, 10]] } };
    expect(toEdn(v)).toBe('{:a [1 "x" nil true], "not a keyword" #{1 2}, :m {0 10}}');
    expect(parseEdnValue(toEdn(v))).toEqual(v);
  });

  it('read the same on the fast path and through edn-data', () => {
    fc.assert(
      fc.property(jsonValue(), (v) => {
        const text = toEdn(v);
        expect(parseEdnValue(text)).toEqual(v);
        expect(parseEdnGeneral(text)).toEqual(v);
      }),
      { numRuns: 300 },
    );
  });
});

describe('EDN histories', () => {
  it('read Elle list-append ops with micro-ops as arrays, and write their functions as keywords', async () => {
    const path = join(dir, 'elle.edn');
    await writeFile(
      path,
      '{:type :invoke, :f :txn, :value [[:append 5 3] [:r 5 nil]], :process 1, :time 100, :index 6}\n' +
        '{:type :ok, :f :txn, :value [[:append 5 3] [:r 5 [1 2 3]]], :process 1, :time 123, :index 7}\n',
    );
    const history = await readHistoryFile(path);
    expect(history.at(1)).toEqual({
      index: 7,
      time: 123,
      type: 'ok',
      process: 1,
      f: 'txn',
      value: [
        ['append', 5, 3],
        ['r', 5, [1, 2, 3]],
      ],
    });
    const out = join(dir, 'elle-out.edn');
    await writeHistoryFile(out, history);
    const text = await readFile(out, 'utf8');
    expect(text.split('\n')[1]).toBe(
      '{:index 7, :time 123, :type :ok, :process 1, :f :txn, :value [[:append 5 3] [:r 5 [1 2 3]]]}',
    );
  });

  it('read one vector (or list) of maps over the whole file, on one or many lines', async () => {
    const vector = join(dir, 'vector.edn');
    await writeFile(
      vector,
      '[{:process 0, :type :invoke, :f :read, :value nil}\n {:process 0,\n  :type :ok, :f :read, :value #{1}}]\n',
    );
    const ops = await collect(vector);
    expect(ops.map((o) => o.value)).toEqual([null, { '#set': [1] }]);
    const list = join(dir, 'list.edn');
    await writeFile(list, '({:process :nemesis :type :info :f :start :value [:n1 :n2]})');
    expect(await collect(list)).toEqual([
      { index: 0, time: 0, type: 'info', process: 'nemesis', f: 'start', value: ['n1', 'n2'] },
    ]);
  });

  it('keep other fields in extra, and write them back flat', async () => {
    const path = join(dir, 'extra.edn');
    await writeFile(
      path,
      '{:type :invoke, :f :read, :process 0, :value nil, :node "n1", :error [:timeout "x"], :jepsen/debug {:a 1}, "odd key" 2}\n',
    );
    const [op] = await collect(path);
    expect(op).toEqual({
      index: 0,
      time: 0,
      type: 'invoke',
      process: 0,
      f: 'read',
      value: null,
      node: 'n1',
      error: ['timeout', 'x'],
      extra: { 'jepsen/debug': { a: 1 }, 'odd key': 2 },
    });
    await writeHistoryFile(join(dir, 'extra-out.edn'), [op!]);
    expect(await collect(join(dir, 'extra-out.edn'))).toEqual([op]);
  });

  it('stream files bigger than one read chunk, with forms across chunk boundaries', async () => {
    const path = join(dir, 'big.edn');
    const ops: Op[] = [];
    for (let i = 0; i < 60_000; i++) {
      ops.push({
        index: i,
        time: i * 1000,
        type: i % 2 === 0 ? 'invoke' : 'ok',
        process: i % 7,
        f: 'write',
        // A multi-line string now and then makes forms span lines (and chunks).
        value: i % 1000 === 0 ? `line one\nline two ${'x'.repeat(5000)}` : i,
      });
    }
    await writeHistoryFile(path, ops);
    // Multi-line maps: break every map after its first field.
    const text = (await readFile(path, 'utf8')).replaceAll(', :time', ',\n :time');
    await writeFile(path, `[${text}]`);
    expect((await stat(path)).size).toBeGreaterThan(4 << 20); // beyond the whole-file read
    const back = await collect(path);
    expect(back).toEqual(ops);
  });
});

describe('EDN error locations', () => {
  it('name the right line and column far into a streamed file, across chunks and multi-line forms', async () => {
    const path = join(dir, 'far.edn');
    const lines: string[] = ['['];
    for (let i = 0; i < 70_000; i++) {
      const type = i % 2 ? ':ok' : ':invoke';
      // Every 100th op spans two lines.
      lines.push(
        `{:index ${i}, :type ${type}, :process 0,${i % 100 === 0 ? '\n' : ' '}:f :write, :value ${i - (i % 2)}}`,
      );
    }
    lines.push(' {:index 70000, :type :invoke, :process 0, :f :write, :value 1, :time :later}', ']');
    const text = lines.join('\n');
    await writeFile(path, text);
    expect(text.length).toBeGreaterThan(4 << 20);
    const all = text.split('\n');
    const line = all.findIndex((l) => l.includes(':time :later')) + 1;
    const column = all[line - 1]!.indexOf(':time') + 1;
    await expect(readHistoryFile(path)).rejects.toThrow(
      `${path}:${line}:${column}: field time: expected a number of nanoseconds, got "later"`,
    );
  });
});

/** JSON-like values, without the two reserved object keys. */
function jsonValue(): fc.Arbitrary<unknown> {
  const key = fc.string({ unit: 'binary', maxLength: 8 }).filter((k) => k !== '#set' && k !== '#map');
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.constant(null),
      fc.boolean(),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => (Object.is(d, -0) ? 0 : d)),
      fc.string({ unit: 'binary', maxLength: 12 }),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(key, tie('value'), { maxKeys: 4 }),
    ),
  }));
  return value;
}

/** Random histories: any processes, types, fs, values and optional fields (not necessarily well paired). */
function history(): fc.Arbitrary<Op[]> {
  const op = fc.record(
    {
      time: fc.nat(),
      type: fc.constantFrom('invoke', 'ok', 'fail', 'info'),
      process: fc.oneof(fc.nat(100), fc.constant('nemesis')),
      f: fc.oneof(
        fc.constantFrom('read', 'write', 'cas', 'txn', 'start-partition'),
        fc.string({ maxLength: 6 }),
      ),
      value: fc.oneof(
        jsonValue(),
        fc.array(
          fc.tuple(
            fc.constantFrom('append', 'r', 'w'),
            fc.nat(9),
            fc.oneof(fc.nat(), fc.array(fc.nat()), fc.constant(null)),
          ),
          { maxLength: 4 },
        ),
      ),
      error: jsonValue(),
      node: fc.constantFrom('n1', 'n2', 'n3'),
      key: jsonValue(),
      extra: fc.dictionary(
        fc
          .string({ maxLength: 6 })
          .filter(
            (k) => !['index', 'time', 'type', 'process', 'f', 'value', 'error', 'node', 'key'].includes(k),
          ),
        jsonValue(),
        { minKeys: 1, maxKeys: 3 },
      ),
    },
    { requiredKeys: ['time', 'type', 'process', 'f', 'value'] },
  );
  return fc.array(op, { maxLength: 30 }).map((ops) => ops.map((o, index) => ({ index, ...o }) as Op));
}

describe('round trip', () => {
  it('JSONL -> EDN -> JSONL is the identity on random histories', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(history(), async (ops) => {
        const base = join(dir, `rt-${run++}`);
        await writeHistoryFile(`${base}.jsonl`, ops);
        const fromJsonl = await collect(`${base}.jsonl`);
        expect(fromJsonl).toEqual(ops);
        await writeHistoryFile(`${base}.edn`, fromJsonl);
        const fromEdn = await collect(`${base}.edn`);
        await writeHistoryFile(`${base}.2.jsonl`, fromEdn);
        expect(await readFile(`${base}.2.jsonl`, 'utf8')).toBe(await readFile(`${base}.jsonl`, 'utf8'));
        expect(await collect(`${base}.2.jsonl`)).toEqual(ops);
      }),
      { numRuns: 150 },
    );
  });
});
