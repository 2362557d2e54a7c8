import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import {
  formatFromPath,
  readHistoryFile,
  readHistoryFileWithWarnings,
  readOps,
  sniffFormat,
  writeHistoryFile,
} from '../../src/history/codecs/index.js';
import type { History } from '../../src/history/index.js';
import { PORCUPINE_DIR } from '../support/paths.js';

const CORPUS = PORCUPINE_DIR;

/** The files listed in expected.tsv, with their verdicts. */
function corpusFiles(): { file: string; expected: string }[] {
  return readFileSync(join(CORPUS, 'expected.tsv'), 'utf8')
    .split('\n')
    .slice(1)
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [file, expected] = l.split('\t');
      return { file: file!, expected: expected! };
    });
}

/** Counts ops the way grep would, independently of the readers. */
function countOpLines(text: string, kind: 'log' | 'edn'): { ops: number; invokes: number } {
  const lines = text.split('\n');
  const ops =
    kind === 'log'
      ? lines.filter((l) => /jepsen\.util - \S+\s+:(invoke|ok|fail|info)\s/.test(l))
      : lines.filter((l) => l.startsWith('{'));
  return { ops: ops.length, invokes: ops.filter((l) => /:invoke\b/.test(l)).length };
}

function expectWellPaired(history: History): void {
  const incomplete = new Set(history.incomplete());
  for (let i = 0; i < history.length; i++) {
    const op = history.at(i);
    if (op.type === 'invoke') {
      const completion = history.completionOf(i);
      if (completion === undefined) expect(incomplete.has(op)).toBe(true);
      else {
        expect(completion.process).toBe(op.process);
        expect(completion.f).toBe(op.f);
      }
    } else expect(history.invocationOf(i)?.type).toBe('invoke');
  }
}

describe('Porcupine corpus', () => {
  const files = corpusFiles();

  it('lists the whole corpus', () => {
    expect(files.length).toBeGreaterThanOrEqual(100);
    expect(files.some((f) => f.file.startsWith('kv/'))).toBe(true);
  });

  it('parses every file of expected.tsv, with every op counted and every invoke paired or incomplete', async () => {
    for (const { file } of files) {
      const path = join(CORPUS, file);
      const history = await readHistoryFile(path);
      const counted = countOpLines(readFileSync(path, 'utf8'), file.endsWith('.log') ? 'log' : 'edn');
      expect(history.length, file).toBe(counted.ops);
      expect(history.ops.filter((o) => o.type === 'invoke').length, file).toBe(counted.invokes);
      expectWellPaired(history);
    }
  });

  it('reads the counts grep gives for a few files', async () => {
    // grep -cE 'jepsen\.util - [0-9]+\s+:(invoke|ok|fail|info)' FILE, grep -c '^{' FILE
    const counts: [string, number, number][] = [
      ['etcd/etcd_000.log', 170, 85],
      ['etcd/etcd_040.log', 166, 83],
      ['etcd/etcd_095.log', 0, 0],
      ['kv/c01-ok.txt', 116, 58],
      ['kv/c50-bad.txt', 4048, 2024],
    ];
    for (const [file, ops, invokes] of counts) {
      const history = await readHistoryFile(join(CORPUS, file));
      expect(history.length, file).toBe(ops);
      expect(history.ops.filter((o) => o.type === 'invoke').length, file).toBe(invokes);
    }
  });

  it('reads Jepsen log lines as ops, with time as line order and timeouts as errors', async () => {
    const history = await readHistoryFile(join(CORPUS, 'etcd/etcd_000.log'));
    expect(history.ops.slice(0, 3)).toEqual([
      { index: 0, time: 0, type: 'invoke', process: 0, f: 'read', value: null },
      { index: 1, time: 1, type: 'invoke', process: 3, f: 'read', value: null },
      { index: 2, time: 2, type: 'invoke', process: 2, f: 'write', value: 4 },
    ]);
    const cas = history.ops.find((o) => o.f === 'cas');
    expect(cas?.value).toEqual([3, 0]);
    // "INFO  jepsen.util - 4	:info	:write	:timed-out" completes "4 :invoke :write 1".
    const info = history.ops.find((o) => o.type === 'info')!;
    expect(info).toMatchObject({ process: 4, f: 'write', error: 'timed-out', value: 1 });
    expect(history.invocationOf(info.index)?.value).toBe(1);
  });

  it('reads Porcupine kv lines with :key as op.key', async () => {
    const history = await readHistoryFile(join(CORPUS, 'kv/c01-ok.txt'));
    expect(history.at(0)).toEqual({
      index: 0,
      time: 0,
      type: 'invoke',
      process: 0,
      f: 'append',
      key: '0',
      value: 'x 0 0 y',
    });
    expect(history.at(3)).toMatchObject({ type: 'ok', f: 'append', key: '4', value: 'x 0 1 y' });
    expect(history.partition((op) => op.key).size).toBeGreaterThan(1);
  });

  it('reads the etcd corpus fast enough for the checker bench (well under 1 ms a file)', async () => {
    const logs = files.filter((f) => f.file.endsWith('.log')).map((f) => join(CORPUS, f.file));
    // CPU time, best of a few rounds: other test files share the machine.
    let best = Number.POSITIVE_INFINITY;
    for (let round = 0; round < 4; round++) {
      const start = process.cpuUsage();
      for (const f of logs) await readHistoryFile(f);
      const { user, system } = process.cpuUsage(start);
      best = Math.min(best, (user + system) / 1000 / logs.length);
    }
    expect(best).toBeLessThan(1);
  });
});

describe('formats', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'faultline-codecs-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('come from the extension, and .txt is sniffed', async () => {
    expect(formatFromPath('a/h.jsonl')).toBe('jsonl');
    expect(formatFromPath('h.EDN')).toBe('edn');
    expect(formatFromPath('h.log')).toBe('jepsen-log');
    expect(formatFromPath('h.txt')).toBeUndefined();
    expect(() => formatFromPath('h.csv')).toThrow(InputError);
    expect(sniffFormat('\n  {:type :ok}')).toBe('edn');
    expect(sniffFormat('[{:type :ok}]')).toBe('edn');
    expect(sniffFormat('INFO  jepsen.util - 1\t:invoke\t:read\tnil')).toBe('jepsen-log');
    const txt = join(dir, 'log.txt');
    await writeFile(
      txt,
      'noise\nINFO  jepsen.util - 1\t:invoke\t:read\tnil\nINFO  jepsen.util - 1\t:ok\t:read\t3\n',
    );
    const h = await readHistoryFile(txt);
    expect(h.ops.map((o) => [o.type, o.value])).toEqual([
      ['invoke', null],
      ['ok', 3],
    ]);
  });

  it('convert among each other: log -> JSONL -> EDN -> log keeps the ops', async () => {
    const original = await readHistoryFile(join(CORPUS, 'etcd/etcd_001.log'));
    await writeHistoryFile(join(dir, 'a.jsonl'), original);
    const fromJsonl = await readHistoryFile(join(dir, 'a.jsonl'));
    await writeHistoryFile(join(dir, 'a.edn'), fromJsonl);
    const fromEdn = await readHistoryFile(join(dir, 'a.edn'));
    await writeHistoryFile(join(dir, 'a.log'), fromEdn);
    const back = await readHistoryFile(join(dir, 'a.log'));
    expect(fromJsonl.ops).toEqual(original.ops);
    expect(fromEdn.ops).toEqual(original.ops);
    expect(back.ops).toEqual(original.ops);
  });

  it('ignore a byte order mark and CRLF line ends', async () => {
    const path = join(dir, 'bom.jsonl');
    await writeFile(path, '\ufeff{"type":"invoke","process":0,"f":"read","value":null}\r\n');
    expect((await readHistoryFile(path)).length).toBe(1);
    const edn = join(dir, 'bom.txt');
    await writeFile(edn, '\ufeff{:type :invoke, :process 0, :f :read, :value nil}\r\n');
    expect((await readHistoryFile(edn)).length).toBe(1);
  });

  it('readOps streams ops without pairing them', async () => {
    const path = join(dir, 'unpaired.jsonl');
    await writeFile(
      path,
      '{"type":"ok","process":0,"f":"read","value":1}\n{"type":"ok","process":0,"f":"read","value":2}\n',
    );
    const ops = [];
    for await (const op of readOps(path)) ops.push(op);
    expect(ops.map((o) => o.value)).toEqual([1, 2]);
    await expect(readHistoryFile(path)).rejects.toThrow(
      /unpaired\.jsonl:1: field type: .*no open invocation/,
    );
  });

  it('keep the file numbering when every op has an index, else number by position', async () => {
    const kept = join(dir, 'kept.edn');
    await writeFile(
      kept,
      '{:index 10, :type :invoke, :process 0, :f :read, :value nil}\n{:index 12, :type :ok, :process 0, :f :read, :value 3}\n',
    );
    expect((await readHistoryFile(kept)).ops.map((o) => o.index)).toEqual([10, 12]);
    const mixed = join(dir, 'mixed.edn');
    await writeFile(
      mixed,
      '{:index 10, :type :invoke, :process 0, :f :read, :value nil}\n{:type :ok, :process 0, :f :read, :value 3}\n',
    );
    const { history, warnings } = await readHistoryFileWithWarnings(mixed);
    expect(history.ops.map((o) => o.index)).toEqual([0, 1]);
    expect(warnings).toEqual([]);
  });
});
