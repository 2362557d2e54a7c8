import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';

/** A run of whole lines of a file. */
export interface LineBlock {
  /** The text: whole lines, each ending in `\n`, except perhaps the file's last. */
  text: string;
  /** 1-based line number of the block's first line. */
  firstLine: number;
  /** True for the file's last block. */
  last: boolean;
}

/**
 * Files up to this size are read in one go, synchronously: for the many small histories of
 * a test corpus, a thread-pool round trip per call costs more than the read itself.
 */
const WHOLE_FILE_BYTES = 4 << 20;
const CHUNK_BYTES = 1 << 20;

/**
 * Reads a UTF-8 file as blocks of whole lines, so a parser can work line by line without
 * awaiting per line. Memory stays bounded by the chunk size plus the longest line.
 */
export async function* lineBlocks(path: string): AsyncGenerator<LineBlock> {
  const { size } = statSync(path);
  if (size <= WHOLE_FILE_BYTES) {
    yield { text: withoutBom(readFileSync(path, 'utf8')), firstLine: 1, last: true };
    return;
  }
  const handle = await open(path, 'r');
  try {
    const decoder = new StringDecoder('utf8');
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    let carry = '';
    let line = 1;
    let first = true;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, null);
      if (bytesRead === 0) break;
      let text = carry + decoder.write(buffer.subarray(0, bytesRead));
      if (first) text = withoutBom(text);
      first = false;
      const cut = text.lastIndexOf('\n') + 1;
      if (cut === 0) {
        carry = text;
        continue;
      }
      const block = text.slice(0, cut);
      carry = text.slice(cut);
      yield { text: block, firstLine: line, last: false };
      line += countNewlines(block);
    }
    yield { text: carry + decoder.end(), firstLine: line, last: true };
  } finally {
    await handle.close();
  }
}

/** Drops a UTF-8 byte order mark, which some editors put at the start of a file. */
function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function countNewlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** The first `bytes` bytes of a file as text (for sniffing a format). */
export function readHead(path: string, bytes = 4096): string {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const bytesRead = readSync(fd, buffer, 0, bytes, 0);
    return buffer.toString('utf8', 0, bytesRead);
  } finally {
    closeSync(fd);
  }
}
