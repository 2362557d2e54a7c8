import { createReadStream, type Dirent, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { Zip, ZipDeflate } from 'fflate';

/** Every file under `dir` (following no symlinks), as paths relative to it. */
function filesUnder(dir: string, prefix = ''): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(join(dir, prefix), { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...filesUnder(dir, rel));
    else if (e.isFile() && !e.name.endsWith('.tmp')) out.push(rel);
  }
  return out;
}

/**
 * Streams a zip of a run folder to `out`, file by file (a history is never held whole),
 * under a top folder named `name`. Resolves when the archive is complete.
 */
export async function zipRunFolder(dir: string, name: string, out: Writable): Promise<void> {
  let failed: Error | undefined;
  const zip = new Zip((err, chunk, final) => {
    if (err) failed = err;
    else out.write(chunk);
    if (final) out.end();
  });
  for (const rel of filesUnder(dir)) {
    const entry = new ZipDeflate(`${name}/${rel}`, { level: 6 });
    zip.add(entry);
    for await (const buf of createReadStream(join(dir, rel))) {
      entry.push(buf as Buffer);
      if (failed) throw failed;
    }
    entry.push(new Uint8Array(0), true);
  }
  zip.end();
  if (failed) throw failed;
}
