/**
 * Reading and writing histories: JSONL (native), EDN (Jepsen, Knossos, Elle) and Jepsen
 * log text. All readers stream; errors are {@link InputError}s naming file, line, column
 * and field.
 */
import { open } from 'node:fs/promises';
import { History } from '../history.js';
import type { Op } from '../op.js';
import { opToEdn, readEdnBatches } from './edn.js';
import { formatFromPath, type HistoryFormat, sniffFormat } from './format.js';
import { keysFromTuples, looksIndependent } from './independent.js';
import { opToJepsenLog, readJepsenLogBatches } from './jepsen-log.js';
import { opToJsonl, readJsonlBatches } from './jsonl.js';
import { type LineBlock, lineBlocks, readHead } from './lines.js';
import type { OpBatch, ReadContext } from './read-context.js';
import { OpBuilder } from './record.js';

export { opToEdn } from './edn.js';
export { isKeywordName, parseEdnValue, toEdn } from './edn-value.js';
export { formatFromPath, HISTORY_FORMATS, type HistoryFormat, sniffFormat } from './format.js';
export { keysFromTuples, looksIndependent } from './independent.js';
export { opToJepsenLog } from './jepsen-log.js';
export { JsonlWriter, type JsonlWriterOptions, opToJsonl } from './jsonl.js';
export { MAX_LINE_CHARS, openRegularFile, readSmallTextFile } from './lines.js';
export { MAX_VALUE_NESTING, type ValueProblem, valueProblem } from './value-limits.js';

/** Options of the readers. */
export interface ReadHistoryOptions {
  /** Overrides the format the file name implies. */
  format?: HistoryFormat;
  /** Treat a torn last line of a JSONL file as an error rather than a warning. */
  strict?: boolean;
  /**
   * Read Jepsen's `[key value]` tuples as keyed ops (`jepsen.independent`): `true` requires
   * every client op to be one, `false` never splits them; by default EDN and Jepsen logs are
   * split when every client op is a tuple (see `independent.ts`). JSONL keeps its `key` field.
   */
  independent?: boolean;
  /**
   * Give up reading at this time (`Date.now()` milliseconds) with {@link ReadTimeLimitError},
   * so that a time limit covers reading the history too.
   */
  deadline?: number;
}

/** Reading took longer than {@link ReadHistoryOptions.deadline}. */
export class ReadTimeLimitError extends Error {
  constructor(readonly file: string) {
    super(`${file}: the time limit ran out while reading the history`);
    this.name = 'ReadTimeLimitError';
  }
}

/** A history and the non-fatal problems met while reading it (`file:line: message`). */
export interface ReadHistoryResult {
  history: History;
  warnings: string[];
}

type BatchReader = (blocks: AsyncIterable<LineBlock>, ctx: ReadContext) => AsyncGenerator<OpBatch>;

const READERS: Record<HistoryFormat, BatchReader> = {
  jsonl: readJsonlBatches,
  edn: readEdnBatches,
  'jepsen-log': readJepsenLogBatches,
};

/** The format of a file: `options.format`, else its extension, else (for `.txt`) its content. */
export function resolveFormat(path: string, format?: HistoryFormat): HistoryFormat {
  return format ?? formatFromPath(path) ?? sniffFormat(readHead(path));
}

async function* batches(path: string, ctx: ReadContext, format?: HistoryFormat): AsyncGenerator<OpBatch> {
  const reader = READERS[format ?? resolveFormat(path)];
  yield* reader(lineBlocks(path), ctx);
}

/**
 * Reads and pairs a history file, returning warnings (such as a torn last line of a JSONL
 * file) rather than printing them. Throws {@link InputError} for malformed input, or for a
 * history that breaks Jepsen's pairing rules, naming file, line, column and field.
 */
export async function readHistoryFileWithWarnings(
  path: string,
  options: ReadHistoryOptions = {},
): Promise<ReadHistoryResult> {
  const ctx: ReadContext = { path, builder: new OpBuilder(), warnings: [], strict: options.strict ?? false };
  const ops: Op[] = [];
  const lines: number[] = [];
  const format = resolveFormat(path, options.format);
  const { deadline } = options;
  for await (const batch of batches(path, ctx, format)) {
    for (let i = 0; i < batch.ops.length; i++) {
      ops.push(batch.ops[i]!);
      lines.push(batch.lines[i]!);
    }
    if (deadline !== undefined && Date.now() >= deadline) throw new ReadTimeLimitError(path);
  }
  const locate = (position: number) => ({ file: path, line: lines[position] });
  const { independent } = options;
  if (independent === true || (independent === undefined && format !== 'jsonl' && looksIndependent(ops))) {
    keysFromTuples(ops, locate);
  }
  const history = History.from(ops, {
    locate,
    // Keep the file's own numbering when every op carries one (Jepsen's :index).
    reindex: ctx.builder.missingIndex,
  });
  return { history, warnings: ctx.warnings };
}

/**
 * Reads and pairs a history file; the format comes from the extension (`.jsonl`, `.edn`,
 * `.log`; `.txt` is EDN if it starts with `{`, `[` or `(`, else Jepsen log text). Warnings
 * go to `process.emitWarning`.
 */
export async function readHistoryFile(path: string, options: ReadHistoryOptions = {}): Promise<History> {
  const { history, warnings } = await readHistoryFileWithWarnings(path, options);
  for (const w of warnings) process.emitWarning(w, 'HistoryWarning');
  return history;
}

/**
 * Streams the ops of a history file without pairing them (for files too big to hold, or
 * histories that are not well formed). Throws {@link InputError} as the readers do; a torn
 * last JSONL line is skipped unless `strict`.
 */
export async function* readOps(path: string, options: ReadHistoryOptions = {}): AsyncGenerator<Op> {
  const ctx: ReadContext = { path, builder: new OpBuilder(), warnings: [], strict: options.strict ?? false };
  for await (const batch of batches(path, ctx, options.format)) yield* batch.ops;
}

/** Options of {@link writeHistoryFile}. */
export interface WriteHistoryOptions {
  /** Overrides the format the file name implies (`.txt` is written as EDN). */
  format?: HistoryFormat;
}

const WRITERS: Record<HistoryFormat, (op: Op) => string> = {
  jsonl: opToJsonl,
  edn: opToEdn,
  'jepsen-log': opToJepsenLog,
};

/**
 * Writes (replacing) a whole history file, one op per line, in batches. The ops may come
 * from a stream (such as {@link readOps} of another file), so a history need not fit in memory.
 */
export async function writeHistoryFile(
  path: string,
  history: History | Iterable<Op> | AsyncIterable<Op>,
  options: WriteHistoryOptions = {},
): Promise<void> {
  const format = options.format ?? formatFromPath(path) ?? 'edn';
  const encode = WRITERS[format];
  const ops = history instanceof History ? history.ops : history;
  const handle = await open(path, 'w');
  try {
    let chunk = '';
    const append = (op: Op): boolean => {
      chunk += `${encode(op)}\n`;
      return chunk.length >= 1 << 20;
    };
    const flush = async (): Promise<void> => {
      await handle.write(chunk);
      chunk = '';
    };
    // An array is written without an await per op; a stream is awaited op by op anyway.
    if (Symbol.asyncIterator in ops) {
      for await (const op of ops) if (append(op)) await flush();
    } else for (const op of ops) if (append(op)) await flush();
    if (chunk) await handle.write(chunk);
  } finally {
    await handle.close();
  }
}
