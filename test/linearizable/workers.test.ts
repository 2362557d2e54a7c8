import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import type * as Linearizable from '../../checkers/linearizable/index.js';
import type * as Codecs from '../../src/history/codecs/index.js';
import { describeBuilt, requireBuilt } from '../support/cli.js';
import { PORCUPINE_DIR } from '../support/paths.js';

/**
 * The worker-thread path runs only from the compiled tree (dist/, built by `npm run build`);
 * under vitest the sources run in-process. These tests check the compiled path when it is
 * built.
 */
const root = join(import.meta.dirname, '..', '..');
const dist = join(root, 'dist', 'checkers', 'linearizable');
const corpus = join(PORCUPINE_DIR, 'kv');

describeBuilt('worker threads (compiled tree)', () => {
  beforeAll(requireBuilt);

  const load = async () => ({
    lin: (await import(join(dist, 'index.js'))) as typeof Linearizable,
    codecs: (await import(join(root, 'dist', 'src', 'history', 'codecs', 'index.js'))) as typeof Codecs,
  });

  it('gives the same verdicts on worker threads as in-process', async () => {
    const { lin, codecs } = await load();
    for (const [file, expected] of [
      ['c50-ok.txt', true],
      ['c50-bad.txt', false],
      ['c10-bad.txt', false],
    ] as const) {
      const history = await codecs.readHistoryFile(join(corpus, file));
      const threaded = await lin.checkLinearizable(history, 'kv', { workers: 2, inProcessSteps: 0 });
      expect(threaded.valid).toBe(expected);
      if (!expected) expect(threaded.failures[0]!.linearizations.length).toBeGreaterThan(0);
      const inProcess = await lin.checkLinearizable(history, 'kv', { workers: 0 });
      expect(inProcess.valid).toBe(expected);
    }
  });

  it('stops at the time limit on worker threads too', async () => {
    const { lin } = await load();
    const { History } = await import(join(root, 'dist', 'src', 'history', 'index.js'));
    const ops = [];
    for (const key of ['a', 'b']) {
      for (let p = 0; p < 40; p++)
        ops.push({ process: `${key}${p}`, type: 'invoke', f: 'put', value: `${p}`, key });
      for (let p = 0; p < 40; p++)
        ops.push({ process: `${key}${p}`, type: 'info', f: 'put', value: `${p}`, key });
      ops.push({ process: `${key}r`, type: 'invoke', f: 'get', value: null, key });
      ops.push({ process: `${key}r`, type: 'ok', f: 'get', value: 'never written', key });
    }
    const numbered = ops.map((o, i) => ({ ...o, index: i, time: i, process: processId(o.process) }));
    const history = History.from(numbered);
    const result = await lin.checkLinearizable(history, 'kv', {
      workers: 2,
      inProcessSteps: 0,
      timeLimitMs: 1000,
    });
    expect(result.valid).toBe('unknown');
    expect(result.reason).toMatch(/time limit/);
  });
});

const ids = new Map<string, number>();
function processId(name: string): number {
  if (!ids.has(name)) ids.set(name, ids.size);
  return ids.get(name)!;
}
