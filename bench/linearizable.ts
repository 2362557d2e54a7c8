/**
 * Linearizability checker figures on the Porcupine corpus (read in place from
 * ../shared/data/porcupine): the whole etcd corpus (parse + check, cas-register), kv/c50-ok
 * split by key, and kv/c10-ok checked without splitting (time and peak memory). Each figure
 * is the median of several runs after one warm-up run (as `go test -bench` reports
 * Porcupine's); the first, cold run is reported too. `...CpuMs` is the process' CPU time over
 * the same runs, a figure a busy machine disturbs less than wall-clock time.
 *
 *     npx tsc -p . && node dist/bench/linearizable.js
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkLinearizable, type LinearizableResult } from '../checkers/linearizable/index.js';
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

/** One measured task: milliseconds, cold and steady. */
export interface Timing {
  firstMs: number;
  medianMs: number;
  medianCpuMs: number;
  runs: number;
}

export interface LinearizableFigures {
  etcd: Timing & { files: number; invalid: number };
  c50Ok: Timing & { configurations: number };
  c10OkUnsplit: Timing & { configurations: number; peakRssMB: number };
}

async function measure<T>(runs: number, task: () => Promise<T>): Promise<{ timing: Timing; last: T }> {
  const wall: number[] = [];
  const cpu: number[] = [];
  let last: T | undefined;
  for (let i = 0; i <= runs; i++) {
    const t = performance.now();
    const c = process.cpuUsage();
    last = await task();
    const used = process.cpuUsage(c);
    wall.push(performance.now() - t);
    cpu.push((used.user + used.system) / 1000);
  }
  const median = (xs: number[]) => Math.round([...xs].sort((a, b) => a - b)[xs.length >> 1]!);
  return {
    timing: {
      firstMs: Math.round(wall[0]!),
      medianMs: median(wall.slice(1)),
      medianCpuMs: median(cpu.slice(1)),
      runs,
    },
    last: last as T,
  };
}

export async function run(): Promise<LinearizableFigures> {
  if (!corpus) throw new Error('corpus not found: ../shared/data/porcupine');
  const etcdDir = join(corpus, 'etcd');
  const files = readdirSync(etcdDir)
    .filter((f) => f.endsWith('.log'))
    .sort();

  const etcd = await measure(3, async () => {
    let invalid = 0;
    for (const f of files) {
      const result = await checkLinearizable(await readHistoryFile(join(etcdDir, f)), 'cas-register');
      if (result.valid === false) invalid++;
    }
    return invalid;
  });

  const c50 = await readHistoryFile(join(corpus, 'kv', 'c50-ok.txt'));
  const c50Ok = await measure(5, () => checkLinearizable(c50, 'kv'));
  expectValid('c50-ok', c50Ok.last);

  const c10 = await readHistoryFile(join(corpus, 'kv', 'c10-ok.txt'));
  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 5);
  const c10Ok = await measure(3, () => checkLinearizable(c10, 'kv', { split: false }));
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
