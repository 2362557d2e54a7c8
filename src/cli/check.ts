import type { Command } from 'commander';
import { CHECKERS } from '../../checkers/registry.js';
import { type CheckResult, type CommonCheckOptions, exitCodeOf } from '../../checkers/result.js';
import { InputError } from '../errors.js';
import { readHistoryFile } from '../history/codecs/index.js';
import { addElleFlags, type ElleFlags, elleOptionsFromFlags } from './elle-options.js';

interface CheckFlags extends ElleFlags {
  model?: string;
  checker?: string;
  timeLimit?: string;
  memoryLimit?: string;
  consistencyModels?: string;
  json?: boolean;
}

export function registerCheck(program: Command): void {
  const command = program
    .command('check <history>')
    .description('check a stored history (.jsonl, .edn, Jepsen .log) and print the verdict')
    .option('--model <name>', 'linearizability model: register, cas-register, kv, mutex, set, ...')
    .option('--checker <name>', `checker: ${CHECKERS.names().join(', ')}`)
    .option('--time-limit <seconds>', 'give up after this long; the verdict is then unknown')
    .option('--memory-limit <MiB>', 'memory budget of searches (default 2048)')
    .option('--consistency-models <models>', 'comma-separated, e.g. strict-serializable (Elle checkers)')
    .option('--json', 'print the result as JSON on stdout')
    .action(async (file: string, flags: CheckFlags) => {
      const checkerName = flags.checker ?? (flags.model ? 'linearizable' : undefined);
      if (!checkerName) throw new InputError('say which analysis: --model <name> or --checker <name>');
      const checker = CHECKERS.get(checkerName, { field: '--checker' });
      const elle = elleOptionsFromFlags(checkerName, flags);
      const history = await readHistoryFile(file);
      const options: CommonCheckOptions = {
        ...elle,
        model: flags.model,
        timeLimitMs: positive(flags.timeLimit, '--time-limit', 1000),
        memoryLimitBytes: positive(flags.memoryLimit, '--memory-limit', 1024 * 1024),
        consistencyModels: flags.consistencyModels?.split(',').map((m) => m.trim()),
      };
      const result = await checker.check(history, options);
      if (flags.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else process.stdout.write(`${checker.explain?.(result) ?? summary(result)}\n`);
      process.exitCode = exitCodeOf(result);
    });
  addElleFlags(command);
}

function summary(result: CheckResult): string {
  const verdict = result.valid === true ? 'valid' : result.valid === false ? 'INVALID' : 'unknown';
  return result.reason ? `${verdict}: ${result.reason}` : verdict;
}

function positive(text: string | undefined, flag: string, scale: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0)
    throw new InputError(`expected a positive number, got ${JSON.stringify(text)}`, { field: flag });
  return n * scale;
}
