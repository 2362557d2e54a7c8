import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkLinearizable } from '../../checkers/linearizable/index.js';
import { readHistoryFile } from '../../src/history/codecs/index.js';
import { PORCUPINE_DIR } from '../support/paths.js';

/** The public Porcupine corpus, read in place (never copied into the repo). */
const CORPUS = PORCUPINE_DIR;

const rows = readFileSync(join(CORPUS, 'expected.tsv'), 'utf8')
  .split('\n')
  .slice(1)
  .map((line) => line.split('\t'))
  .filter(([file, verdict]) => file && verdict);

describe('Porcupine corpus: every file gets its expected verdict', () => {
  it('has the 108 files with a verdict', () => {
    expect(rows.length).toBe(108);
  });
  for (const [file, verdict] of rows) {
    it(`${file} is ${verdict}`, async () => {
      const history = await readHistoryFile(join(CORPUS, file!));
      const model = file!.startsWith('etcd/') ? 'cas-register' : 'kv';
      const result = await checkLinearizable(history, model, { timeLimitMs: 30_000 });
      expect(result.valid).toBe(verdict === 'linearizable');
      if (result.valid === false) {
        const failure = result.failures[0]!;
        expect(failure.op).toBeDefined();
        expect(failure.linearizations.length).toBeGreaterThan(0);
      }
    });
  }
});
