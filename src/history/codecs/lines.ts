import { closeSync, constants, fstatSync, openSync, read, readFileSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { promisify } from 'node:util';
import { InputError } from '../../errors.js';

const readAsync = promisify(read);

/**
 * Opens a file for reading only if it is a regular file. A device (`/dev/zero`,
 * `/dev/urandom`) never ends and a FIFO may block forever, so both are refused; the open
 * itself does not block on a FIFO (O_NONBLOCK), and the check is on what was opened.
 */
export function openRegularFile(path: string): number {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) {
      const what = stat.isDirectory()
        ? 'a folder'
        : stat.isFIFO()
          ? 'a FIFO'
          : stat.isCharacterDevice() || stat.isBlockDevice()
            ? 'a device'
            : stat.isSocket()
              ? 'a socket'
              : 'not a regular file';
      throw new InputError(`${what}, not a regular file: histories are read from regular files only`, {
        file: path,
      });
    }
    return fd;
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

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
 * The longest line (or, for EDN, the longest op) a reader accepts: far below the longest
 * string V8 can hold, far above any op a test writes.
 */
export const MAX_LINE_CHARS = 64 << 20;

/** The error for a line or op past {@link MAX_LINE_CHARS}. */
export function tooLong(file: string, line: number): InputError {
  return new InputError(`longer than ${MAX_LINE_CHARS >> 20} Mi characters without an end (not a history?)`, {
    file,
    line,
  });
}

/**
 * Reads a UTF-8 file as blocks of whole lines, so a parser can work line by line without
 * awaiting per line. Memory stays bounded by the chunk size plus the longest line.
 */
export async function* lineBlocks(path: string): AsyncGenerator<LineBlock> {
  const fd = openRegularFile(path);
  try {
    if (fstatSync(fd).size <= WHOLE_FILE_BYTES) {
      yield { text: withoutBom(readFileSync(fd, 'utf8')), firstLine: 1, last: true };
      return;
    }
    const decoder = new StringDecoder('utf8');
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    let carry = '';
    let line = 1;
    let first = true;
    for (;;) {
      const { bytesRead } = await readAsync(fd, buffer, 0, CHUNK_BYTES, null);
      if (bytesRead === 0) break;
      let text = carry + decoder.write(buffer.subarray(0, bytesRead));
      if (first) text = withoutBom(text);
      first = false;
      const cut = text.lastIndexOf('\n') + 1;
      if (cut === 0) {
        if (text.length > MAX_LINE_CHARS) throw tooLong(path, line);
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
    closeSync(fd);
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
  const fd = openRegularFile(path);
  try {
    const buffer = Buffer.alloc(bytes);
    const bytesRead = readSync(fd, buffer, 0, bytes, 0);
    return buffer.toString('utf8', 0, bytesRead);
  } finally {
    closeSync(fd);
  }
}

/**
 * The whole text of a small regular file (a plan, a run's test.json). Refuses devices,
 * FIFOs and folders, and files over `maxBytes`, as {@link InputError}s naming the file.
 */
export function readSmallTextFile(path: string, maxBytes: number): string {
  const fd = openRegularFile(path);
  try {
    const { size } = fstatSync(fd);
    if (size > maxBytes) {
      throw new InputError(`${size} bytes: larger than the ${maxBytes}-byte limit for this file`, {
        file: path,
      });
    }
    return withoutBom(readFileSync(fd, 'utf8'));
  } finally {
    closeSync(fd);
  }
}
