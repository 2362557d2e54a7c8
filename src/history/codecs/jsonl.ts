/**
 * JSONL, faultline's native history format: one JSON object per line with the fields of
 * {@link Op} (`index, time, type, process, f, value`, and `error`, `node`, `key` when
 * present), then any extra fields, flat. Appending a line is all it takes to record an op,
 * so a killed writer leaves at most a torn last line, which the reader reports and skips.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { InputError } from '../../errors.js';
import type { Op } from '../op.js';
import type { LineBlock } from './lines.js';
import type { OpBatch, ReadContext } from './read-context.js';
import { CORE_FIELDS } from './record.js';

/** Reads JSONL ops, in batches. */
export async function* readJsonlBatches(
  blocks: AsyncIterable<LineBlock>,
  ctx: ReadContext,
): AsyncGenerator<OpBatch> {
  const { path: file, builder } = ctx;
  let position = 0;
  for await (const block of blocks) {
    const { text } = block;
    const ops: Op[] = [];
    const lines: number[] = [];
    let lineNo = block.firstLine;
    for (let start = 0; start < text.length; lineNo++) {
      let end = text.indexOf('\n', start);
      const torn = end === -1 && block.last;
      if (end === -1) end = text.length;
      const line = text.slice(start, end);
      start = end + 1;
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch {
        if (line.trim() === '') continue;
        const { column, field } = locateJsonError(line);
        if (torn && !ctx.strict) {
          ctx.warnings.push(`${file}:${lineNo}: torn last line ignored (was the writer killed mid-write?)`);
          continue;
        }
        throw new InputError(torn ? 'torn last line (truncated file?): not valid JSON' : 'not valid JSON', {
          file,
          line: lineNo,
          column,
          field,
        });
      }
      if (typeof record !== 'object' || record === null || Array.isArray(record)) {
        throw new InputError('expected a JSON object (one op per line)', { file, line: lineNo, column: 1 });
      }
      const at = lineNo;
      ops.push(
        builder.build(record as Record<string, unknown>, position, (field) => {
          const k = field === undefined ? -1 : line.indexOf(JSON.stringify(field));
          return { file, line: at, column: k < 0 ? 1 : k + 1, field };
        }),
      );
      lines.push(lineNo);
      position++;
    }
    if (ops.length > 0) yield { ops, lines };
  }
}

/** One op as a JSON line (without the newline). Fields in a fixed order; extras last. */
export function opToJsonl(op: Op): string {
  if (!Number.isFinite(op.time) || !Number.isFinite(op.index)) {
    throw new TypeError(`op ${op.index}: index and time must be finite numbers`);
  }
  let s = `{"index":${op.index},"time":${op.time},"type":${JSON.stringify(op.type)},"process":${
    typeof op.process === 'number' ? op.process : JSON.stringify(op.process)
  },"f":${JSON.stringify(op.f)},"value":${JSON.stringify(op.value) ?? 'null'}`;
  if (op.error !== undefined) s += `,"error":${JSON.stringify(op.error) ?? 'null'}`;
  if (op.node !== undefined) s += `,"node":${JSON.stringify(op.node)}`;
  if (op.key !== undefined) s += `,"key":${JSON.stringify(op.key) ?? 'null'}`;
  if (op.extra) {
    for (const k of Object.keys(op.extra)) {
      if (CORE_FIELDS.has(k)) throw new TypeError(`op ${op.index}: extra field ${k} shadows an op field`);
      const v = JSON.stringify(op.extra[k]);
      if (v !== undefined) s += `,${JSON.stringify(k)}:${v}`;
    }
  }
  return `${s}}`;
}

/** Options of {@link JsonlWriter.open}. */
export interface JsonlWriterOptions {
  /** Longest time an op waits in memory before it reaches the file (default 500 ms). */
  flushIntervalMs?: number;
}

const MAX_BUFFER_CHARS = 1 << 20;

/**
 * Appends ops to a JSONL file as they happen. Ops are buffered and written with one
 * system call per flush: at least every `flushIntervalMs`, when the buffer reaches 1 MiB,
 * on {@link close}, and when the process exits normally. A process killed with SIGKILL
 * loses at most the ops of the last interval, and at worst leaves a torn last line.
 */
export class JsonlWriter {
  private buffer = '';
  private fd: number;
  private readonly timer: NodeJS.Timeout;
  private readonly onExit = () => this.flush();

  private constructor(fd: number, flushIntervalMs: number) {
    this.fd = fd;
    this.timer = setInterval(() => this.flush(), flushIntervalMs);
    this.timer.unref();
    process.on('exit', this.onExit);
  }

  /** Opens `path` for appending (creating it if needed). */
  static open(path: string, options: JsonlWriterOptions = {}): JsonlWriter {
    return new JsonlWriter(openSync(path, 'a'), options.flushIntervalMs ?? 500);
  }

  /** Records one op. Cheap: it only appends to a buffer. */
  write(op: Op): void {
    if (this.fd < 0) throw new Error('JsonlWriter: write after close');
    this.buffer += `${opToJsonl(op)}\n`;
    if (this.buffer.length >= MAX_BUFFER_CHARS) this.flush();
  }

  /** Writes everything buffered to the file now. */
  flush(): void {
    if (this.buffer === '' || this.fd < 0) return;
    const data = this.buffer;
    this.buffer = '';
    writeSync(this.fd, data);
  }

  /** Flushes and closes the file. Idempotent. */
  close(): void {
    if (this.fd < 0) return;
    this.flush();
    clearInterval(this.timer);
    process.off('exit', this.onExit);
    closeSync(this.fd);
    this.fd = -1;
  }
}

/**
 * Where a line stops being valid JSON: its 1-based column and the field being read there.
 * Only called on lines that JSON.parse rejected, to make the error message precise.
 */
export function locateJsonError(line: string): { column: number; field?: string } {
  let i = 0;
  let field: string | undefined;
  let depth = 0;
  const n = line.length;
  const fail = (): never => {
    throw i;
  };
  const blank = () => {
    while (i < n && (line[i] === ' ' || line[i] === '\t' || line[i] === '\r')) i++;
  };
  const string = (): string => {
    const start = i;
    i++;
    while (i < n && line[i] !== '"') {
      if (line[i] === '\\') i++;
      if (line.charCodeAt(i) < 32) fail();
      i++;
    }
    if (i >= n) fail();
    i++;
    try {
      return JSON.parse(line.slice(start, i)) as string;
    } catch {
      i = start;
      return fail();
    }
  };
  const value = (): void => {
    blank();
    const c = line[i];
    if (c === '{') {
      i++;
      depth++;
      blank();
      if (line[i] === '}') i++;
      else {
        for (;;) {
          blank();
          if (depth === 1) field = undefined; // between fields: no field to blame yet
          if (line[i] !== '"') fail();
          const name = string();
          if (depth === 1) field = name;
          blank();
          if (line[i] !== ':') fail();
          i++;
          value();
          blank();
          if (line[i] === ',') i++;
          else if (line[i] === '}') {
            i++;
            break;
          } else fail();
        }
      }
      depth--;
    } else if (c === '[') {
      i++;
      blank();
      if (line[i] === ']') i++;
      else {
        for (;;) {
          value();
          blank();
          if (line[i] === ',') i++;
          else if (line[i] === ']') {
            i++;
            break;
          } else fail();
        }
      }
    } else if (c === '"') string();
    else {
      const m = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null)/.exec(line.slice(i));
      if (!m) fail();
      i += m![0].length;
    }
  };
  try {
    value();
    blank();
    if (i < n) fail();
    return { column: n + 1, field };
  } catch (at) {
    if (typeof at !== 'number') throw at;
    return { column: at + 1, field };
  }
}
