/**
 * The package's public surface: every `exports` subpath exists and is built from src/public/,
 * the curated entry point exports nothing the themed subpaths do not, and the installed bin
 * never compiles (without dist/ it says what to run and exits 254).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support/cli.js';

interface PackageJson {
  exports: Record<string, string | { types: string; default: string }>;
  files: string[];
  scripts: Record<string, string>;
}
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as PackageJson;

/** The source file of a built path, e.g. ./dist/src/public/db.js → src/public/db.ts. */
const sourceOf = (built: string) => built.replace(/^\.\/dist\//, '').replace(/\.js$/, '.ts');

describe('public API', () => {
  const subpaths = Object.entries(pkg.exports).filter(([k]) => k !== './package.json' && k !== '.');

  it('has typed subpaths for db, workload, checkers, generator, history, nemesis, ensemble, run', () => {
    expect(subpaths.map(([k]) => k).sort()).toEqual(
      [
        './checkers',
        './db',
        './ensemble',
        './generator',
        './history',
        './nemesis',
        './run',
        './workload',
      ].sort(),
    );
    for (const [, target] of Object.entries(pkg.exports).filter(([k]) => k !== './package.json')) {
      if (typeof target === 'string') throw new Error('every entry point has types');
      expect(target.types).toBe(target.default.replace(/\.js$/, '.d.ts'));
    }
    expect(pkg.files).toContain('dist/src');
    expect(pkg.scripts.prepare).toMatch(/npm run build/);
    expect(pkg.scripts.prepack).toMatch(/npm run build/);
  });

  it('exports from the entry point only what a themed subpath exports too (or the core basics)', async () => {
    const index = await import(join(ROOT, 'src', 'index.ts'));
    const themed = new Set<string>();
    for (const [, target] of subpaths) {
      const built = typeof target === 'string' ? target : target.default;
      for (const name of Object.keys(await import(join(ROOT, sourceOf(built))))) themed.add(name);
    }
    const basics = ['EXIT', 'InputError', 'Registry', 'VERSION'];
    expect(Object.keys(index).filter((n) => !themed.has(n) && !basics.includes(n))).toEqual([]);
    for (const name of [
      'DaemonDb',
      'executePlan',
      'runTest',
      'History',
      'Generator',
      'clientKind',
      'CHECKERS',
    ]) {
      expect(index).toHaveProperty(name);
    }
  });

  it('bin/faultline.js never compiles: without dist/ it names the command to run and exits 254', () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-bin-'));
    try {
      mkdirSync(join(dir, 'bin'));
      copyFileSync(join(ROOT, 'bin', 'faultline.js'), join(dir, 'bin', 'faultline.js'));
      const r = spawnSync(process.execPath, [join(dir, 'bin', 'faultline.js'), '--version'], {
        encoding: 'utf8',
      });
      expect(r.stderr).toMatch(/^faultline: .*dist\/src\/cli\/bin\.js is missing: run `npm run build` in /);
      expect(r.status).toBe(254);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('importing src/cli/main.ts runs nothing', async () => {
    const exit = process.exit;
    let exited = false;
    process.exit = (() => {
      exited = true;
    }) as typeof process.exit;
    try {
      const main = await import('../src/cli/main.js');
      expect(typeof main.main).toBe('function');
    } finally {
      process.exit = exit;
    }
    expect(exited).toBe(false);
  });
});
