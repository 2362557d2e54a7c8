/**
 * `faultline check` runs from a bundle of its path (dist/src/check-bundle.cjs) for a fast cold
 * start. It must behave exactly as the compiled modules do: same output, same exit code, for
 * verdicts, help, bad input, the lazily loaded registry and the model's initial state.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
