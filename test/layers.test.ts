/**
 * The direction of imports inside the package: the library core (history, control, db,
 * generator, ensemble, client) imports nothing above it; workloads, nemeses and checkers
 * import only the core; and src/run never imports src/cli. The public entry points
 * (src/index.ts, src/public/) sit on top and may import anything.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support/cli.js';

const CORE = ['src/history', 'src/control', 'src/db', 'src/generator', 'src/ensemble', 'src/client'];
const CORE_FILES = ['src/errors.ts', 'src/version.ts', 'src/registry.ts'];
const MIDDLE = ['workloads', 'nemeses', 'checkers'];
const APPLICATION = ['src/cli', 'src/run', 'src/serve', 'src/bench', 'src/report', 'src/quorum', 'bench'];

type Layer = 'core' | 'middle' | 'application' | 'entry';

function layerOf(file: string): Layer | undefined {
  const under = (dirs: string[]) => dirs.some((d) => file === d || file.startsWith(`${d}/`));
  if (under(CORE) || CORE_FILES.includes(file)) return 'core';
  if (under(MIDDLE)) return 'middle';
  if (under(APPLICATION)) return 'application';
  if (file === 'src/index.ts' || under(['src/public'])) return 'entry';
  return undefined;
}

const RANK: Record<Layer, number> = { core: 0, middle: 1, application: 2, entry: 3 };

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Relative specifiers of static imports, re-exports and dynamic imports. */
function importsOf(text: string): string[] {
  const found: string[] = [];
  const pattern = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)(['"])(\.{1,2}\/[^'"]+)\1/gm;
  for (const m of text.matchAll(pattern)) found.push(m[2]!);
  return found;
}

function edges(): { from: string; to: string }[] {
  const files = ['src', ...MIDDLE, 'bench'].flatMap(sources);
  return files.flatMap((from) =>
    importsOf(readFileSync(join(ROOT, from), 'utf8')).map((spec) => ({
      from,
      to: relative(ROOT, resolve(ROOT, dirname(from), spec)).replace(/\.js$/, '.ts'),
    })),
  );
}

/** Imports that go against the layers, as `from -> to`. */
function violations(list: { from: string; to: string }[]): string[] {
  return list
    .filter(({ from, to }) => {
      const a = layerOf(from);
      const b = layerOf(to);
      if (from.startsWith('src/run/') && to.startsWith('src/cli/')) return true;
      return a !== undefined && b !== undefined && RANK[b] > RANK[a];
    })
    .map(({ from, to }) => `${from} -> ${to}`);
}

describe('layers', () => {
  it('finds static, type-only, re-exported and dynamic imports', () => {
    expect(
      importsOf(`import { a } from './a.js';
import type { B } from "../b.js";
export * from './c.js';
import './d.js';
const e = await import('./e.js');
import { x } from 'node:fs';`),
    ).toEqual(['./a.js', '../b.js', './c.js', './d.js', './e.js']);
  });

  it('would catch a core module importing the application, and src/run importing src/cli', () => {
    expect(
      violations([
        { from: 'src/history/history.ts', to: 'src/run/plan.ts' },
        { from: 'src/db/etcd.ts', to: 'workloads/register.ts' },
        { from: 'checkers/set.ts', to: 'src/report/html.ts' },
        { from: 'src/run/execute.ts', to: 'src/cli/check.ts' },
        { from: 'src/run/execute.ts', to: 'src/db/index.ts' },
        { from: 'src/cli/run.ts', to: 'src/run/execute.ts' },
      ]),
    ).toEqual([
      'src/history/history.ts -> src/run/plan.ts',
      'src/db/etcd.ts -> workloads/register.ts',
      'checkers/set.ts -> src/report/html.ts',
      'src/run/execute.ts -> src/cli/check.ts',
    ]);
  });

  it('holds in the source tree', () => {
    const all = edges();
    expect(all.length).toBeGreaterThan(100);
    expect(violations(all)).toEqual([]);
  });
});
