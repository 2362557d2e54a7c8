/**
 * Jepsen's log text, as in the etcd histories of Porcupine's test data:
 *
 *     INFO  jepsen.util - 2	:invoke	:cas	[3 0]
 *     INFO  jepsen.util - 1	:info	:write	:timed-out
 *
 * Only `jepsen.util - PROCESS TYPE F VALUE` lines whose TYPE is `:invoke`, `:ok`, `:fail`
 * or `:info` are ops (fields split by tabs or spaces); every other line is ignored. The
 * value is EDN (see `edn.ts`). There are no timestamps: an op's time is its position.
 * A `:fail` or `:info` completion whose value is a keyword (`:timed-out`) reports an error,
 * as Jepsen does today with `:error`: the keyword becomes `error` and the value is the
 * invocation's, so checkers see what was attempted.
 */
import { InputError } from '../../errors.js';
import type { Op, OpType, Process } from '../op.js';
import { EdnSyntaxError, keywordOrString, parseEdnValue, toEdn } from './edn-value.js';
import { tupleValue } from './independent.js';
import type { LineBlock } from './lines.js';
import type { OpBatch, ReadContext } from './read-context.js';
import { checkValues, intern } from './record.js';

const MARKER = 'jepsen.util - ';
const OP_LINE = /^(\S+)[ \t]+:(invoke|ok|fail|info)[ \t]+(\S+)[ \t]*(.*?)\s*$/;

/** Reads Jepsen log lines, in batches. */
export async function* readJepsenLogBatches(
  blocks: AsyncIterable<LineBlock>,
  ctx: ReadContext,
): AsyncGenerator<OpBatch> {
  const file = ctx.path;
  ctx.builder.missingIndex = true;
  const open = new Map<Process, Op>();
  let position = 0;
  let sawText = false;
  for await (const block of blocks) {
    const { text } = block;
    if (!sawText && /\S/.test(text)) sawText = true;
    const ops: Op[] = [];
    const lines: number[] = [];
    let lineNo = block.firstLine;
    for (let start = 0; start < text.length; lineNo++) {
      let end = text.indexOf('\n', start);
      if (end === -1) end = text.length;
      const m = text.indexOf(MARKER, start);
      const lineStart = start;
      start = end + 1;
      if (m === -1 || m >= end) continue;
      const rest = m + MARKER.length;
      const match = OP_LINE.exec(text.slice(rest, end));
      if (!match) continue;
      const [, processText, typeText, fText, valueText] = match as unknown as [
        string,
        string,
        OpType,
        string,
        string,
      ];
      const column = (offset: number) => rest - lineStart + 1 + offset;
      const where = (field: string, offset: number) => ({
        file,
        line: lineNo,
        column: column(offset),
        field,
      });

      let process: Process;
      if (/^\d+$/.test(processText)) process = Number(processText);
      else if (processText === ':nemesis') process = 'nemesis';
      else
        throw new InputError(
          `expected a process number or :nemesis, got ${processText}`,
          where('process', 0),
        );
      const fOffset = match[0].indexOf(fText, processText.length + typeText.length + 2);
      if (fText.length < 2 || fText[0] !== ':') {
        throw new InputError(`expected a keyword such as :read, got ${fText}`, where('f', fOffset));
      }
      let value: unknown = null;
      if (valueText !== '') {
        try {
          value = parseEdnValue(valueText);
        } catch (err) {
          const offset = match[0].lastIndexOf(valueText);
          if (err instanceof EdnSyntaxError)
            throw new InputError(err.reason, where('value', offset + err.offset));
          throw err;
        }
      }
      const op: Op = {
        index: position,
        time: position,
        type: typeText,
        process,
        f: intern(fText.slice(1)),
        value,
      };
      if (typeText === 'invoke') open.set(process, op);
      else {
        const invocation = open.get(process);
        open.delete(process);
        if (typeText !== 'ok' && valueText[0] === ':' && typeof value === 'string') {
          op.error = value;
          op.value = invocation ? invocation.value : null;
        }
      }
      checkValues(op, (field) => where(field ?? 'value', match[0].lastIndexOf(valueText)));
      ops.push(op);
      lines.push(lineNo);
      position++;
    }
    if (ops.length > 0) yield { ops, lines };
  }
  // Skipping every other line must not turn a file that is not a Jepsen log into an empty,
  // hence "valid", history.
  if (position === 0 && sawText) {
    throw new InputError(
      'no Jepsen op line found (`INFO jepsen.util - PROCESS :TYPE :F VALUE`): is this a history?',
      { file, line: 1 },
    );
  }
}

/** One op as a Jepsen log line (lossy: time, node and extra fields are not kept; a key makes a `[key value]` tuple). */
export function opToJepsenLog(op: Op): string {
  const process = op.process === 'nemesis' ? ':nemesis' : String(op.process);
  const value =
    op.type !== 'ok' && op.type !== 'invoke' && typeof op.error === 'string'
      ? keywordOrString(op.error)
      : toEdn(tupleValue(op));
  return `INFO  jepsen.util - ${process}\t:${op.type}\t${keywordOrString(op.f)}\t${value}`;
}
