/**
 * Runner throughput: the in-process no-op workload, 50 processes, no rate limit, every op
 * streamed to history.jsonl on disk. `node dist/bench/runner.js` (after `npx tsc -p .`).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JsonlWriter } from '../src/history/codecs/index.js';
import { runTest } from '../src/run/runner.js';
import { bindClients } from '../workloads/bind.js';
import { noop } from '../workloads/noop.js';
import type { WorkloadContext } from '../workloads/types.js';

export interface RunnerFigures {
  processes: number;
  seconds: number;
  ops: number;
  /** Completed client ops per second (each op is two history lines: invoke and completion). */
  opsPerSecond: number;
  /** Completed ops per second of CPU time used by the process: steadier on a busy machine. */
  opsPerCpuSecond: number;
  /** Load average of the machine at the end (over 1 minute), to judge the wall-clock figure. */
  loadAverage: number;
  historyBytes: number;
}

export async function run(
  seconds = Number(process.env.BENCH_SECONDS ?? 5),
  processes = 50,
): Promise<RunnerFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-runner-'));
  try {
    const path = join(dir, 'history.jsonl');
    const writer = JsonlWriter.open(path);
    const ctx: WorkloadContext = {
      options: {},
      dbOptions: {},
      concurrency: processes,
      nodes: [],
      endpoint: (n) => n,
    };
    const cpuBefore = process.cpuUsage();
    const outcome = await runTest({
      concurrency: processes,
      nodes: [],
      seed: 1,
      timeLimitS: seconds,
      opTimeoutMs: 5000,
      quietS: 0,
      finalTimeLimitS: 1,
      newClient: bindClients(noop, undefined, ctx),
      generator: noop.generator(ctx),
      history: writer,
      log: () => undefined,
    });
    writer.close();
    const cpu = process.cpuUsage(cpuBefore);
    let ops = 0;
    for (const o of outcome.ops) if (o.type === 'ok') ops++;
    return {
      processes,
      seconds,
      ops,
      opsPerSecond: Math.round(ops / seconds),
      opsPerCpuSecond: Math.round(ops / ((cpu.user + cpu.system) / 1e6)),
      loadAverage: Math.round(loadavg()[0]! * 10) / 10,
      historyBytes: statSync(path).size,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await run(), null, 2));
}
