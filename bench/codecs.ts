/**
 * Codec benchmark: read + pair a 1,000,000-op history from JSONL and from EDN, and record
 * ops with JsonlWriter. Targets on a 2-core machine: JSONL <= 3 s, EDN <= 15 s, peak RSS
 * < 1 GiB. Run: `npx tsc -p . && node dist/bench/codecs.js [ops]`.
 */
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { mulberry32 } from '../src/generator/random.js';
import { JsonlWriter, opToEdn, opToJsonl, readHistoryFile } from '../src/history/codecs/index.js';
import type { Op, OpType } from '../src/history/op.js';

/** What {@link run} measured. */
export interface CodecFigures {
  ops: number;
  jsonlMiB: number;
  ednMiB: number;
  /** Seconds to read and pair (History.from) the JSONL file. */
  jsonlReadSeconds: number;
  /** Seconds to read and pair the EDN file. */
  ednReadSeconds: number;
  /** CPU seconds (user + system, all threads) of each read: steadier than wall time on a busy machine. */
  jsonlReadCpuSeconds: number;
  ednReadCpuSeconds: number;
  /** Ops per second recorded through JsonlWriter (flushes included). */
  writerOpsPerSecond: number;
  /** Peak resident set size of this process, MiB. */
  peakRssMiB: number;
  /** JSONL <= 3 s, EDN <= 15 s, writer >= 100,000 ops/s, peak RSS < 1 GiB (for 1,000,000 ops). */
  withinTargets: boolean;
}

/**
 * Yields a well-formed cas-register history in batches: `processes` concurrent workers,
 * reads, writes and cas ops, some failing and a few crashing (info), after which the
 * worker continues under a fresh process id, as Jepsen's do.
 */
export function* generateHistory(total: number, processes = 50, batch = 10_000): Generator<Op[]> {
  const rnd = mulberry32(42);
  const ids = Array.from({ length: processes }, (_, i) => i);
  const open: (Op | undefined)[] = new Array(processes).fill(undefined);
  let nextId = processes;
  let time = 0;
  let index = 0;
  let out: Op[] = [];
  while (index < total) {
    const w = Math.floor(rnd() * processes);
    const pending = open[w];
    time += 1 + Math.floor(rnd() * 1000);
    let op: Op;
    if (pending === undefined) {
      const r = rnd();
      const f = r < 0.5 ? 'read' : r < 0.8 ? 'write' : 'cas';
      const value =
        f === 'read'
          ? null
          : f === 'write'
            ? Math.floor(rnd() * 5)
            : [Math.floor(rnd() * 5), Math.floor(rnd() * 5)];
      op = { index, time, type: 'invoke', process: ids[w]!, f, value };
      open[w] = op;
    } else {
      const r = rnd();
      const type: OpType = r < 0.8 ? 'ok' : r < 0.97 ? 'fail' : 'info';
      const value = pending.f === 'read' && type === 'ok' ? Math.floor(rnd() * 5) : pending.value;
      op = { index, time, type, process: pending.process, f: pending.f, value };
      if (type !== 'ok') op.error = type === 'info' ? 'timed-out' : 'cas-mismatch';
      open[w] = undefined;
      if (type === 'info') ids[w] = nextId++;
    }
    out.push(op);
    index++;
    if (out.length === batch) {
      yield out;
      out = [];
    }
  }
  if (out.length > 0) yield out;
}

function seconds(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e9;
}

function cpuSeconds(since: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(since);
  return (user + system) / 1e6;
}

/** Runs the benchmark in a temporary directory (removed afterwards) and returns the figures. */
export async function run(options: { ops?: number } = {}): Promise<CodecFigures> {
  const total = options.ops ?? 1_000_000;
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-codecs-'));
  try {
    const jsonlPath = join(dir, 'history.jsonl');
    const ednPath = join(dir, 'history.edn');
    const writerPath = join(dir, 'writer.jsonl');
    const jsonlFd = openSync(jsonlPath, 'w');
    const ednFd = openSync(ednPath, 'w');
    let writerSeconds = 0;
    const writer = JsonlWriter.open(writerPath);
    for (const batch of generateHistory(total)) {
      writeSync(jsonlFd, `${batch.map(opToJsonl).join('\n')}\n`);
      writeSync(ednFd, `${batch.map(opToEdn).join('\n')}\n`);
      const t = process.hrtime.bigint();
      for (const op of batch) writer.write(op);
      writerSeconds += seconds(t);
    }
    const t = process.hrtime.bigint();
    writer.close();
    writerSeconds += seconds(t);
    closeSync(jsonlFd);
    closeSync(ednFd);

    let start = process.hrtime.bigint();
    let cpu = process.cpuUsage();
    let history = await readHistoryFile(jsonlPath);
    const jsonlReadSeconds = seconds(start);
    const jsonlReadCpuSeconds = cpuSeconds(cpu);
    if (history.length !== total) throw new Error(`read ${history.length} ops from JSONL, wrote ${total}`);
    history = undefined as never;
    start = process.hrtime.bigint();
    cpu = process.cpuUsage();
    history = await readHistoryFile(ednPath);
    const ednReadSeconds = seconds(start);
    const ednReadCpuSeconds = cpuSeconds(cpu);
    if (history.length !== total) throw new Error(`read ${history.length} ops from EDN, wrote ${total}`);
    const peakRssMiB = process.resourceUsage().maxRSS / 1024;
    const writerOpsPerSecond = total / writerSeconds;
    return {
      ops: total,
      jsonlMiB: statSync(jsonlPath).size / 2 ** 20,
      ednMiB: statSync(ednPath).size / 2 ** 20,
      jsonlReadSeconds,
      ednReadSeconds,
      jsonlReadCpuSeconds,
      ednReadCpuSeconds,
      writerOpsPerSecond,
      peakRssMiB,
      withinTargets:
        jsonlReadSeconds <= 3 && ednReadSeconds <= 15 && writerOpsPerSecond >= 100_000 && peakRssMiB < 1024,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const ops = process.argv[2] ? Number(process.argv[2]) : undefined;
  const f = await run({ ops });
  console.log(`codecs: ${f.ops} ops (JSONL ${f.jsonlMiB.toFixed(0)} MiB, EDN ${f.ednMiB.toFixed(0)} MiB)`);
  console.log(
    `  JSONL read + pair  ${f.jsonlReadSeconds.toFixed(2)} s, ${f.jsonlReadCpuSeconds.toFixed(2)} s CPU (target <= 3 s)`,
  );
  console.log(
    `  EDN   read + pair  ${f.ednReadSeconds.toFixed(2)} s, ${f.ednReadCpuSeconds.toFixed(2)} s CPU (target <= 15 s)`,
  );
  console.log(
    `  JsonlWriter        ${Math.round(f.writerOpsPerSecond).toLocaleString('en')} ops/s (target >= 100,000)`,
  );
  console.log(`  peak RSS           ${f.peakRssMiB.toFixed(0)} MiB (target < 1024)`);
}
