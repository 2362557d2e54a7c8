import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { Zip, ZipDeflate } from 'fflate';
import type { InsideRoot } from './inside-root.js';

/** Bytes read from a file at a time: the zip's memory is about this plus the output's buffer. */
const READ_BYTES = 256 << 10;

/** Every regular file under `dir` (entering no symlinks, skipping temp files), relative to it. */
async function filesUnder(dir: string, prefix = ''): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(join(dir, prefix), { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await filesUnder(dir, rel)));
    else if (e.isFile() && !e.name.endsWith('.tmp')) out.push(rel);
  }
  return out;
}

/** Resolves once `out` wants more data; rejects if it closes or fails first. */
function drained(out: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: Error): void => {
      out.off('drain', onDrain);
      out.off('close', onClose);
      out.off('error', done);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = (): void => done();
    const onClose = (): void => done(new Error('the client went away'));
    out.on('drain', onDrain);
    out.on('close', onClose);
    out.on('error', done);
  });
}

/**
 * Streams a zip of a run folder to `out`, file by file, under a top folder named `name`.
 * Only regular files whose real path is inside the root go in. It honours backpressure: after
 * each piece it waits until `out` has room, so a slow client holds the server to about one
 * read buffer plus the output's high-water mark, whatever the run's size. Resolves when the
 * archive is complete; rejects (leaving `out` to the caller) when `out` closes early.
 */
export async function zipRunFolder(
  inside: InsideRoot,
  dir: string,
  name: string,
  out: Writable,
): Promise<void> {
  let failed: Error | undefined;
  const zip = new Zip((err, chunk, final) => {
    if (err) failed = err;
    else if (!out.destroyed) out.write(chunk);
    if (final && !err) out.end();
  });
  const room = async (): Promise<void> => {
    if (failed) throw failed;
    if (out.destroyed) throw new Error('the client went away');
    if (out.writableNeedDrain) await drained(out);
  };
  for (const rel of await filesUnder(dir)) {
    const file = await inside.openRegular(join(dir, rel));
    if (!file) continue;
    try {
      const entry = new ZipDeflate(`${name}/${rel}`, { level: 6 });
      zip.add(entry);
      // Up to its size at opening: a file still growing (a live run's log) ends somewhere.
      const size = file.stats.size;
      for (let position = 0; position < size; ) {
        // A fresh buffer each time: fflate may keep a reference to what it was given.
        const want = Math.min(READ_BYTES, size - position);
        const buffer = Buffer.allocUnsafe(want);
        const { bytesRead } = await file.handle.read(buffer, 0, want, position);
        if (bytesRead === 0) break;
        position += bytesRead;
        entry.push(buffer.subarray(0, bytesRead));
        await room();
      }
      entry.push(new Uint8Array(0), true);
      await room();
    } finally {
      await file.handle.close().catch(() => undefined);
    }
  }
  zip.end();
  if (failed) throw failed;
}
