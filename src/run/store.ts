import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  openSync,
  renameSync,
  symlinkSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { JsonlWriter, readOps, writeHistoryFile } from '../history/codecs/index.js';
import type { Op } from '../history/op.js';

/** The results folder: `--results-dir`, else `$FAULTLINE_RESULTS`, else `results`. */
export function resultsRoot(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(flag ?? env.FAULTLINE_RESULTS ?? 'results');
}

/** The file names of a run folder. */
export const RUN_FILES = {
  historyJsonl: 'history.jsonl',
  historyEdn: 'history.edn',
  test: 'test.json',
  results: 'results.json',
  log: 'faultline.log',
  logs: 'logs',
} as const;

/** `20261127T210649.123Z`: sorts by time, no characters that trouble shells or file systems. */
export function timestampName(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '');
}

/** A test name safe as a folder name. */
export function safeTestName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+/, '') || 'test';
}

/**
 * One run's folder, `<root>/<test>/<timestamp>/`: the history streamed as JSONL while the
 * test runs, then `history.edn`, `test.json`, `results.json`, `faultline.log` and node
 * logs under `logs/`; `latest` links at both levels point to the newest run.
 */
export class RunStore {
  private logFd: LogFile | undefined;

  private constructor(
    readonly root: string,
    readonly testName: string,
    readonly dir: string,
  ) {}

  /** Creates the run folder (a fresh one, even for runs started in the same millisecond). */
  static create(root: string, testName: string, startedAt = new Date()): RunStore {
    const name = safeTestName(testName);
    const base = join(root, name, timestampName(startedAt));
    let dir = base;
    for (let i = 1; existsSync(dir); i++) dir = `${base}-${i}`;
    mkdirSync(join(dir, RUN_FILES.logs), { recursive: true });
    return new RunStore(root, name, dir);
  }

  /** An existing run folder (for `analyze`). */
  static open(dir: string): RunStore {
    const abs = resolve(dir);
    return new RunStore(resolve(abs, '..', '..'), resolve(abs, '..').split(/[\\/]/).pop() ?? 'test', abs);
  }

  path(file: string): string {
    return join(this.dir, file);
  }

  /** Where node logs go. */
  get logDir(): string {
    return this.path(RUN_FILES.logs);
  }

  /** Path of history.jsonl. */
  get historyPath(): string {
    return this.path(RUN_FILES.historyJsonl);
  }

  /** The ops of history.jsonl, streamed from the file (once it is closed). */
  historyOps(): AsyncGenerator<Op> {
    return readOps(this.historyPath);
  }

  /** Opens history.jsonl for streaming. */
  openHistory(): JsonlWriter {
    return JsonlWriter.open(this.path(RUN_FILES.historyJsonl));
  }

  /** A line logger appending to faultline.log, each line time-stamped, written at once. */
  log(line: string): void {
    this.logFd ??= new LogFile(this.path(RUN_FILES.log));
    this.logFd.append(`${new Date().toISOString()} ${line}\n`);
  }

  /** Replaces `file` (a name in the run folder) with `value` as JSON; see {@link replaceFileInside}. */
  writeJson(file: string, value: unknown): void {
    replaceFileInside(this.dir, file, `${JSON.stringify(value, null, 2)}\n`);
  }

  /**
   * Writes history.edn, as {@link replaceFileInside} does (never through a symlink); `ops` may
   * be a stream, e.g. history.jsonl read back ({@link RunStore.historyOps}).
   */
  async writeEdn(ops: Iterable<Op> | AsyncIterable<Op>): Promise<void> {
    const tmp = newTempFile(this.dir, RUN_FILES.historyEdn);
    try {
      // The random name was just created exclusively by us, so the writer opens our file.
      await writeHistoryFile(tmp, ops, { format: 'edn' });
      renameSync(tmp, this.path(RUN_FILES.historyEdn));
    } catch (err) {
      removeQuietly(tmp);
      throw err;
    }
  }

  /** Points `<root>/latest` and `<root>/<test>/latest` at this run. */
  linkLatest(): void {
    link(join(this.root, this.testName, 'latest'), this.dir);
    link(join(this.root, 'latest'), this.dir);
  }
}

// O_EXCL and O_NOFOLLOW: the temp file is a new file of ours, never an existing file or a
// symlink planted under its name.
const NEW_FILE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/**
 * Replaces the file `name` directly in `dir` with `data`, never writing through a symlink:
 * the data goes to a fresh temp file in `dir` (exclusive, no-follow, random name ending in
 * `.tmp`), which is then renamed over `name`. A symlink at `name` is replaced, not followed.
 */
export function replaceFileInside(dir: string, name: string, data: string | Uint8Array): string {
  const target = join(dir, name);
  const tmp = newTempFile(dir, name);
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_NOFOLLOW);
  try {
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, target);
  } catch (err) {
    removeQuietly(tmp);
    throw err;
  }
  return target;
}

/** Creates an empty temp file for `name` in `dir` (exclusive, no-follow, random name) and returns its path. */
function newTempFile(dir: string, name: string): string {
  if (name !== basename(name) || name === '.' || name === '..') {
    throw new Error(`not a file name inside the run folder: ${name}`);
  }
  const tmp = join(dir, `.${name}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  closeSync(openSync(tmp, NEW_FILE, 0o644));
  return tmp;
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

/** Replaces a symlink atomically (a relative one, so the results folder can be moved). */
function link(at: string, target: string): void {
  const tmp = `${at}.${process.pid}.tmp`;
  symlinkSync(relative(join(at, '..'), target), tmp);
  renameSync(tmp, at);
}

/** faultline.log: appended with one write per line, so a killed run keeps every line logged. */
class LogFile {
  constructor(private readonly file: string) {}
  append(text: string): void {
    const fd = openSync(this.file, APPEND, 0o644);
    try {
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
  }
}

/** Appending, never through a symlink. */
const APPEND = constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | constants.O_NOFOLLOW;
