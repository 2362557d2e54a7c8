import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = join(ROOT, 'dist/src/cli/main.js');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds dist/ (tsc) when it is missing or older than the sources the CLI is made of. */
export function ensureBuilt(): void {
  const sources = Math.max(
    ...['src', 'checkers', 'workloads', 'nemeses'].map((d) => newestSource(join(ROOT, d))),
  );
  if (existsSync(MAIN) && statSync(MAIN).mtimeMs >= sources) return;
  spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'ignore' });
  if (!existsSync(MAIN)) throw new Error('npx tsc -p tsconfig.json did not produce dist/src/cli/main.js');
}

/** Runs the built CLI; `timeout` (ms) kills a hung one (status null). */
export function faultline(
  args: string[],
  options: { cwd?: string; timeout?: number } = {},
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('node', [MAIN, ...args], {
    cwd: options.cwd ?? ROOT,
    encoding: 'utf8',
    timeout: options.timeout ?? 60_000,
    maxBuffer: 64 << 20,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
