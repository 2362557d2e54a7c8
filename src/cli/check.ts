import { writeSync } from 'node:fs';
import type { Command } from 'commander';
import { type CheckResult, exitCodeOf } from '../../checkers/result.js';
import { InputError } from '../errors.js';
import { checkHistoryFile } from '../run/check.js';
import { addElleFlags, type ElleFlags, elleOptionsFromFlags } from './elle-options.js';

interface CheckFlags extends ElleFlags {
  model?: string;
  checker?: string;
  timeLimit?: string;
  memoryLimit?: string;
  consistencyModels?: string;
  json?: boolean;
  independent?: boolean;
  initial?: string;
  windowed?: true | string;
}

/** `checkerNames` (the registry's) go in the help; the lean `check` entry loads them only for --help. */
export function registerCheck(program: Command, checkerNames: readonly string[] = []): void {
  const command = program
    .command('check <history>')
    .description('check a stored history (.jsonl, .edn, Jepsen .log) and print the verdict')
    .option('--model <name>', 'linearizability model: register, cas-register, kv, mutex, set, ...')
    .option(
      '--checker <name>',
      checkerNames.length > 0 ? `checker: ${checkerNames.join(', ')}` : 'checker name',
    )
    .option('--time-limit <seconds>', 'give up after this long; the verdict is then unknown')
    .option('--memory-limit <MiB>', 'memory budget of searches (default 2048)')
    .option('--consistency-models <models>', 'comma-separated, e.g. strict-serializable (Elle checkers)')
    .option('--json', 'print the result as JSON on stdout')
    .option('--independent', "read Jepsen's [key value] tuples as keyed ops (default: when every op is one)")
    .option('--no-independent', 'never read [key value] tuples as keyed ops')
    .option(
      '--initial <json>',
      'the model\'s initial state, e.g. 0 (cas-register) or {"x":0,"y":0} (multi-register)',
    )
    .option(
      '--windowed [ops]',
      'Elle checkers: check a long history key window by key window (default 200000 ops)',
    )
    .action(async (file: string, flags: CheckFlags) => {
      if (flags.windowed !== undefined) {
        const { runWindowedCheck } = await import('./check-windowed.js');
        return runWindowedCheck(file, { ...flags, windowed: flags.windowed });
      }
      const checker = flags.checker ?? (flags.model ? 'linearizable' : undefined);
      if (!checker) throw new InputError('say which analysis: --model <name> or --checker <name>');
      const { result, warnings, explained } = await checkHistoryFile(file, {
        ...elleOptionsFromFlags(checker, flags),
        checker,
        model: flags.model,
        timeLimitMs: positive(flags.timeLimit, '--time-limit', 1000),
        memoryLimitBytes: positive(flags.memoryLimit, '--memory-limit', 1024 * 1024),
        consistencyModels: flags.consistencyModels?.split(',').map((m) => m.trim()),
        independent: flags.independent,
        initial: flags.initial === undefined ? undefined : parseInitial(flags.initial),
      });
      // Synchronous writes: main() exits right after the action, before queued output would go.
      for (const w of warnings) process.stderr.write(`faultline: warning: ${w}\n`);
      if (flags.json) writeStdout(`${JSON.stringify(result, null, 2)}\n`);
      else writeStdout(`${explained ?? summary(result)}\n`);
      process.exitCode = exitCodeOf(result);
    });
  addElleFlags(command);
}

/**
 * Writes to file descriptor 1 directly: creating `process.stdout` loads Node's streams, a few
 * milliseconds of a cold check. On any error (a full non-blocking pipe, a closed one) the rest
 * goes through `process.stdout`, which handles those as it always did.
 */
function writeStdout(text: string): void {
  const bytes = Buffer.from(text);
  let written = 0;
  try {
    while (written < bytes.length) written += writeSync(1, bytes, written);
  } catch {
    process.stdout.write(bytes.subarray(written));
  }
}

function summary(result: CheckResult): string {
  const verdict = result.valid === true ? 'valid' : result.valid === false ? 'INVALID' : 'unknown';
  return result.reason ? `${verdict}: ${result.reason}` : verdict;
}

/** `--initial`: a JSON value. */
function parseInitial(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new InputError(`expected JSON, e.g. 0 or {"x":0,"y":0}, got ${JSON.stringify(text)}`, {
      field: '--initial',
    });
  }
}

function positive(text: string | undefined, flag: string, scale: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0)
    throw new InputError(`expected a positive number, got ${JSON.stringify(text)}`, { field: flag });
  return n * scale;
}
