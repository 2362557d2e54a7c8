/**
 * RunStore.writeJson and the report writer write only inside the run folder: never through a
 * symlink (planted at the file's name or at a temp name), and the report reads no file that
 * a symlink leads out of the folder.
 */
import {
  existsSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { writeReport } from '../../src/report/write.js';
import { RunStore, replaceFileInside } from '../../src/run/store.js';
import { makeRun, registerOps } from './fixtures.js';

const base = mkdtempSync(join(tmpdir(), 'faultline-nofollow-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

function victim(name: string): string {
  const file = join(base, `victim-${name}`);
  writeFileSync(file, 'untouched');
  return file;
}

describe('RunStore.writeJson', () => {
  it('replaces a symlink at the file name instead of writing through it', () => {
    const store = RunStore.create(join(base, 'results'), 'link-at-name');
    const target = victim('results');
    symlinkSync(target, store.path('results.json'));
    store.writeJson('results.json', { valid: true });
    expect(readFileSync(target, 'utf8')).toBe('untouched');
    expect(lstatSync(store.path('results.json')).isFile()).toBe(true);
    expect(JSON.parse(readFileSync(store.path('results.json'), 'utf8'))).toEqual({ valid: true });
  });

  it('never writes through a symlink planted at a temp name', () => {
    const store = RunStore.create(join(base, 'results'), 'link-at-tmp');
    const target = victim('tmp');
    symlinkSync(target, store.path('test.json.tmp'));
    store.writeJson('test.json', { name: 'x' });
    expect(readFileSync(target, 'utf8')).toBe('untouched');
    expect(JSON.parse(readFileSync(store.path('test.json'), 'utf8'))).toEqual({ name: 'x' });
    // It leaves no temp file behind.
    expect(readdirSync(store.dir).filter((n) => n.endsWith('.tmp') && n !== 'test.json.tmp')).toEqual([]);
  });

  it('writes only names directly in the run folder', () => {
    const store = RunStore.create(join(base, 'results'), 'names');
    expect(() => store.writeJson('../escape.json', {})).toThrow(/not a file name/);
    expect(() => replaceFileInside(store.dir, 'logs/../../x', 'y')).toThrow(/not a file name/);
    expect(existsSync(join(base, 'results', 'escape.json'))).toBe(false);
  });
});

describe('RunStore history.edn and faultline.log', () => {
  it('writeEdn replaces a symlinked history.edn instead of writing through it', async () => {
    const store = RunStore.create(join(base, 'results'), 'edn');
    const target = victim('edn');
    symlinkSync(target, store.path('history.edn'));
    await store.writeEdn(registerOps());
    expect(readFileSync(target, 'utf8')).toBe('untouched');
    expect(lstatSync(store.path('history.edn')).isFile()).toBe(true);
    expect(readFileSync(store.path('history.edn'), 'utf8')).toContain(':type :invoke');
  });

  it('log refuses to append through a symlinked faultline.log', () => {
    const store = RunStore.create(join(base, 'results'), 'log');
    const target = victim('log');
    symlinkSync(target, store.path('faultline.log'));
    expect(() => store.log('hello')).toThrow(/ELOOP/);
    expect(readFileSync(target, 'utf8')).toBe('untouched');
  });
});

describe('the report writer', () => {
  it('replaces a symlinked report.html and ignores a symlink planted at its temp name', async () => {
    const dir = makeRun(base, 'report', '20261127T010000.000Z');
    const atName = victim('report');
    const atTmp = victim('report-tmp');
    symlinkSync(atName, join(dir, 'report.html'));
    symlinkSync(atTmp, join(dir, 'report.html.tmp'));
    await writeReport(dir);
    expect(readFileSync(atName, 'utf8')).toBe('untouched');
    expect(readFileSync(atTmp, 'utf8')).toBe('untouched');
    expect(lstatSync(join(dir, 'report.html')).isFile()).toBe(true);
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toMatch(/^<!doctype html>/i);
  });

  it('reads no history or results.json that a symlink leads out of the run folder', async () => {
    const dir = makeRun(base, 'reads', '20261127T020000.000Z', { history: false });
    const other = makeRun(base, 'elsewhere', '20261127T030000.000Z');
    symlinkSync(join(other, 'history.jsonl'), join(dir, 'history.jsonl'));
    await expect(writeReport(dir)).rejects.toThrow(InputError);
    await expect(writeReport(dir)).rejects.toThrow(/no history\.jsonl or history\.edn/);
    // With a history of its own, a results.json symlinked out is treated as missing.
    rmSync(join(dir, 'history.jsonl'));
    writeFileSync(join(dir, 'history.jsonl'), readFileSync(join(other, 'history.jsonl')));
    writeFileSync(join(base, 'secret.json'), JSON.stringify({ valid: false, secret: 'SECRET-RESULTS' }));
    rmSync(join(dir, 'results.json'));
    symlinkSync(join(base, 'secret.json'), join(dir, 'results.json'));
    const html = readFileSync(await writeReport(dir), 'utf8');
    expect(html).not.toContain('SECRET-RESULTS');
  });
});
