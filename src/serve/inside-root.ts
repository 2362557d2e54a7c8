/**
 * The one rule of everything the results browser (and the report writer) reads: a path
 * counts only if its real path (every symlink resolved) lies inside the root, and a file is
 * read only if it is a regular file. Symlinks that stay inside the root (`latest`) work;
 * anything leading out of it, FIFOs, devices, sockets and directories are "not there".
 * Every call is asynchronous and none can block: FIFOs are opened non-blocking and refused.
 */

import type { Stats } from 'node:fs';
import { constants } from 'node:fs';
import { type FileHandle, open, readlink, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { InputError } from '../errors.js';

/** True when `real` is `rootReal` or lies below it (both already real paths). */
export function isWithin(rootReal: string, real: string): boolean {
  return real === rootReal || real.startsWith(rootReal.endsWith(sep) ? rootReal : rootReal + sep);
}

/**
 * The real path of `path` when it exists and resolves inside `root`, else undefined. The
 * root itself is resolved too, so a results folder reached through a symlink still works.
 */
export async function resolveInside(root: string, path: string): Promise<string | undefined> {
  try {
    const [rootReal, real] = await Promise.all([realpath(root), realpath(path)]);
    return isWithin(rootReal, real) ? real : undefined;
  } catch {
    return undefined;
  }
}

/** A directory inside `root` (after resolving symlinks), or undefined. */
export async function directoryInside(root: string, path: string): Promise<string | undefined> {
  const real = await resolveInside(root, path);
  if (!real) return undefined;
  try {
    return (await stat(real)).isDirectory() ? real : undefined;
  } catch {
    return undefined;
  }
}

/** An open regular file inside the root, with its size at opening. */
export interface InsideFile {
  handle: FileHandle;
  stats: Stats;
  /** Its real path. */
  real: string;
  /** A path naming exactly this open file (`/proc/self/fd/N` on Linux), for readers that take paths. */
  openPath: string;
}

// O_NONBLOCK: opening a FIFO with no writer must not wait for one. O_NOFOLLOW: the last
// component, already resolved, must not have been swapped for a symlink since.
const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY;

/**
 * Opens `path` for reading if it is a regular file inside `root`; else undefined. The open
 * file itself is checked (fstat, and on Linux the kernel's own name for it), so swapping a
 * path component for a symlink between the check and the open gains nothing.
 */
export async function openRegularInside(root: string, path: string): Promise<InsideFile | undefined> {
  const real = await resolveInside(root, path);
  if (!real) return undefined;
  let handle: FileHandle;
  try {
    handle = await open(real, READ_FLAGS);
  } catch {
    return undefined;
  }
  try {
    const stats = await handle.stat();
    const openPath = `/proc/self/fd/${handle.fd}`;
    const opened = await readlink(openPath).catch(() => undefined);
    const rootReal = await realpath(root);
    if (stats.isFile() && (opened === undefined || isWithin(rootReal, opened))) {
      return { handle, stats, real, openPath: opened === undefined ? real : openPath };
    }
  } catch {
    // fall through: not readable, so not there
  }
  await handle.close().catch(() => undefined);
  return undefined;
}

/**
 * The text of a regular file `name` in `dir` (itself inside `root`), read asynchronously
 * and at most `maxBytes` (else an {@link InputError}); undefined when it is not there (or
 * not a regular file inside).
 */
export async function readTextInside(
  root: string,
  dir: string,
  name: string,
  maxBytes = 64 << 20,
): Promise<string | undefined> {
  const file = await openRegularInside(root, join(dir, name));
  if (!file) return undefined;
  try {
    if (file.stats.size > maxBytes) {
      throw new InputError(`larger than ${maxBytes} bytes`, { file: join(dir, name) });
    }
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
