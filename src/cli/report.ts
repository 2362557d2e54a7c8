import type { Command } from 'commander';
import { writeReport } from '../report/write.js';

/** `faultline report <run-dir>`: (re)writes the run's report.html. */
export function registerReport(program: Command): void {
  program
    .command('report <run-dir>')
    .description("write (or rewrite) a run's report.html from its history, results.json and test.json")
    .action(async (dir: string) => {
      const file = await writeReport(dir);
      process.stdout.write(`${file}\n`);
    });
}
