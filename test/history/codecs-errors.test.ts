import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError, type InputLocation } from '../../src/errors.js';
import { readHistoryFile } from '../../src/history/codecs/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'faultline-bad-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const JSONL_OK = '{"index":0,"time":5,"type":"invoke","process":0,"f":"read","value":null}';
const EDN_OK = '{:index 0, :time 5, :type :invoke, :process 0, :f :read, :value nil}';
const LOG_OK = 'INFO  jepsen.util - 0\t:invoke\t:read\tnil';

interface Case {
  name: string;
  file: string;
  text: string;
  /** The expected location (file is implied) and a part of the reason. */
  at: Omit<InputLocation, 'file'>;
  reason: RegExp;
  strict?: boolean;
}

const cases: Case[] = [
  // JSONL
  {
    name: 'JSONL mistyped type',
    file: 'type.jsonl',
    text: `${JSONL_OK}\n{"index":1,"time":6,"type":"okk","process":0,"f":"read","value":1}\n`,
    at: { line: 2, column: 21, field: 'type' },
    reason: /expected one of invoke, ok, fail, info, got "okk"/,
  },
  {
    name: 'JSONL mistyped process',
    file: 'process.jsonl',
    text: `${JSONL_OK}\n{"index":1,"time":6,"type":"ok","process":"x","f":"read","value":1}\n`,
    at: { line: 2, column: 33, field: 'process' },
    reason: /expected an integer or nemesis, got "x"/,
  },
  {
    name: 'JSONL time not a number',
    file: 'time.jsonl',
    text: `${JSONL_OK}\n{"index":1,"time":"soon","type":"ok","process":0,"f":"read","value":1}\n`,
    at: { line: 2, column: 12, field: 'time' },
    reason: /expected a number of nanoseconds, got "soon"/,
  },
  {
    name: 'JSONL missing f',
    file: 'missing.jsonl',
    text: `${JSONL_OK}\n{"index":1,"time":6,"type":"ok","process":0,"value":1}\n`,
    at: { line: 2, column: 1, field: 'f' },
    reason: /missing field f/,
  },
  {
    name: 'JSONL unquoted keyword',
    file: 'syntax.jsonl',
    text: `{"index":0,"time":5,"type":invoke,"process":0,"f":"read","value":null}\n${JSONL_OK}\n`,
    at: { line: 1, column: 28, field: 'type' },
    reason: /not valid JSON/,
  },
  {
    name: 'JSONL truncated line in the middle',
    file: 'cut.jsonl',
    text: `${JSONL_OK}\n{"index":1,"time":6,"type":"ok","proc\n${JSONL_OK}\n`,
    at: { line: 2, column: 38 },
    reason: /not valid JSON/,
  },
  {
    name: 'JSONL truncated last line (strict)',
    file: 'torn.jsonl',
    text: `${JSONL_OK}\n{"index":1,"time":6,"type":"ok","process":0,"f":"re`,
    at: { line: 2, column: 52, field: 'f' },
    reason: /torn last line/,
    strict: true,
  },
  // EDN
  {
    name: 'EDN mistyped type',
    file: 'type.edn',
    text: `${EDN_OK}\n{:index 1, :time 6, :type :okk, :process 0, :f :read, :value 1}\n`,
    at: { line: 2, column: 21, field: 'type' },
    reason: /got "okk"/,
  },
  {
    name: 'EDN mistyped process',
    file: 'process.edn',
    text: `${EDN_OK}\n{:index 1, :time 6, :type :ok, :process "x", :f :read, :value 1}\n`,
    at: { line: 2, column: 32, field: 'process' },
    reason: /expected an integer or nemesis, got "x"/,
  },
  {
    name: 'EDN time not a number',
    file: 'time.edn',
    text: `${EDN_OK}\n{:index 1, :time :soon, :type :ok, :process 0, :f :read, :value 1}\n`,
    at: { line: 2, column: 12, field: 'time' },
    reason: /expected a number of nanoseconds, got "soon"/,
  },
  {
    name: 'EDN missing process',
    file: 'missing.edn',
    text: `${EDN_OK}\n{:index 1, :time 6, :type :ok, :f :read, :value 1}\n`,
    at: { line: 2, column: 1, field: 'process' },
    reason: /missing field process/,
  },
  {
    name: 'EDN truncated map',
    file: 'cut.edn',
    text: `${EDN_OK}\n{:index 1, :time 6, :type :ok, :process 0, :f :read, :val`,
    at: { line: 2, column: 1, field: 'val' },
    reason: /unexpected end of file \(truncated\?\)/,
  },
  {
    name: 'EDN truncated vector of maps',
    file: 'cut-vector.edn',
    text: `[${EDN_OK}\n ${EDN_OK.replace(':invoke', ':ok')}\n`,
    at: { line: 1, column: 1 },
    reason: /the history's \] is missing/,
  },
  {
    name: 'EDN mismatched bracket',
    file: 'bracket.edn',
    text: `${EDN_OK}\n{:index 1, :time 6, :type :ok, :process 0, :f :read, :value [1 2}}\n`,
    at: { line: 2, column: 65 },
    reason: /unexpected \}/,
  },
  {
    name: 'EDN not a map',
    file: 'vector.edn',
    text: `${EDN_OK}\n[:ok 0 :read 1]\n`,
    at: { line: 2, column: 1 },
    reason: /expected an op map/,
  },
  // Jepsen log
  {
    name: 'log mistyped process',
    file: 'process.log',
    text: `${LOG_OK}\nINFO  jepsen.util - x\t:ok\t:read\t1\n`,
    at: { line: 2, column: 21, field: 'process' },
    reason: /expected a process number or :nemesis, got x/,
  },
  {
    name: 'log f not a keyword',
    file: 'f.log',
    text: `${LOG_OK}\nINFO  jepsen.util - 0\t:ok\tread\t1\n`,
    at: { line: 2, column: 27, field: 'f' },
    reason: /expected a keyword such as :read, got read/,
  },
  {
    name: 'log truncated value',
    file: 'value.log',
    text: 'INFO  jepsen.util - 0\t:invoke\t:cas\t[1 2\n',
    at: { line: 1, column: 36, field: 'value' },
    reason: /unclosed/,
  },
  // Pairing
  {
    name: 'completion without invocation',
    file: 'pairing.jsonl',
    text: `${JSONL_OK}\n${JSONL_OK.replace('"process":0', '"process":1').replace('invoke', 'ok')}\n`,
    at: { line: 2, field: 'type' },
    reason: /has no open invocation/,
  },
];

describe('bad input', () => {
  for (const c of cases) {
    it(`${c.name}: InputError naming file:line, column and field`, async () => {
      const path = join(dir, c.file);
      await writeFile(path, c.text);
      const err = await readHistoryFile(path, { strict: c.strict }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(InputError);
      const e = err as InputError;
      expect(e.location).toEqual({ file: path, column: undefined, field: undefined, ...c.at });
      expect(e.reason).toMatch(c.reason);
      const where = `${path}:${c.at.line}${c.at.column ? `:${c.at.column}` : ''}: ${c.at.field ? `field ${c.at.field}: ` : ''}`;
      expect(e.message.startsWith(where)).toBe(true);
      expect(e.message).not.toContain('\n');
    });
  }
});
