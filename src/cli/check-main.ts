/**
 * `faultline check` alone: the root command with only `check` registered, so a one-shot check
 * does not load the ssh, db and report modules the other commands need (start-up counts).
 */
import { registerCheck } from './check.js';
import { rootCommand, runProgram } from './program.js';

export async function checkMain(argv: string[]): Promise<never> {
  const program = rootCommand();
  const help = argv.includes('--help') || argv.includes('-h');
  const names = help ? (await import('../../checkers/registry.js')).CHECKERS.names() : [];
  registerCheck(program, names);
  return runProgram(program, argv);
}
