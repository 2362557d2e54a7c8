/**
 * Linearizability checker figures on the Porcupine corpus (read in place from
 * ../shared/data/porcupine): the whole etcd corpus (parse + check), kv/c50-ok split by key,
 * and kv/c10-ok checked without splitting (time and peak memory).
 *
 *     npx tsc -p . && node dist/bench/linearizable.js
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkLinearizable } from '../checkers/linearizable/index.js';
import { readHistoryFile } from '../src/history/codecs/index.js';

const here = fileURLToPath(new URL('.', import.meta.url));
/** The corpus, from the repo root or from dist/. */
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

export interface LinearizableFigures {
  etcdFiles: number;
  /** Wall-clock milliseconds; `...CpuMs` is the process' CPU time over the same span (robust to a busy machine). */
  etcdMs: number;
  etcdCpuMs: number;
  etcdInvalid: number;
  c50OkMs: number;
  c50OkCpuMs: number;
  c10OkUnsplitMs: number;
  c10OkUnsplitCpuMs: number;
  c10OkUnsplitConfigurations: number;
  c10OkUnsplitPeakRssMB: number;
}

export async function run(): Promise<LinearizableFigures> {
  if (!corpus) throw new Error('corpus not found: ../shared/data/porcupine');
  const etcdDir = join(corpus, 'etcd');
  const files = readdirSync(etcdDir)
    .filter((f) => f.endsWith('.log'))
    .sort();

  // Warm up the JIT on a couple of files so the timed run measures steady state, as Go's would.
  for (const f of files.slice(0, 3))
    await checkLinearizable(await readHistoryFile(join(etcdDir, f)), 'cas-register');

  let t = performance.now();
  let cpu = process.cpuUsage();
  let invalid = 0;
  for (const f of files) {
    const result = await checkLinearizable(await readHistoryFile(join(etcdDir, f)), 'cas-register');
    if (result.valid === false) invalid++;
  }
  const etcdMs = performance.now() - t;
  const etcdCpuMs = cpuMs(cpu);

  const c50 = await readHistoryFile(join(corpus, 'kv', 'c50-ok.txt'));
  t = performance.now();
  cpu = process.cpuUsage();
  const r50 = await checkLinearizable(c50, 'kv');
  const c50OkMs = performance.now() - t;
  const c50OkCpuMs = cpuMs(cpu);
  if (r50.valid !== true) throw new Error(`c50-ok: expected valid, got ${r50.valid}`);

  const c10 = await readHistoryFile(join(corpus, 'kv', 'c10-ok.txt'));
  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 5);
  t = performance.now();
  cpu = process.cpuUsage();
  const r10 = await checkLinearizable(c10, 'kv', { split: false });
  const c10OkUnsplitMs = performance.now() - t;
  const c10OkUnsplitCpuMs = cpuMs(cpu);
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage.rss());
  if (r10.valid !== true) throw new Error(`c10-ok unsplit: expected valid, got ${r10.valid}`);

  return {
    etcdFiles: files.length,
    etcdMs: Math.round(etcdMs),
    etcdCpuMs,
    etcdInvalid: invalid,
    c50OkMs: Math.round(c50OkMs),
    c50OkCpuMs,
    c10OkUnsplitMs: Math.round(c10OkUnsplitMs),
    c10OkUnsplitCpuMs,
    c10OkUnsplitConfigurations: r10.stats.configurations,
    c10OkUnsplitPeakRssMB: Math.round(peak / 2 ** 20),
  };
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return Math.round((used.user + used.system) / 1000);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(JSON.stringify(await run(), null, 2));
}
