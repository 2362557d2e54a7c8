/**
 * Key-windowed list-append checking of a long history file: writes a rotating-key history
 * (100 keys in use, each retired after 32 appends, as Jepsen's workload) of WINDOWED_OPS ops
 * (default 2,000,000) to a temp file, then checks it with `--windowed` semantics in fresh
 * processes, so each peak RSS is the check's own. Figures: wall seconds and peak RSS, medians
 * of WINDOWED_REPS runs (default 3); one windowed run with the heap capped at 384 MiB (V8
 * otherwise lets garbage pile up to a good part of its limit); and for contrast one in-memory
 * check of the same file.
 *
 *     npm run bench -- elle-windowed
 *     node dist/bench/elle-windowed.js check <file> [windowOps]   one check, figures as JSON
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_WINDOW_OPS } from '../checkers/elle/windowed.js';
import { checkWindowedFile } from '../src/cli/check-windowed.js';
import { opToJsonl } from '../src/history/codecs/index.js';
import { checkHistoryFile } from '../src/run/check.js';
import { simulateListAppend } from './elle.js';

const OPS = Number(process.env.WINDOWED_OPS ?? 2_000_000);
const REPS = Number(process.env.WINDOWED_REPS ?? 3);
const SMALL_HEAP_MIB = 384;

/** One check's figures. */
export interface WindowedCheckFigures {
  mode: 'windowed' | 'in-memory';
  seconds: number;
  /** CPU time (user + system): steadier than wall time on a shared machine. */
  cpuSeconds: number;
  peakRssMiB: number;
  valid: unknown;
  windows?: number;
  maxOpsInMemory?: number;
  keys?: number;
}

export interface WindowedBenchFigures {
  ops: number;
  historyMiB: number;
  windowOps: number;
  /** Medians over the repetitions. */
  windowedSeconds: number;
  windowedCpuSeconds: number;
  windowedPeakRssMiB: number;
  windowedRuns: WindowedCheckFigures[];
  /** One windowed run with the heap capped (--max-old-space-size). */
  smallHeapMiB: number;
  smallHeap: WindowedCheckFigures;
  inMemory: WindowedCheckFigures;
}

/** Writes a strict-serializable rotating-key history of about `ops` ops to `file`. */
async function writeHistory(file: string, ops: number): Promise<void> {
  const history = simulateListAppend({ transactions: Math.round(ops / 2), infoRate: 0.001, failRate: 0.01 });
  const out = createWriteStream(file);
  let chunk = '';
  for (const op of history) {
    chunk += `${opToJsonl(op)}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      chunk = '';
    }
  }
  await new Promise<void>((resolve, reject) => out.end(chunk, () => resolve()).once('error', reject));
}

async function checkOnce(file: string, windowOps: number | undefined): Promise<WindowedCheckFigures> {
  const t0 = performance.now();
  const cpu = () => {
    const { user, system } = process.cpuUsage();
    return round((user + system) / 1e6);
  };
  if (windowOps === undefined) {
    const { result } = await checkHistoryFile(file, { checker: 'list-append' });
    return {
      mode: 'in-memory',
      seconds: round((performance.now() - t0) / 1000),
      cpuSeconds: cpu(),
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
      valid: result.valid,
    };
  }
  const { result } = await checkWindowedFile(file, 'list-append', windowOps, {});
  return {
    mode: 'windowed',
    seconds: round((performance.now() - t0) / 1000),
    cpuSeconds: cpu(),
    // maxRSS is in KiB.
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    valid: result.valid,
    windows: result.windowed.windows,
    maxOpsInMemory: result.windowed.maxOpsInMemory,
    keys: result.windowed.keys,
  };
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Runs this module in a fresh process and parses the JSON it prints. */
function child(args: string[], heapMiB = 4096): unknown {
  const out = execFileSync(
    process.execPath,
    [`--max-old-space-size=${heapMiB}`, fileURLToPath(import.meta.url), ...args],
    { encoding: 'utf8', maxBuffer: 1 << 24 },
  );
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

export async function run(): Promise<WindowedBenchFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-windowed-'));
  try {
    const file = join(dir, 'history.jsonl');
    child(['write', file, String(OPS)]);
    const runs: WindowedCheckFigures[] = [];
    for (let i = 0; i < REPS; i++) {
      runs.push(child(['check', file, String(DEFAULT_WINDOW_OPS)]) as WindowedCheckFigures);
    }
    // With room to spare V8 lets garbage pile up; a small heap shows what the check needs.
    const smallHeap = child(
      ['check', file, String(DEFAULT_WINDOW_OPS)],
      SMALL_HEAP_MIB,
    ) as WindowedCheckFigures;
    const inMemory = child(['check', file]) as WindowedCheckFigures;
    return {
      ops: OPS,
      historyMiB: Math.round(statSync(file).size / 2 ** 20),
      windowOps: DEFAULT_WINDOW_OPS,
      windowedSeconds: median(runs.map((r) => r.seconds)),
      windowedCpuSeconds: median(runs.map((r) => r.cpuSeconds)),
      windowedPeakRssMiB: median(runs.map((r) => r.peakRssMiB)),
      windowedRuns: runs,
      smallHeapMiB: SMALL_HEAP_MIB,
      smallHeap,
      inMemory,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const isMain =
  process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/.*\//, '/'));
if (isMain) {
  const [mode, file, n] = process.argv.slice(2);
  if (mode === 'write' && file) {
    await writeHistory(file, Number(n ?? OPS));
    console.log(JSON.stringify({ written: file }));
  } else if (mode === 'check' && file) {
    console.log(JSON.stringify(await checkOnce(file, n === undefined ? undefined : Number(n))));
  } else {
    console.log(JSON.stringify(await run(), null, 2));
  }
}
