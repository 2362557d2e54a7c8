/**
 * The one rule of everything the results browser (and the report writer) reads: a path
 * counts only if its real path (every symlink resolved) lies inside the root, and a file is
 * read only if it is a regular file. Symlinks that stay inside the root (`latest`) work;
 * anything leading out of it, FIFOs, devices, sockets and directories are "not there".
 * Every call is asynchronous and none can block: nothing but a regular file is opened, and
 * that with O_NONBLOCK.
 */
import { constants, type Stats } from 'node:fs';
import { type FileHandle, lstat, open, readlink, realpath, stat } from 'node:fs/promises';
import { sep } from 'node:path';
import { InputError } from '../errors.js';

/** A regular file found inside the root: the path to open it by, and its lstat. */
export interface RegularFile {
  path: string;
  stats: Stats;
}

/** An open regular file inside the root, with its size at opening. */
export interface InsideFile {
  handle: FileHandle;
  stats: Stats;
  /** A path naming exactly this open file (`/proc/self/fd/N` on Linux), for readers that take paths. */
  openPath: string;
}

// O_NOFOLLOW: the last component, checked just before, must not have become a symlink since.
// O_NONBLOCK: should it have become a FIFO, opening it must not wait for a writer.
const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY;

/** A root folder, by its real path; every path is judged against it. */
export class InsideRoot {
  private constructor(readonly real: string) {}

  /** The root at `path` (resolved, so a results folder reached through a symlink works), or undefined if absent. */
  static async of(path: string): Promise<InsideRoot | undefined> {
    const real = await realpath(path).catch(() => undefined);
    return real === undefined ? undefined : new InsideRoot(real);
  }

  /** True when the real path `real` is the root or lies below it. */
  contains(real: string): boolean {
    return real === this.real || real.startsWith(this.real.endsWith(sep) ? this.real : this.real + sep);
  }

  /** The real path of `path` when it exists and resolves inside the root, else undefined. */
  async resolve(path: string): Promise<string | undefined> {
    const real = await realpath(path).catch(() => undefined);
    return real !== undefined && this.contains(real) ? real : undefined;
  }

  /** A directory inside the root (its real path), or undefined. */
  async directory(path: string): Promise<string | undefined> {
    const real = await this.resolve(path);
    if (real === undefined) return undefined;
    return (await stat(real).catch(() => undefined))?.isDirectory() ? real : undefined;
  }

  /**
   * Where `path` leads if it is a regular file inside the root: the path to open and its
   * lstat (one lstat when `path` itself is no symlink); `'absent'` when nothing is there;
   * `'refused'` for anything else (a symlink out, a FIFO, a device, a directory).
   */
  async regularFile(path: string): Promise<RegularFile | 'absent' | 'refused'> {
    const own = await lstat(path).catch(() => undefined);
    if (own === undefined) return 'absent';
    if (own.isFile()) return { path, stats: own };
    if (!own.isSymbolicLink()) return 'refused';
    const real = await this.resolve(path);
    const target = real === undefined ? undefined : await lstat(real).catch(() => undefined);
    return real !== undefined && target?.isFile() ? { path: real, stats: target } : 'refused';
  }

  /**
   * Opens `path` for reading if it is a regular file inside the root, else undefined. The
   * open file itself is checked (same inode as checked, a regular file, and on Linux the
   * kernel's own name for it inside the root), so swapping a path for a symlink between the
   * check and the open gains nothing. `checked`: what {@link regularFile} found, if called.
   */
  async openRegular(path: string, checked?: RegularFile): Promise<InsideFile | undefined> {
    const found = checked ?? (await this.regularFile(path));
    if (typeof found === 'string') return undefined;
    const handle = await open(found.path, READ_FLAGS).catch(() => undefined);
    if (handle === undefined) return undefined;
    try {
      const stats = await handle.stat();
      const openPath = `/proc/self/fd/${handle.fd}`;
      const name = await readlink(openPath).catch(() => undefined);
      const same = stats.isFile() && stats.ino === found.stats.ino && stats.dev === found.stats.dev;
      if (same && (name === undefined || this.contains(name))) {
        return { handle, stats, openPath: name === undefined ? found.path : openPath };
      }
    } catch {
      // not readable, so not there
    }
    await handle.close().catch(() => undefined);
    return undefined;
  }

  /**
   * The text of a regular file inside the root, read asynchronously and at most `maxBytes`
   * (else an {@link InputError}); undefined when it is not there (or refused).
   */
  async readText(path: string, maxBytes = 64 << 20, checked?: RegularFile): Promise<string | undefined> {
    const file = await this.openRegular(path, checked);
    if (!file) return undefined;
    try {
      if (file.stats.size > maxBytes) throw new InputError(`larger than ${maxBytes} bytes`, { file: path });
      const buffer = Buffer.allocUnsafe(file.stats.size);
      let filled = 0;
      while (filled < buffer.length) {
        const { bytesRead } = await file.handle.read(buffer, filled, buffer.length - filled, filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return buffer.toString('utf8', 0, filled);
    } finally {
      await file.handle.close().catch(() => undefined);
    }
  }
}
