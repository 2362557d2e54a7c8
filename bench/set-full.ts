/**
 * Bench: `set-full` on a long grow-only-set history.
 *
 * 10 processes add 1,000,000 distinct integers (each round every process invokes one op, then
 * all complete, so adds are concurrent); every 1,000th op is instead a read returning every
 * element acknowledged so far. That is 1,000 reads holding ~5×10^8 elements in all: the
 * checker must visit each. To keep that in memory the reads are views (`subarray`) of one
 * Int32Array of acknowledged elements — the checker cannot tell, it reads them element by
 * element as it would separate arrays. A second, smaller case uses ordinary JS arrays, as a
 * history decoded from JSON would have.
 *
 * Run: `npx tsc -p . && node dist/bench/set-full.js`
 */
import { pathToFileURL } from 'node:url';
import { checkSetFull } from '../checkers/set.js';
import { History, type Op } from '../src/history/index.js';

/** The figures of one case. */
export interface SetFullFigures {
  case: string;
  adds: number;
  reads: number;
  /** Elements returned by all reads together. */
  readElements: number;
  buildMs: number;
  /** Wall-clock time of the check. */
  checkMs: number;
  /** CPU time (user + system) of the check: steadier than wall-clock on a busy machine. */
  checkCpuMs: number;
  /** The target for the 1M case: checked within 2 s. */
  targetMs: number | null;
  /** Adds checked per second. */
  addsPerSecond: number;
  valid: unknown;
  stableCount: number;
  heapUsedMiB: number;
}

/** Builds the history: `adds` adds by `processes` processes, a read every `readEvery` ops. */
export function setFullHistory(
  adds: number,
  { processes = 10, readEvery = 1000, typedReads = true } = {},
): History {
  const ops: Op[] = [];
  const acked = new Int32Array(adds);
  let ackedCount = 0;
  let next = 0;
  let time = 0;
  let opCount = 0;
  while (next < adds) {
    const round: { process: number; f: 'add' | 'read'; value: number | null }[] = [];
    for (let p = 0; p < processes && next < adds; p++) {
      opCount++;
      const f = opCount % readEvery === 0 ? 'read' : 'add';
      const value = f === 'add' ? next++ : null;
      round.push({ process: p, f, value });
      time += 1000;
      ops.push({ index: 0, time, type: 'invoke', process: p, f, value });
    }
    for (const { process, f, value } of round) {
      time += 1000;
      if (f === 'add') {
        acked[ackedCount++] = value as number;
        ops.push({ index: 0, time, type: 'ok', process, f, value });
      } else {
        const seen = typedReads ? acked.subarray(0, ackedCount) : Array.from(acked.subarray(0, ackedCount));
        ops.push({ index: 0, time, type: 'ok', process, f, value: seen });
      }
    }
  }
  // The final read sees everything.
  const all = typedReads ? acked.subarray(0, ackedCount) : Array.from(acked.subarray(0, ackedCount));
  ops.push({ index: 0, time: time + 1000, type: 'invoke', process: 0, f: 'read', value: null });
  ops.push({ index: 0, time: time + 2000, type: 'ok', process: 0, f: 'read', value: all });
  return History.from(ops);
}

function measure(label: string, adds: number, typedReads: boolean): SetFullFigures {
  const t0 = performance.now();
  const history = setFullHistory(adds, { typedReads });
  const t1 = performance.now();
  const cpu = process.cpuUsage();
  const result = checkSetFull(history);
  const t2 = performance.now();
  const used = process.cpuUsage(cpu);
  let readElements = 0;
  let reads = 0;
  for (const op of history.ops) {
    if (op.f === 'read' && op.type === 'ok') {
      reads++;
      readElements += (op.value as ArrayLike<number>).length;
    }
  }
  return {
    case: label,
    adds,
    reads,
    readElements,
    buildMs: Math.round(t1 - t0),
    checkMs: Math.round(t2 - t1),
    checkCpuMs: Math.round((used.user + used.system) / 1000),
    targetMs: adds >= 1_000_000 ? 2000 : null,
    addsPerSecond: Math.round(adds / ((t2 - t1) / 1000)),
    valid: result.valid,
    stableCount: result.stableCount,
    heapUsedMiB: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
  };
}

/** Runs both cases and returns their figures. */
export async function run(): Promise<SetFullFigures[]> {
  const figures = [measure('1M adds, reads as views of one buffer', 1_000_000, true)];
  figures.push(measure('100k adds, reads as JS arrays', 100_000, false));
  return figures;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const f of await run()) console.log(JSON.stringify(f));
}
