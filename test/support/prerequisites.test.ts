import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './paths.js';

/** Runs the fixture suite in a child vitest with CI set or not. */
function runFixture(ci: boolean): { status: number | null; output: string } {
  const env = { ...process.env };
  delete env.CI;
  if (ci) env.CI = 'true';
  const r = spawnSync(
    process.execPath,
    [
      join(REPO_ROOT, 'node_modules', 'vitest', 'vitest.mjs'),
      'run',
      '--config',
      join(import.meta.dirname, 'fixtures', 'vitest.config.ts'),
    ],
    { cwd: join(import.meta.dirname, 'fixtures'), env, encoding: 'utf8', timeout: 170_000 },
  );
  return { status: r.status, output: `${r.stdout}\n${r.stderr}` };
}

describe('a missing prerequisite', () => {
  it('skips the tests that need it on a developer machine', () => {
    const r = runFixture(false);
    expect(r.output).toMatch(/1 passed/);
    expect(r.output).toMatch(/1 skipped/);
    expect(r.status).toBe(0);
  }, 180_000);

  it('fails the run under CI=true, naming what is missing', () => {
    const r = runFixture(true);
    expect(r.output).toMatch(/prerequisite: a tool that is not there/);
    expect(r.output).toMatch(/1 failed/);
    expect(r.status).not.toBe(0);
  }, 180_000);
});

/** Every test source, as paths relative to the repository root. */
function testSources(dir = join(REPO_ROOT, 'test')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'fixtures' ? [] : testSources(path);
    return e.name.endsWith('.ts') ? [relative(REPO_ROOT, path)] : [];
  });
}

describe('test sources', () => {
  const sources = testSources();

  it('find the shared folder from the repository root, never at an absolute path', () => {
    expect(sources.length).toBeGreaterThan(50);
    const absolute = sources.filter((f) =>
      /['"`]\/[^'"`\n]*\/shared(\/|['"`])/.test(readFileSync(join(REPO_ROOT, f), 'utf8')),
    );
    expect(absolute).toEqual([]);
  });

  it('skip only through prerequisite(), so that CI=true turns a skip into a failure', () => {
    const skipping = sources.flatMap((f) =>
      readFileSync(join(REPO_ROOT, f), 'utf8')
        .split('\n')
        .map((line, i) => ({ line, where: `${f}:${i + 1}` }))
        .filter(
          ({ line }) => /\.(skipIf|runIf|skip)\(|\bit\.todo\(/.test(line) && !/prerequisite\(/.test(line),
        )
        .map(({ where }) => where),
    );
    expect(skipping).toEqual([]);
  });
});
