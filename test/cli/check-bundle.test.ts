/**
 * `faultline check` runs from a bundle of its path (dist/src/check-bundle.cjs) for a fast cold
 * start. It must behave exactly as the compiled modules do: same output, same exit code, for
 * verdicts, help, bad input, the lazily loaded registry and the model's initial state. It loads
 * with the V8 code cache the build stores beside it, and answers the same when that cache is
 * garbled, stale or gone.
 */
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DIST, describeBuilt, faultline, needsBuild, ROOT, requireBuilt } from '../support/cli.js';

let dir: string;
beforeAll(() => {
  if (needsBuild) requireBuilt();
  dir = mkdtempSync(join(tmpdir(), 'faultline-bundle-'));
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The compiled CLI without the bundle: what `faultline` ran before it. */
function unbundled(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(DIST, 'src', 'cli', 'bin.js'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const CAS_INVALID = [
  '{"type":"invoke","process":0,"f":"write","value":1}',
  '{"type":"ok","process":0,"f":"write","value":1}',
  '{"type":"invoke","process":1,"f":"read","value":null}',
  '{"type":"ok","process":1,"f":"read","value":2}',
  '',
].join('\n');

describeBuilt('faultline check from its bundle', () => {
  it('is built next to the compiled CLI', () => {
    expect(existsSync(join(DIST, 'src', 'check-bundle.cjs'))).toBe(true);
  });

  const cases: [string, (file: string) => string[]][] = [
    ['an invalid history', (f) => ['check', f, '--model', 'cas-register']],
    ['the same as JSON', (f) => ['check', f, '--model', 'cas-register', '--json']],
    [
      'an initial state (loads the registry)',
      (f) => ['check', f, '--model', 'cas-register', '--initial', '2'],
    ],
    ['another checker (loads the registry)', (f) => ['check', f, '--checker', 'stats']],
    ['an unknown checker', (f) => ['check', f, '--checker', 'no-such-checker']],
    ['no analysis named', (f) => ['check', f]],
    ['a missing file', () => ['check', join(dir, 'missing.jsonl'), '--model', 'register']],
    ['help', () => ['check', '--help']],
    ['an unknown option', (f) => ['check', f, '--no-such-option']],
  ];
  for (const [name, args] of cases) {
    it(`answers as the compiled modules do: ${name}`, () => {
      const file = join(dir, 'cas.jsonl');
      writeFileSync(file, CAS_INVALID);
      const ours = faultline(args(file));
      const theirs = unbundled(args(file));
      // Timings in the text differ from run to run.
      const untimed = (s: string) => s.replace(/\d+(\.\d+)? ?ms\b/g, 'T').replace(/"elapsedMs": [\d.]+/g, '');
      expect({ ...ours, stdout: untimed(ours.stdout) }).toEqual({
        ...theirs,
        stdout: untimed(theirs.stdout),
      });
    });
  }
});

/** The bundle's files and their code caches, in dist/src of the tree at `root`. */
const bundleDir = (root: string) => join(root, 'dist', 'src');
const caches = (root: string) =>
  readdirSync(bundleDir(root)).filter((f) => /^check-bundle.*\.cjs\.cache$/.test(f));

/**
 * A copy of the installed command (bin/, dist/, package.json; node_modules linked) whose caches
 * a test may break without touching the dist/ other suites run from.
 */
function copyOfTree(): string {
  const copy = mkdtempSync(join(dir, 'tree-'));
  for (const part of ['bin', 'dist', 'package.json']) {
    // Kept times: the bundle is used only when as new as the compiled CLI.
    cpSync(join(ROOT, part), join(copy, part), { recursive: true, preserveTimestamps: true });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
  return copy;
}

/** `faultline ARGS…` run from the tree at `root`. */
function faultlineIn(root: string, args: readonly string[]) {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'faultline.js'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Runs `faultline ARGS…` from the tree at `root`, loading the bundle through bin/code-cache.js,
 * and says for each bundle file it loaded whether V8 took its cache: 'taken', 'rejected', or
 * 'none' (no usable cache given to V8).
 */
function cacheUse(root: string, args: readonly string[]): Record<string, string> {
  const probe = `
    const [, codeCache, prefix, ...args] = process.argv;
    const use = {};
    require(codeCache).loadWithCodeCache(prefix, (file, script) => { use[require('node:path').basename(file)] = script; });
    process.on('exit', () => {
      const said = (s) => (s.cachedDataRejected === undefined ? 'none' : s.cachedDataRejected ? 'rejected' : 'taken');
      process.stdout.write('\\n' + JSON.stringify(Object.fromEntries(Object.entries(use).map(([f, s]) => [f, said(s)]))));
    });
    require(prefix + '.cjs').checkMain([process.execPath, 'faultline', ...args]);`;
  const r = spawnSync(
    process.execPath,
    ['-e', probe, join(root, 'bin', 'code-cache.js'), join(bundleDir(root), 'check-bundle'), ...args],
    { cwd: ROOT, encoding: 'utf8' },
  );
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}');
}

describeBuilt('faultline check with the code cache of its bundle', () => {
  // Loads the registry too (and with it more bundle files).
  const args = (file: string) => ['check', file, '--model', 'cas-register', '--initial', '2'];
  const untimed = (r: { status: number | null; stdout: string; stderr: string }) => ({
    ...r,
    stdout: r.stdout.replace(/\d+(\.\d+)? ?ms\b/g, 'T'),
  });
  let file: string;
  let tree: string;
  beforeAll(() => {
    file = join(dir, 'cas-cached.jsonl');
    writeFileSync(file, CAS_INVALID);
    tree = copyOfTree();
  }, 60_000);

  it('is built beside the bundle, one cache per bundle file, made by this Node', () => {
    const made = caches(ROOT);
    expect(made).toContain('check-bundle.cjs.cache');
    for (const cache of made) {
      expect(existsSync(join(bundleDir(ROOT), cache.replace(/\.cache$/, '')))).toBe(true);
      expect(readFileSync(join(bundleDir(ROOT), cache), 'latin1')).toMatch(
        new RegExp(`^faultline code cache ${process.version.replace(/\./g, '\\.')} `),
      );
    }
  });

  it('is taken by V8 for every bundle file a check loads', () => {
    const use = cacheUse(ROOT, args(file));
    expect(Object.keys(use)).toEqual(
      expect.arrayContaining(['check-bundle.cjs', 'check-bundle-registry.cjs']),
    );
    expect(new Set(Object.values(use))).toEqual(new Set(['taken']));
  });

  it('gives the same answer with the cache, a garbled one and none, and warns of nothing', () => {
    const bare = untimed(unbundled(args(file)));
    expect(bare.stderr).toBe('');
    expect(untimed(faultlineIn(tree, args(file)))).toEqual(bare);

    // Garbage after the header line of this Node: V8 rejects it.
    for (const cache of caches(tree)) {
      const path = join(bundleDir(tree), cache);
      const header = readFileSync(path).subarray(0, 64);
      writeFileSync(
        path,
        Buffer.concat([header, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251))]),
      );
    }
    expect(new Set(Object.values(cacheUse(tree, args(file))))).toEqual(new Set(['rejected']));
    expect(untimed(faultlineIn(tree, args(file)))).toEqual(bare);

    // Garbage throughout: not this Node's cache, not given to V8.
    for (const cache of caches(tree)) writeFileSync(join(bundleDir(tree), cache), 'garbage\n'.repeat(500));
    expect(new Set(Object.values(cacheUse(tree, args(file))))).toEqual(new Set(['none']));
    expect(untimed(faultlineIn(tree, args(file)))).toEqual(bare);

    for (const cache of caches(tree)) rmSync(join(bundleDir(tree), cache));
    expect(untimed(faultlineIn(tree, args(file)))).toEqual(bare);
  });

  it('is not used when older than its bundle file (a rebuilt bundle)', () => {
    const stale = copyOfTree();
    const cache = join(bundleDir(stale), 'check-bundle.cjs.cache');
    utimesSync(cache, new Date(0), new Date(0));
    expect(cacheUse(stale, args(file))['check-bundle.cjs']).toBe('none');
    expect(untimed(faultlineIn(stale, args(file)))).toEqual(untimed(unbundled(args(file))));
  });
});
