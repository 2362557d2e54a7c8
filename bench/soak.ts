/**
 * Soak: ≥ 10M client ops through the runner at full speed against an in-process linearizable
 * store (workloads/soak-store.ts), with online checking — per-key linearizability
 * (cas-register, keys rotating every 100 ops), set, and perf — and ops kept only on disk
 * (history.jsonl), not in memory. Two cases, each in a fresh process so that its peak RSS is
 * its own: `clean` (must be valid) and `planted` (rare impossible reads and dropped adds; every
 * one must be found). Figures: ops/s, controller peak RSS, seconds from the end of the run to
 * the verdict, planted violations found.
 *
 *     npm run bench -- soak                  (SOAK_OPS=10000000 by default)
 *     node dist/bench/soak.js planted        one case, figures as JSON
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OnlineIndependentLinearizable } from '../checkers/online/independent-linearizable.js';
import { OnlinePerf } from '../checkers/online/perf.js';
import { OnlineSet } from '../checkers/online/set.js';
import { composeResults } from '../checkers/result.js';
import { JsonlWriter } from '../src/history/codecs/index.js';
import type { Op } from '../src/history/op.js';
import { runTest } from '../src/run/runner.js';
import { SoakStore, soakClient, soakFinalRead, soakGenerator } from '../workloads/soak-store.js';

const OPS = Number(process.env.SOAK_OPS ?? 10_000_000);
const PROCESSES = 50;
const OPS_PER_KEY = 100;

export interface SoakCase {
  case: 'clean' | 'planted';
  /** Completed client ops (each is an invoke and a completion in the history). */
  ops: number;
  runSeconds: number;
  opsPerSecond: number;
  /** The controller's peak resident set (the whole process, run and checking). */
  peakRssMiB: number;
  /** From the end of the run to the composed verdict. */
  verdictSeconds: number;
  valid: unknown;
  keysChecked: number;
  keysCheckedOnline: number;
  peakBufferedOps: number;
  setAttempts: number;
  plantedStaleReads: number;
  foundStaleReads: number;
  plantedLostAdds: number;
  foundLostAdds: number;
  historyMiB: number;
}

export async function runCase(name: SoakCase['case'], ops = OPS): Promise<SoakCase> {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-soak-'));
  try {
    const planted = name === 'planted';
    const store = new SoakStore(planted ? { staleReadEvery: 400_009, loseAddEvery: 250_007 } : {});
    const failedKeys = new Set<unknown>();
    const register = new OnlineIndependentLinearizable({
      model: 'cas-register',
      opsPerKey: OPS_PER_KEY,
      workers: 1,
      onFailure: (key) => failedKeys.add(key),
    });
    const set = new OnlineSet();
    const perf = new OnlinePerf();
    const path = join(dir, 'history.jsonl');
    const writer = JsonlWriter.open(path);
    const started = performance.now();
    const outcome = await runTest({
      concurrency: PROCESSES,
      nodes: [],
      seed: 1,
      timeLimitS: 24 * 3600,
      opTimeoutMs: 60_000,
      quietS: 0,
      finalTimeLimitS: 60,
      newClient: soakClient(store),
      generator: soakGenerator({ ops, opsPerKey: OPS_PER_KEY }),
      finalGenerator: soakFinalRead(),
      history: writer,
      log: () => undefined,
      retainOps: false,
      observer: {
        onOp: (op: Op) => {
          // Keyed ops are the registers'; the rest is the set.
          if (op.key === undefined) set.add(op);
          else register.add(op);
          perf.add(op);
        },
      },
    });
    writer.close();
    const ended = performance.now();
    const registerResult = await register.finish();
    const setResult = await set.finish();
    const perfResult = await perf.finish();
    const verdict = composeResults({ linearizable: registerResult, set: setResult, perf: perfResult });
    const verdictSeconds = (performance.now() - ended) / 1000;
    const runSeconds = (ended - started) / 1000;
    const completed = perfResult.counts.ok + perfResult.counts.fail + perfResult.counts.info;
    const lost = new Set(setResult.lost);
    return {
      case: name,
      ops: completed,
      runSeconds: round(runSeconds),
      opsPerSecond: Math.round(completed / runSeconds),
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
      verdictSeconds: round(verdictSeconds),
      valid: verdict.valid,
      keysChecked: registerResult.keys,
      keysCheckedOnline: registerResult.checkedOnline,
      peakBufferedOps: registerResult.peakBufferedOps,
      setAttempts: setResult.attemptCount,
      plantedStaleReads: store.staleKeys.size,
      foundStaleReads: [...store.staleKeys].filter((k) => failedKeys.has(k)).length,
      plantedLostAdds: store.lostElements.length,
      foundLostAdds: store.lostElements.filter((e) => lost.has(e)).length,
      historyMiB: Math.round(statSync(path).size / 2 ** 20),
      ...(outcome.error === undefined ? {} : { error: String(outcome.error) }),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

/** Both cases, each in its own process (peak RSS is per process). */
export async function run(): Promise<SoakCase[]> {
  const self = fileURLToPath(import.meta.url);
  return (['clean', 'planted'] as const).map((name) => {
    const out = execFileSync(process.execPath, ['--max-old-space-size=4096', self, name], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const figures = JSON.parse(out) as SoakCase;
    console.log(JSON.stringify(figures));
    return figures;
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const name = process.argv[2] === 'clean' ? 'clean' : 'planted';
  console.log(JSON.stringify(await runCase(name, Number(process.argv[3] ?? OPS))));
}
