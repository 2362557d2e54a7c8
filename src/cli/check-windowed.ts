/**
 * `faultline check <history> --checker list-append|rw-register --windowed [ops]`: the Elle
 * checkers over a history file too long to hold, key window by key window. The file is read
 * twice, streaming; only a window of ops is in memory (see checkers/elle/windowed.ts for what
 * the windows can and cannot see).
 */
import {
  checkListAppendWindowed,
  checkRwRegisterWindowed,
  DEFAULT_WINDOW_OPS,
  explainElle,
  type WindowedElleResult,
} from '../../checkers/elle/index.js';
import type { ElleOptions } from '../../checkers/elle/options.js';
import { exitCodeOf } from '../../checkers/result.js';
import { InputError } from '../errors.js';
import { readEdnBatches } from '../history/codecs/edn.js';
import type { HistoryFormat } from '../history/codecs/format.js';
import { resolveFormat } from '../history/codecs/index.js';
import { readJepsenLogBatches } from '../history/codecs/jepsen-log.js';
import { readJsonlBatches } from '../history/codecs/jsonl.js';
import { lineBlocks } from '../history/codecs/lines.js';
import type { ReadContext } from '../history/codecs/read-context.js';
import { OpBuilder } from '../history/codecs/record.js';
import type { Op } from '../history/op.js';
import { type ElleFlags, elleOptionsFromFlags } from './elle-options.js';

const READERS = {
  jsonl: readJsonlBatches,
  edn: readEdnBatches,
  'jepsen-log': readJepsenLogBatches,
} as const satisfies Record<HistoryFormat, unknown>;

const LINE = Symbol('line');

/** An op that knows the line it was read from. */
interface Located {
  [LINE]?: number;
}

/** What the windowed check found, as `checkHistoryFile` reports it. */
export interface WindowedCheckOutcome {
  result: WindowedElleResult;
  warnings: string[];
  explained: string;
}

/** The flags of `faultline check` the windowed check reads. */
export interface WindowedFlags extends ElleFlags {
  windowed: true | string;
  checker?: string;
  model?: string;
  timeLimit?: string;
  json?: boolean;
  independent?: boolean;
  initial?: string;
}

/**
 * `faultline check ... --windowed [ops]`: the Elle checker named by `--checker` (or
 * `--model`) over the file, window by window; prints as `check` does and sets the exit code.
 */
export async function runWindowedCheck(file: string, flags: WindowedFlags): Promise<void> {
  const checker = flags.checker ?? flags.model;
  if (checker === undefined) {
    throw new InputError('say which Elle checker: --checker list-append or rw-register', {
      field: '--windowed',
    });
  }
  for (const [given, flag] of [
    [flags.independent, '--independent'],
    [flags.initial, '--initial'],
  ] as const) {
    if (given !== undefined) throw new InputError('does not apply to a windowed Elle check', { field: flag });
  }
  const windowOps = windowOpsFromFlag(flags.windowed);
  const timeLimit = flags.timeLimit === undefined ? undefined : Number(flags.timeLimit);
  if (timeLimit !== undefined && !(Number.isFinite(timeLimit) && timeLimit > 0)) {
    throw new InputError(`expected a positive number, got ${JSON.stringify(flags.timeLimit)}`, {
      field: '--time-limit',
    });
  }
  const { result, warnings, explained } = await checkWindowedFile(file, checker, windowOps, {
    ...elleOptionsFromFlags(checker, flags),
    consistencyModels: flags.consistencyModels?.split(',').map((m) => m.trim()),
    timeLimitMs: timeLimit === undefined ? undefined : timeLimit * 1000,
  });
  // Synchronous writes: main() exits right after the action, before queued output would go.
  for (const w of warnings) process.stderr.write(`faultline: warning: ${w}\n`);
  process.stdout.write(flags.json ? `${JSON.stringify(result, null, 2)}\n` : `${explained}\n`);
  process.exitCode = exitCodeOf(result);
}

/**
 * The `--windowed` flag: `true` (given without a number) for the default window, else a
 * whole number of ops. Throws {@link InputError} naming the flag.
 */
export function windowOpsFromFlag(flag: true | string): number {
  if (flag === true) return DEFAULT_WINDOW_OPS;
  const n = Number(flag);
  if (!Number.isInteger(n) || n < 2) {
    throw new InputError(`expected a whole number of ops, at least 2, got ${JSON.stringify(flag)}`, {
      field: '--windowed',
    });
  }
  return n;
}

/** Checks `file` window by window with the Elle checker `checker`. */
export async function checkWindowedFile(
  file: string,
  checker: string,
  windowOps: number,
  options: ElleOptions,
): Promise<WindowedCheckOutcome> {
  if (checker !== 'list-append' && checker !== 'rw-register') {
    throw new InputError(`windowed checking is for list-append and rw-register, not ${checker}`, {
      field: '--windowed',
    });
  }
  const format = resolveFormat(file);
  let warnings: string[] = [];
  // Each call reads the file afresh; ops carry their line, out of sight, for error messages
  // (cheaper than a side table of millions of entries).
  const ops = async function* (): AsyncGenerator<Op> {
    const ctx: ReadContext = { path: file, builder: new OpBuilder(), warnings: [], strict: false };
    for await (const batch of READERS[format](lineBlocks(file), ctx)) {
      for (let i = 0; i < batch.ops.length; i++) {
        const op = batch.ops[i] as Op & Located;
        op[LINE] = batch.lines[i]!;
        yield op;
      }
    }
    warnings = ctx.warnings;
  };
  const check = checker === 'list-append' ? checkListAppendWindowed : checkRwRegisterWindowed;
  const result = await check(ops, {
    ...options,
    windowOps,
    locate: (op) => ({ file, line: (op as Op & Located)[LINE] }),
  });
  return { result, warnings, explained: explainWindowed(result) };
}

/** The Elle explanation, preceded by what the windows covered. */
function explainWindowed(result: WindowedElleResult): string {
  const w = result.windowed;
  const lines = [
    explainElle(result),
    `windowed: ${w.windows} windows of ${w.windowOps} ops over ${w.ops} ops; ${w.keys} keys: ${w.keysInWindows} in windows, ${w.keysCheckedAlone} checked alone, ${w.keysUnchecked} not checked${w.keysUnchecked > 0 ? ` (${w.uncheckedKeys.map((k) => JSON.stringify(k)).join(', ')}${w.keysUnchecked > w.uncheckedKeys.length ? ', ...' : ''})` : ''}; at most ${w.maxOpsInMemory} ops in memory`,
    `a cycle is seen only when one window holds the lifetimes of all its keys (certain within ${w.seenTogetherWithinOps} ops, never beyond ${w.windowOps}): valid means no anomaly in any window`,
  ];
  return lines.join('\n');
}
