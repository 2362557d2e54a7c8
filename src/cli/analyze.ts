import type { Command } from 'commander';
import { CHECKERS } from '../../checkers/registry.js';
import { exitCodeOf } from '../../checkers/result.js';
import { analyzeRun } from '../run/analyze.js';

interface AnalyzeFlags {
  checker?: string;
  model?: string;
  json?: boolean;
}

export function registerAnalyze(program: Command): void {
  program
    .command('analyze <run-dir>')
    .description('re-check a stored run (also one cut short) and rewrite its results.json')
    .option('--checker <name>', `checker instead of the test's: ${CHECKERS.names().join(', ')}`)
    .option('--model <name>', 'linearizability model (alone: checker linearizable)')
    .option('--json', 'print the result as JSON')
    .action(async (dir: string, flags: AnalyzeFlags) => {
      const { result, warnings, ops, checkers } = await analyzeRun(dir, flags);
      for (const w of warnings) process.stderr.write(`faultline: warning: ${w}\n`);
      if (flags.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else {
        const verdict = result.valid === true ? 'valid' : result.valid === false ? 'INVALID' : 'unknown';
        process.stdout.write(`${verdict}: ${ops} ops checked by ${Object.keys(checkers).join(', ')}\n`);
        const parts = (result.results ?? {}) as Record<string, { valid: unknown; reason?: string }>;
        for (const [name, r] of Object.entries(parts)) {
          process.stdout.write(`  ${name}: ${String(r.valid)}${r.reason ? ` (${r.reason})` : ''}\n`);
        }
      }
      process.exitCode = exitCodeOf(result);
    });
}
