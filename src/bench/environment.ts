/** Where a benchmark ran: the machine, faultline's version and commit, the db and its nodes. */
import { execFileSync } from 'node:child_process';
import { cpus, hostname, release, totalmem } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VERSION } from '../version.js';

/** The environment recorded with every bench case. */
export interface BenchEnvironment {
  faultline: string;
  /** Git commit of the faultline checkout (with `-dirty` when it has uncommitted changes), if known. */
  commit: string | null;
  node: string;
  machine: { hostname: string; cpus: number; cpuModel: string; memoryGiB: number; kernel: string };
}

let cached: BenchEnvironment | undefined;

/** The controller's environment (computed once per process). */
export function benchEnvironment(): BenchEnvironment {
  cached ??= {
    faultline: VERSION,
    commit: gitCommit(),
    node: process.version,
    machine: {
      hostname: hostname(),
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
      memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
      kernel: release(),
    },
  };
  return cached;
}

function gitCommit(): string | null {
  const cwd = dirname(fileURLToPath(import.meta.url));
  try {
    const head = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd,
      encoding: 'utf8',
    });
    return dirty.trim() ? `${head}-dirty` : head;
  } catch {
    return null;
  }
}
