/**
 * The one way tests reach the built CLI and compiled tree: `npm run build` makes dist/ (`npm
 * test` runs it first). Tests never compile. A missing or stale dist/ fails with what to run;
 * outside CI, a missing dist/ skips the suites that need it (see {@link describeBuilt}).
 */
import { type SpawnSyncOptions, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe } from 'vitest';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The compiled tree. */
export const DIST = join(ROOT, 'dist');
/** The `faultline` command as installed: bin/faultline.js runs dist/src/cli/bin.js. */
export const BIN = join(ROOT, 'bin', 'faultline.js');
const BUILT_CLI = join(DIST, 'src', 'cli', 'bin.js');
const SOURCES = ['src', 'checkers', 'workloads', 'nemeses'];

/** True when dist/ holds the CLI. */
export const built = existsSync(BUILT_CLI);

/** Whether suites that need dist/ run: when it is built, and always under CI=true (where it must be). */
export const needsBuild = built || process.env.CI === 'true';

/** `describe` for suites that need dist/ (skipped outside CI when it is not built). */
export const describeBuilt: typeof describe.skip = needsBuild ? describe : describe.skip;

/** Throws, saying what to run, when dist/ is missing or older than a source file. */
export function requireBuilt(): void {
  if (!built) throw new Error(`${BUILT_CLI} is missing: run \`npm run build\` (npm test runs it first)`);
  const builtAt = statSync(BUILT_CLI).mtimeMs;
  const newer = SOURCES.map((d) => newestSource(join(ROOT, d))).find((s) => s.mtimeMs > builtAt);
  if (newer) throw new Error(`dist/ is older than ${newer.path}: run \`npm run build\``);
}

/** Runs `faultline ARGS…` to completion. */
export function faultline(
  args: readonly string[],
  options: SpawnSyncOptions = {},
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, ...options, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function newestSource(dir: string): { path: string; mtimeMs: number } {
  let newest = { path: dir, mtimeMs: 0 };
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const candidate = entry.isDirectory()
      ? newestSource(path)
      : entry.name.endsWith('.ts')
        ? { path, mtimeMs: statSync(path).mtimeMs }
        : newest;
    if (candidate.mtimeMs > newest.mtimeMs) newest = candidate;
  }
  return newest;
}
