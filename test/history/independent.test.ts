/**
 * Jepsen's `jepsen.independent` histories: `[key value]` tuples read as keyed ops (detected,
 * or with `independent: true`), and keyed ops written back as tuples.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { readHistoryFile, writeHistoryFile } from '../../src/history/codecs/index.js';
import { checkHistoryFile } from '../../src/run/check.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-independent-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** A valid history on two keys, as Jepsen's etcd and ZooKeeper register tests write it. */
const TWO_KEYS = `[{:type :invoke, :f :write, :value [1 3], :process 0, :time 10}
{:type :ok, :f :write, :value [1 3], :process 0, :time 20}
{:type :invoke, :f :read, :value [1 nil], :process 1, :time 30}
{:type :ok, :f :read, :value [1 3], :process 1, :time 40}
{:type :invoke, :f :write, :value [2 4], :process 0, :time 50}
{:type :ok, :f :write, :value [2 4], :process 0, :time 60}
{:type :invoke, :f :read, :value [2 nil], :process 1, :time 70}
{:type :ok, :f :read, :value [2 4], :process 1, :time 80}
{:type :invoke, :f :cas, :value [1 [3 5]], :process 2, :time 90}
{:type :ok, :f :cas, :value [1 [3 5]], :process 2, :time 100}
{:type :info, :f :start, :value nil, :process :nemesis, :time 110}]
`;

describe('reading jepsen.independent tuples', () => {
  it('checks the two-key history valid (the tuples are keys, not register values)', async () => {
    const path = file('two-keys.edn', TWO_KEYS);
    const { result } = await checkHistoryFile(path, { checker: 'linearizable', model: 'cas-register' });
    expect(result.valid).toBe(true);
    const history = await readHistoryFile(path);
    expect(history.ops.slice(0, 2).map((o) => [o.key, o.value])).toEqual([
      [1, 3],
      [1, 3],
    ]);
    expect(history.ops[8]).toMatchObject({ f: 'cas', key: 1, value: [3, 5] });
    expect(history.ops[10]).toMatchObject({ process: 'nemesis', value: null });
    expect(history.ops[10]!.key).toBeUndefined();
  });

  it('finds one stale read invalid on exactly its key, in EDN and in a Jepsen log', async () => {
    // Key 2's read sees 4 after a cas to 6 completed: stale. Key 1 is fine.
    const stale = `{:type :invoke, :f :write, :value [1 3], :process 0, :time 10}
{:type :ok, :f :write, :value [1 3], :process 0, :time 20}
{:type :invoke, :f :write, :value [2 4], :process 1, :time 30}
{:type :ok, :f :write, :value [2 4], :process 1, :time 40}
{:type :invoke, :f :cas, :value [2 [4 6]], :process 2, :time 50}
{:type :ok, :f :cas, :value [2 [4 6]], :process 2, :time 60}
{:type :invoke, :f :read, :value [1 nil], :process 0, :time 70}
{:type :ok, :f :read, :value [1 3], :process 0, :time 80}
{:type :invoke, :f :read, :value [2 nil], :process 1, :time 90}
{:type :ok, :f :read, :value [2 4], :process 1, :time 100}
`;
    const edn = file('stale.edn', stale);
    const log = join(dir, 'stale.log');
    await writeHistoryFile(log, await readHistoryFile(edn));
    expect(readFileSync(log, 'utf8')).toContain('INFO  jepsen.util - 2\t:invoke\t:cas\t[2 [4 6]]');
    for (const path of [edn, log]) {
      const { result } = await checkHistoryFile(path, { checker: 'linearizable', model: 'cas-register' });
      expect(result.valid).toBe(false);
      const failures = result.failures as { key: unknown }[];
      expect(failures.map((f) => f.key)).toEqual([2]);
    }
  });

  it('leaves a plain register history alone, and never splits tuples with independent: false', async () => {
    const plain = file(
      'plain.edn',
      '{:type :invoke, :f :cas, :value [3 5], :process 0}\n{:type :ok, :f :cas, :value [3 5], :process 0}\n' +
        '{:type :invoke, :f :read, :value nil, :process 0}\n{:type :ok, :f :read, :value 5, :process 0}\n',
    );
    const ops = (await readHistoryFile(plain)).ops;
    expect(ops.every((o) => o.key === undefined)).toBe(true);
    expect(ops[0]!.value).toEqual([3, 5]);
    const two = file('two-keys-plain.edn', TWO_KEYS);
    const asValues = await readHistoryFile(two, { independent: false });
    expect(asValues.ops[0]).toMatchObject({ value: [1, 3] });
    expect(asValues.ops[0]!.key).toBeUndefined();
  });

  it('refuses a non-tuple client op when independence is asked for', async () => {
    const plain = file('not-tuples.edn', '{:type :invoke, :f :read, :value nil, :process 0}\n');
    await expect(readHistoryFile(plain, { independent: true })).rejects.toThrow(
      /not-tuples\.edn:1: field value: expected a \[key value\] tuple/,
    );
    await expect(readHistoryFile(plain, { independent: true })).rejects.toBeInstanceOf(InputError);
  });
});

describe('writing keyed ops', () => {
  it("writes them to EDN in Jepsen's tuple convention; JSONL -> EDN -> JSONL keeps keys", async () => {
    const jsonl = file(
      'keyed.jsonl',
      '{"index":0,"time":1,"type":"invoke","process":0,"f":"write","value":3,"key":1}\n' +
        '{"index":1,"time":2,"type":"ok","process":0,"f":"write","value":3,"key":1}\n' +
        '{"index":2,"time":3,"type":"invoke","process":1,"f":"cas","value":[3,5],"key":"k"}\n' +
        '{"index":3,"time":4,"type":"info","process":1,"f":"cas","value":[3,5],"key":"k"}\n' +
        '{"index":4,"time":5,"type":"invoke","process":2,"f":"read","value":null}\n' +
        '{"index":5,"time":6,"type":"ok","process":2,"f":"read","value":[1,2]}\n',
    );
    const edn = join(dir, 'keyed.edn');
    await writeHistoryFile(edn, await readHistoryFile(jsonl));
    const lines = readFileSync(edn, 'utf8').split('\n');
    expect(lines[0]).toBe('{:index 0, :time 1, :type :invoke, :process 0, :f :write, :value [1 3], :key 1}');
    expect(lines[2]).toBe(
      '{:index 2, :time 3, :type :invoke, :process 1, :f :cas, :value ["k" [3 5]], :key "k"}',
    );
    expect(lines[4]).toBe('{:index 4, :time 5, :type :invoke, :process 2, :f :read, :value nil}');
    const back = join(dir, 'keyed.2.jsonl');
    await writeHistoryFile(back, await readHistoryFile(edn));
    expect(readFileSync(back, 'utf8')).toBe(readFileSync(jsonl, 'utf8'));
  });
});
