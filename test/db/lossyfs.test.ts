/**
 * lossyfs itself, on this machine (real FUSE, no ensemble): built from the shipped source,
 * mounted over a temporary directory, it keeps what was fsynced and rolls back what was not.
 * Needs root, /dev/fuse, gcc and libfuse3-dev (scripts/ensure-deps.sh installs them).
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lossyfsSource } from '../../src/db/lossyfs/node.js';
import { prerequisite } from '../support/prerequisites.js';

function canBuild(): boolean {
  try {
    execFileSync('pkg-config', ['--exists', 'fuse3']);
    execFileSync('gcc', ['--version']);
    return process.getuid?.() === 0 && fs.existsSync('/dev/fuse');
  } catch {
    return false;
  }
}

const root = fs.mkdtempSync(join(tmpdir(), 'faultline-lossyfs-'));
const mnt = join(root, 'mnt');
const backing = join(root, 'backing');

function mounted(): boolean {
  return fs
    .readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .some((l) => l.split(' ')[1] === mnt);
}

async function mount(flags: string[]): Promise<void> {
  fs.mkdirSync(mnt, { recursive: true });
  fs.mkdirSync(backing, { recursive: true });
  spawn(join(root, 'lossyfs'), [backing, mnt, ...flags], { detached: true, stdio: 'ignore' }).unref();
  for (let i = 0; i < 200 && !mounted(); i++) await new Promise((r) => setTimeout(r, 25));
  expect(mounted()).toBe(true);
}

function unmount(): void {
  if (mounted()) execFileSync('umount', [mnt]);
}

const control = (name: string) => fs.readFileSync(join(mnt, name), 'utf8');

describe.runIf(prerequisite('root, /dev/fuse, gcc and libfuse3-dev', canBuild()))('lossyfs', () => {
  beforeAll(() => {
    fs.writeFileSync(join(root, 'lossyfs.c'), lossyfsSource().text);
    execFileSync('sh', [
      '-c',
      `gcc -O2 -o "$1/lossyfs" "$1/lossyfs.c" $(pkg-config --cflags --libs fuse3)`,
      'sh',
      root,
    ]);
  });
  afterAll(() => {
    unmount();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('drops writes made since the last fsync, keeps the synced ones, and says how much', async () => {
    await mount([]);
    const file = join(mnt, 'log');
    const fd = fs.openSync(file, 'w+');
    fs.writeSync(fd, 'A'.repeat(100));
    fs.fdatasyncSync(fd);
    fs.writeSync(fd, 'B'.repeat(10), 20);
    fs.writeSync(fd, 'C'.repeat(50), 100);
    fs.closeSync(fd);
    const appended = join(mnt, 'appended');
    fs.writeFileSync(appended, 'new and never synced');
    expect(control('.lossyfs-stats')).toMatch(/^unsynced files=2 bytes=80 /);
    expect(fs.readdirSync(mnt).sort()).toEqual(['appended', 'log']);
    expect(control('.lossyfs-drop')).toBe('dropped files=2 bytes=80\n');
    expect(fs.readFileSync(file, 'utf8')).toBe('A'.repeat(100));
    // Metadata is durable at once: the file is there, its data is not.
    expect(fs.readFileSync(appended, 'utf8')).toBe('');
    expect(fs.readFileSync(join(backing, 'log'), 'utf8')).toBe('A'.repeat(100));
    expect(control('.lossyfs-drop')).toBe('dropped files=0 bytes=0\n');
    unmount();
  });

  it('a rename keeps unsynced data undoable; a truncate is durable', async () => {
    await mount([]);
    const fd = fs.openSync(join(mnt, 'a.tmp'), 'w+');
    fs.writeSync(fd, 'synced');
    fs.fsyncSync(fd);
    fs.writeSync(fd, '+lost', 6);
    fs.ftruncateSync(fd, 3);
    fs.writeSync(fd, 'XYZ', 3);
    fs.closeSync(fd);
    fs.renameSync(join(mnt, 'a.tmp'), join(mnt, 'a'));
    control('.lossyfs-drop');
    expect(fs.readFileSync(join(mnt, 'a'), 'utf8')).toBe('syn');
    unmount();
  });

  it('with --fsync-lies, fsynced data is lost too (the unsafe setting)', async () => {
    await mount(['--fsync-lies']);
    const fd = fs.openSync(join(mnt, 'lied'), 'w+');
    fs.writeSync(fd, 'acknowledged');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    expect(control('.lossyfs-stats')).toMatch(/fsync=lies/);
    control('.lossyfs-drop');
    expect(fs.readFileSync(join(mnt, 'lied'), 'utf8')).toBe('');
    unmount();
    expect(mounted()).toBe(false);
  });

  it('after a power cut the writeback stops until the drop; writes and fsyncs go on', async () => {
    await mount(['--fsync-lies', '--writeback-ms', '100']);
    const file = join(mnt, 'wal');
    const fd = fs.openSync(file, 'w+');
    fs.writeSync(fd, 'durable');
    await new Promise((r) => setTimeout(r, 300));
    expect(control('.lossyfs-stats')).toMatch(/^unsynced files=0 /);
    fs.writeSync(fd, '+unsynced', 7);
    expect(control('.lossyfs-cut')).toMatch(/^unsynced files=1 bytes=9 /);
    // A server still dying may write and fsync; nothing of it is saved.
    fs.writeSync(fd, '+dying', 16);
    fs.fsyncSync(fd);
    // Without the cut, the writeback would have made both writes durable by now.
    await new Promise((r) => setTimeout(r, 400));
    expect(control('.lossyfs-drop')).toBe('dropped files=1 bytes=15\n');
    expect(fs.readFileSync(file, 'utf8')).toBe('durable');
    // The drop ends the cut: the writeback runs again.
    fs.writeSync(fd, '+again', 7);
    fs.closeSync(fd);
    await new Promise((r) => setTimeout(r, 300));
    expect(control('.lossyfs-stats')).toMatch(/^unsynced files=0 /);
    unmount();
  });
});
