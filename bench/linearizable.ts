/**
 * Linearizability checker figures on the Porcupine corpus (read in place from
 * ../shared/data/porcupine): the whole etcd corpus (parse + check, cas-register), kv/c50-ok
 * split by key, and kv/c10-ok checked without splitting (time and peak memory). The first,
 * cold run is reported apart; the runs after it are timed by tinybench (mean, p50/p75/p99,
 * relative margin of error). Whole-process comparisons with Porcupine are bench/porcupine.ts.
 *
 *     npx tsc -p . && node dist/bench/linearizable.js
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkLinearizable, type LinearizableResult } from '../checkers/linearizable/index.js';
import { type TaskFigures, timeTask } from '../src/bench/tinybench.js';
import { readHistoryFile } from '../src/history/codecs/index.js';

const here = fileURLToPath(new URL('.', import.meta.url));
/** The corpus, found from the repo root (bench/) or from dist/bench/. */
const corpus = [
  join(here, '..', '..', 'shared', 'data', 'porcupine'),
  join(here, '..', '..', '..', 'shared', 'data', 'porcupine'),
].find((d) => {
  try {
    readdirSync(d);
    return true;
  } catch {
    return false;
  }
});

/** One measured task: the first (cold) run, then tinybench's statistics over the next ones. */
export type Timing = TaskFigures & { firstMs: number };

async function measure<T>(
  name: string,
  runs: number,
  task: () => Promise<T>,
): Promise<{ timing: Timing; last: T }> {
  const t = performance.now();
  let last = await task();
  const firstMs = Math.round(performance.now() - t);
  const figures = await timeTask(
    name,
    async () => {
      last = await task();
    },
    { iterations: runs, warmupIterations: 0 },
  );
  return { timing: { firstMs, ...figures }, last };
}

export interface LinearizableFigures {
  etcd: Timing & { files: number; invalid: number };
  c50Ok: Timing & { configurations: number };
  c10OkUnsplit: Timing & { configurations: number; peakRssMB: number };
}

export async function run(): Promise<LinearizableFigures> {
  if (!corpus) throw new Error('corpus not found: ../shared/data/porcupine');
  const etcdDir = join(corpus, 'etcd');
  const files = readdirSync(etcdDir)
    .filter((f) => f.endsWith('.log'))
    .sort();

  const etcd = await measure('etcd', 3, async () => {
    let invalid = 0;
    for (const f of files) {
      const result = await checkLinearizable(await readHistoryFile(join(etcdDir, f)), 'cas-register');
      if (result.valid === false) invalid++;
    }
    return invalid;
  });

  const c50 = await readHistoryFile(join(corpus, 'kv', 'c50-ok.txt'));
  const c50Ok = await measure('c50-ok', 5, () => checkLinearizable(c50, 'kv'));
  expectValid('c50-ok', c50Ok.last);

  const c10 = await readHistoryFile(join(corpus, 'kv', 'c10-ok.txt'));
  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 5);
  const c10Ok = await measure('c10-ok unsplit', 3, () => checkLinearizable(c10, 'kv', { split: false }));
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage.rss());
  expectValid('c10-ok unsplit', c10Ok.last);

  return {
    etcd: { ...etcd.timing, files: files.length, invalid: etcd.last },
    c50Ok: { ...c50Ok.timing, configurations: c50Ok.last.stats.configurations },
    c10OkUnsplit: {
      ...c10Ok.timing,
      configurations: c10Ok.last.stats.configurations,
      peakRssMB: Math.round(peak / 2 ** 20),
    },
  };
}

function expectValid(name: string, result: LinearizableResult): void {
  if (result.valid !== true) throw new Error(`${name}: expected valid, got ${result.valid}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(JSON.stringify(await run(), null, 2));
}
