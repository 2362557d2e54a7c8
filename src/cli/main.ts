import { Command, CommanderError } from 'commander';
import { EXIT, InputError } from '../errors.js';
import { VERSION } from '../version.js';
import { registerAnalyze } from './analyze.js';
import { registerBench } from './bench.js';
import { registerCheck } from './check.js';
import { registerCluster } from './cluster.js';
import { registerConvert } from './convert.js';
import { registerHeal } from './heal.js';
import { registerQuorum } from './quorum.js';
import { registerReport } from './report.js';
import { registerRun } from './run.js';
import { registerServe } from './serve.js';
import { registerStart } from './start.js';
import { registerTest } from './test.js';

/** Builds the `faultline` command line. Each command lives in its own file. */
export function buildProgram(): Command {
  const program = new Command('faultline')
    .description('Jepsen-style fault injection, correctness checking and benchmarks for distributed systems')
    .version(VERSION)
    .option('--verbose', 'print stack traces and debug output')
    .showHelpAfterError('(run faultline --help for usage)')
    .exitOverride();
  registerConvert(program);
  registerCheck(program);
  registerStart(program);
  registerTest(program);
  registerRun(program);
  registerAnalyze(program);
  registerCluster(program);
  registerHeal(program);
  registerReport(program);
  registerServe(program);
  registerBench(program);
  registerQuorum(program);
  return program;
}

/** Runs the CLI and exits with faultline's exit codes: 0 valid, 1 invalid, 2 unknown, 254 bad input. */
export async function main(argv: string[]): Promise<never> {
  const program = buildProgram();
  const verbose = argv.includes('--verbose');
  try {
    await program.parseAsync(argv);
    process.exit(process.exitCode ?? EXIT.valid);
  } catch (err) {
    process.exit(exitCodeFor(err, verbose));
  }
}

function exitCodeFor(err: unknown, verbose: boolean): number {
  if (err instanceof CommanderError) {
    // --help and --version exit 0; usage errors already printed their message.
    return err.exitCode === 0 ? EXIT.valid : EXIT.badInput;
  }
  if (err instanceof InputError) {
    console.error(`faultline: ${err.message}`);
    if (verbose) console.error(err.stack);
    return EXIT.badInput;
  }
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT' || e?.code === 'EISDIR' || e?.code === 'EACCES') {
    console.error(`faultline: ${e.message}`);
    return EXIT.badInput;
  }
  console.error(`faultline: internal error: ${e?.message ?? String(err)}`);
  if (verbose) console.error(e?.stack);
  return EXIT.crash;
}
