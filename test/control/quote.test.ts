import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  remoteCommandLine,
  shellCommand,
  shellQuote,
  UnquotableArgumentError,
} from '../../src/control/quote.js';

/** Runs a command line with the controller's own /bin/sh and returns what printf saw, NUL-separated. */
function throughSh(line: string): string[] {
  const out = execFileSync('/bin/sh', ['-c', line], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

const tricky = fc.constantFrom(
  '',
  "'",
  "''",
  '"',
  '$(id)',
  '`id`',
  '$' + '{HOME}',
  '\\',
  '\\\\n',
  '-n',
  '--',
  '-e',
  '\n',
  'a b',
  '*',
  '~',
  '!',
  '#',
  ';',
  '|',
  '&',
  '\t',
  'ünïcødé ✓ 𝄞',
);
const argument = fc.oneof(
  tricky,
  fc.string({ unit: 'binary' }).map((s) => s.replaceAll('\0', '')),
);

describe('shellQuote', () => {
  it('leaves plain words bare and single-quotes the rest', () => {
    expect(shellQuote('etcd')).toBe('etcd');
    expect(shellQuote('/var/lib/etcd')).toBe('/var/lib/etcd');
    expect(shellQuote('')).toBe("''");
    expect(shellQuote('a b')).toBe("'a b'");
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });

  it('refuses what argv cannot carry', () => {
    expect(() => shellQuote('a\0b')).toThrow(UnquotableArgumentError);
    expect(() => shellQuote('\uD800')).toThrow(UnquotableArgumentError);
    expect(() => shellCommand([])).toThrow(UnquotableArgumentError);
  });

  it('any argv survives a POSIX shell byte for byte', () => {
    fc.assert(
      fc.property(fc.array(argument, { minLength: 1, maxLength: 4 }), (args) => {
        expect(throughSh(shellCommand(['printf', '%s\\0', ...args]))).toEqual(args);
      }),
      { numRuns: 300 },
    );
  });
});

describe('remoteCommandLine', () => {
  it('sets cwd and env inside quotes, and wraps sudo around the whole line', () => {
    expect(remoteCommandLine(['ls'], { cwd: '/tmp dir' })).toBe(`cd '/tmp dir' && ls`);
    expect(remoteCommandLine(['printenv', 'X'], { env: { X: "a'b" } })).toBe(`env 'X=a'\\''b' printenv X`);
    expect(remoteCommandLine(['id'], { sudo: true })).toBe(`sudo -n -- sh -c id`);
    expect(remoteCommandLine(['echo', 'a b'], { sudo: true, cwd: '/' })).toBe(
      `sudo -n -- sh -c 'cd / && echo '\\''a b'\\'''`,
    );
  });

  it('rejects environment names a shell would misread', () => {
    expect(() => remoteCommandLine(['true'], { env: { 'A;B': '1' } })).toThrow(UnquotableArgumentError);
  });

  it('env and cwd values survive the shell, also through the sudo wrapper (run without sudo here)', () => {
    fc.assert(
      fc.property(argument, argument, (value, arg) => {
        const line = remoteCommandLine(['sh', '-c', 'printf "%s\\0%s\\0" "$V" "$1"', 'sh', arg], {
          env: { V: value },
          cwd: '/',
        });
        expect(throughSh(line)).toEqual([value, arg]);
        // The sudo wrapper is `sudo -n -- sh -c LINE`: the same LINE must come out of one more sh -c.
        const wrapped = remoteCommandLine(['printf', '%s\\0', value, arg], { sudo: true }).replace(
          /^sudo -n -- /,
          '',
        );
        expect(throughSh(wrapped)).toEqual([value, arg]);
      }),
      { numRuns: 200 },
    );
  });
});
