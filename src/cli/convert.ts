import type { Command } from 'commander';
import { formatFromPath, readHistoryFileWithWarnings, writeHistoryFile } from '../history/codecs/index.js';

/**
 * `faultline convert <in> <out>`: reads a history in one format and writes it in another,
 * each format from its file's extension (`.jsonl`, `.edn`, `.log`; `.txt` in is sniffed).
 * The input is paired on the way, so a malformed history is refused (exit 254).
 */
export function registerConvert(program: Command): void {
  program
    .command('convert <in> <out>')
    .description('convert a history between JSONL, EDN and Jepsen log text (formats from the extensions)')
    .option('--strict', 'refuse a torn last line of a JSONL file instead of skipping it with a warning')
    .action(async (input: string, output: string, flags: { strict?: boolean }) => {
      formatFromPath(output); // refuse an unknown output extension before reading anything
      const { history, warnings } = await readHistoryFileWithWarnings(input, { strict: flags.strict });
      for (const w of warnings) process.stderr.write(`faultline: warning: ${w}\n`);
      await writeHistoryFile(output, history);
    });
}
