import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkListAppend, checkRwRegister } from '../../checkers/elle/index.js';
import { readHistoryFile } from '../../src/history/codecs/index.js';

const dir = mkdtempSync(join(tmpdir(), 'elle-edn-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('Elle checkers on EDN histories as Jepsen writes them', () => {
  it('list-append: keywords, nil reads and Jepsen indices', async () => {
    const path = file(
      'la.edn',
      `{:type :invoke, :f :txn, :value [[:append 5 1] [:r 6 nil]], :process 0, :time 10, :index 10}
{:type :invoke, :f :txn, :value [[:append 6 1] [:r 5 nil]], :process 1, :time 11, :index 11}
{:type :ok, :f :txn, :value [[:append 5 1] [:r 6 [1]]], :process 0, :time 12, :index 12}
{:type :ok, :f :txn, :value [[:append 6 1] [:r 5 [1]]], :process 1, :time 13, :index 13}
`,
    );
    const result = checkListAppend(await readHistoryFile(path));
    expect(result['anomaly-types']).toEqual(['G1c']);
    expect(result.anomalies.G1c![0]!.ops.sort()).toEqual([12, 13]);
    expect(result.anomalies.G1c![0]!.cycle!.map((e) => e.explanation)).toContain(
      "T13 read key 5 = [1], which includes T12's append of 1, so T12 →wr T13",
    );
  });

  it('rw-register: a lost update', async () => {
    const path = file(
      'rw.edn',
      `{:type :invoke, :f :txn, :value [[:r :x nil] [:w :x 1]], :process 0, :time 1}
{:type :invoke, :f :txn, :value [[:r :x nil] [:w :x 2]], :process 1, :time 2}
{:type :ok, :f :txn, :value [[:r :x nil] [:w :x 1]], :process 0, :time 3}
{:type :ok, :f :txn, :value [[:r :x nil] [:w :x 2]], :process 1, :time 4}
`,
    );
    const result = checkRwRegister(await readHistoryFile(path), { consistencyModels: ['repeatable-read'] });
    expect(result['anomaly-types']).toContain('lost-update');
    expect(result.valid).toBe(false);
  });
});
