import type { Command } from 'commander';
import { CHECKERS } from '../../checkers/registry.js';
import { registerAnalyze } from './analyze.js';
import { registerBench } from './bench.js';
import { registerCheck } from './check.js';
import { registerCluster } from './cluster.js';
import { registerConvert } from './convert.js';
import { registerHeal } from './heal.js';
import { rootCommand, runProgram } from './program.js';
import { registerQuorum } from './quorum.js';
import { registerReport } from './report.js';
import { registerRun } from './run.js';
import { registerServe } from './serve.js';
import { registerStart } from './start.js';
import { registerTest } from './test.js';

/** Builds the `faultline` command line. Each command lives in its own file. */
export function buildProgram(): Command {
  const program = rootCommand();
  registerConvert(program);
  registerCheck(program, CHECKERS.names());
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
  return runProgram(buildProgram(), argv);
}
