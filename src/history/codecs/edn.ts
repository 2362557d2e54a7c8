/**
 * EDN histories, as Jepsen, Knossos and Elle write them: one op map per line, or one
 * vector (or list) of op maps over the whole file.
 *
 * How EDN values map to the JSON-like values of an {@link Op} (and back):
 *
 * | EDN                                   | faultline (JSON)                          |
 * |---------------------------------------|-------------------------------------------|
 * | keyword `:read`, `:jepsen/x`          | string `"read"`, `"jepsen/x"`             |
 * | string `"x"`                          | string `"x"`                              |
 * | integer, float                        | number (`12N` too, rounded to a double)   |
 * | `nil`, `true`, `false`                | `null`, `true`, `false`                   |
 * | vector `[1 2]`, list `(1 2)`          | array `[1, 2]`                            |
 * | set `#{1 2}`                          | `{ "#set": [1, 2] }`                      |
 * | map whose keys are all keywords or    | object `{ "a": 1 }`                       |
 * |   strings (and distinct as strings)   |                                           |
 * | any other map, e.g. `{0 10, 1 20}`    | `{ "#map": [[0, 10], [1, 20]] }`          |
 * | symbol `foo`, character `\a`          | string `"foo"`, `"a"`                     |
 * | tagged `#inst "..."`, `#uuid "..."`,  | the tagged value: `"..."`; a record       |
 * |   record `#jepsen.history.Op{...}`    |   reads as its map                        |
 *
 * Writing is the inverse. Keywords and strings both read as strings, so the writer
 * chooses: `type`, `f`, `process` `:nemesis`, map keys, a string `error`, and, in the
 * value of an op whose `f` is `txn`, the first element of each micro-op (`[:append 5 3]`,
 * `[:r 5 nil]`, `[:w 1 2]`) are written as keywords (when the name allows), so Elle and
 * Knossos read our files; every other string is written as a string. The objects
 * `{ "#set": [...] }` and `{ "#map": [[k, v], ...] }` are written as a set and a map: those
 * two keys are reserved. Op fields map one to one (`:process` to `process`, ...); other
 * fields go to `op.extra` and are written back flat. Jepsen's `:time` is in nanoseconds and
 * is kept; without it, time is the op's position. `:index` is kept when every op has one.
 * A keyed client op is written as `jepsen.independent` writes it, `:value [key value]`, and
 * keeps its `:key` (see `independent.ts`).
 *
 * Limits (bad input beyond them): values nest at most `MAX_VALUE_NESTING` (100) levels,
 * numbers are finite (`1e99999` and `12345...N` past a double's range are refused), and one
 * op spans at most `MAX_LINE_CHARS` (64 Mi) characters.
 */
import { InputError, type InputLocation } from '../../errors.js';
import type { Op } from '../op.js';
import {
  EdnSyntaxError,
  FAIL,
  FastEdnReader,
  FormScanner,
  keywordOrString,
  parseEdnGeneral,
  skipBlank,
  toEdn,
} from './edn-value.js';
import { unwrapOwnTuple, writesAsTuple } from './independent.js';
import { type LineBlock, MAX_LINE_CHARS, tooLong } from './lines.js';
import type { OpBatch, ReadContext } from './read-context.js';

/** Reads EDN op maps from blocks of lines, in batches. */
export async function* readEdnBatches(
  blocks: AsyncIterable<LineBlock>,
  ctx: ReadContext,
): AsyncGenerator<OpBatch> {
  const { path: file, builder } = ctx;
  const fast = new FastEdnReader();
  const scanner = new FormScanner();
  let carry = '';
  // Line bookkeeping over `text`: `line` is the number of the line that starts at offset
  // `lineStart` (negative when it started in text already dropped); newlines before
  // `counted` are already counted.
  let line = 1;
  let lineStart = 0;
  let counted = 0;
  let text = '';
  const lineAt = (offset: number): number => {
    for (let nl = text.indexOf('\n', counted); nl !== -1 && nl < offset; nl = text.indexOf('\n', nl + 1)) {
      line++;
      lineStart = nl + 1;
    }
    if (offset > counted) counted = offset;
    return line;
  };
  const at = (offset: number, field?: string): InputLocation => {
    const l = lineAt(offset);
    return { file, line: l, column: offset - lineStart + 1, field };
  };
  // The history is one vector or list: its closing character, and whether it was seen.
  let started = false;
  let closer = '';
  let closedAt = -1;
  let containerAt: InputLocation | undefined;
  let position = 0;

  for await (const block of blocks) {
    text = carry + block.text;
    carry = '';
    let pos = 0;
    const ops: Op[] = [];
    const lines: number[] = [];
    for (;;) {
      const i = skipBlank(text, pos);
      if (i >= text.length) break;
      const c = text[i]!;
      if (!started) {
        started = true;
        if (c === '[' || c === '(') {
          closer = c === '[' ? ']' : ')';
          containerAt = at(i);
          pos = i + 1;
          continue;
        }
      }
      if (closedAt >= 0) {
        throw new InputError(`unexpected text after the ${closer} that closed the history`, at(i));
      }
      if (closer && c === closer) {
        closedAt = i;
        pos = i + 1;
        continue;
      }
      fast.text = text;
      fast.pos = i;
      let record = fast.value();
      if (record === FAIL) {
        let end: number;
        try {
          end = scanner.end(text, i);
        } catch (err) {
          if (err instanceof EdnSyntaxError) throw new InputError(err.reason, at(err.offset));
          throw err;
        }
        if (end < 0) {
          if (block.last) {
            throw new InputError(
              'unexpected end of file (truncated?): this form is never closed',
              at(scanner.unclosed, scanner.lastKey),
            );
          }
          carry = text.slice(i);
          if (carry.length > MAX_LINE_CHARS) throw tooLong(file, at(i).line ?? 1);
          break;
        }
        try {
          record = parseEdnGeneral(text.slice(i, end));
        } catch (err) {
          throw new InputError(`malformed EDN: ${(err as Error).message}`, at(i));
        }
        pos = end;
      } else pos = fast.pos;
      const where = at(i);
      if (typeof record !== 'object' || record === null || Array.isArray(record)) {
        throw new InputError(`expected an op map, got ${describeForm(record)}`, where);
      }
      const formEnd = pos;
      const op = builder.build(record as Record<string, unknown>, position, (field) =>
        field === undefined ? where : fieldLocation(text, i, formEnd, field, at),
      );
      if (op.key !== undefined) unwrapOwnTuple(op);
      ops.push(op);
      lines.push(where.line!);
      position++;
    }
    fast.text = '';
    // Rebase line bookkeeping onto the next text, which starts with the carried form.
    const cut = text.length - carry.length;
    lineAt(cut);
    lineStart -= cut;
    counted = 0;
    if (ops.length > 0) yield { ops, lines };
  }
  if (closer && closedAt < 0) {
    throw new InputError(`unexpected end of file (truncated?): the history's ${closer} is missing`, {
      ...containerAt,
    });
  }
}

/** A short text for a form that is not an op (`toEdn` refuses what a value check would). */
function describeForm(form: unknown): string {
  try {
    return toEdn(form).slice(0, 40);
  } catch {
    return String(form).slice(0, 40);
  }
}

/** The location of `:field` (or `"field"`) inside the form text[from, to), else of the form. */
function fieldLocation(
  text: string,
  from: number,
  to: number,
  field: string,
  at: (offset: number, field?: string) => InputLocation,
): InputLocation {
  const form = text.slice(from, to);
  let k = form.search(new RegExp(`:${field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=[\\s,}])`));
  if (k < 0) k = form.indexOf(JSON.stringify(field));
  return at(k < 0 ? from : from + k, field);
}

/** One op as an EDN map on one line, in Jepsen's field order. */
export function opToEdn(op: Op): string {
  const value = op.f === 'txn' ? txnToEdn(op.value) : toEdn(op.value);
  // A keyed client op is written as jepsen.independent writes it, `:value [key value]`; its
  // `:key` stays too, so that reading it back is exact (see independent.ts).
  const tupled = writesAsTuple(op);
  let s = `{:index ${num(op.index)}, :time ${num(op.time)}, :type ${keywordOrString(op.type)}, :process ${
    op.process === 'nemesis' ? ':nemesis' : num(op.process)
  }, :f ${keywordOrString(op.f)}, :value ${tupled ? `[${toEdn(op.key)} ${value}]` : value}`;
  if (op.error !== undefined) {
    s += `, :error ${typeof op.error === 'string' ? keywordOrString(op.error) : toEdn(op.error)}`;
  }
  if (op.node !== undefined) s += `, :node ${toEdn(op.node)}`;
  if (op.key !== undefined) s += `, :key ${toEdn(op.key)}`;
  if (op.extra) s += extraToEdn(op.extra);
  return `${s}}`;
}

function num(n: number): string {
  if (!Number.isFinite(n)) throw new TypeError(`cannot write ${n} as an op's index, time or process`);
  return String(n);
}

/** Elle's micro-ops: `[f k v]` with `f` a keyword. */
function txnToEdn(value: unknown): string {
  if (!Array.isArray(value)) return toEdn(value);
  let s = '[';
  for (let i = 0; i < value.length; i++) {
    const mop = value[i];
    s += i ? ' ' : '';
    if (Array.isArray(mop) && typeof mop[0] === 'string') {
      s += `[${keywordOrString(mop[0])}`;
      for (let j = 1; j < mop.length; j++) s += ` ${toEdn(mop[j])}`;
      s += ']';
    } else s += toEdn(mop);
  }
  return `${s}]`;
}

function extraToEdn(extra: Record<string, unknown>): string {
  let s = '';
  for (const k of Object.keys(extra)) s += `, ${keywordOrString(k)} ${toEdn(extra[k])}`;
  return s;
}
