import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { ensembleUp } from '../ensemble/index.js';
import { executePlan } from '../run/execute.js';
import { loadPlanFile } from '../run/plan.js';
import { runWithInterrupts } from './test.js';

/** The plan `npm start` runs: linearizable registers on etcd under partitions and kills. */
export const DEFAULT_PLAN = fileURLToPath(new URL('../../../plans/etcd-register.yaml', import.meta.url));

interface StartFlags {
  timeLimit?: string;
  seed?: string;
  nodes?: string;
}

export function registerStart(program: Command): void {
  program
    .command('start')
    .description(
      'the quick start: bring up the 5-node local ensemble, run plans/etcd-register.yaml, print the verdict and the report',
    )
    .option('--time-limit <s>', 'length of the main phase in seconds (default: the plan, 60)')
    .option('--seed <n>', 'seed of the schedule')
    .option('--nodes <n>', 'nodes in the local ensemble (default 5)', '5')
    .action(async (flags: StartFlags) => {
      const nodes = Number(flags.nodes);
      console.error(`faultline: bringing up the local ensemble (${nodes} nodes)`);
      await ensembleUp({ nodes });
      const plan = await loadPlanFile(planPath(), {
        ...(flags.timeLimit ? { timeLimit: Number(flags.timeLimit) } : {}),
        ...(flags.seed ? { seed: Number(flags.seed) } : {}),
      });
      const result = await runWithInterrupts((signal, onRunDir) => executePlan(plan, { signal, onRunDir }));
      const report = join(result.dir, 'report.html');
      if (existsSync(report)) console.log(`report: ${report}`);
      console.error(
        'faultline: the local ensemble stays up for more runs; `faultline cluster down` removes it',
      );
      process.exitCode = result.exitCode;
    });
}

function planPath(): string {
  // Run from dist/src/cli (built) the plan is three levels up; from src/cli (tests), two.
  return existsSync(DEFAULT_PLAN)
    ? DEFAULT_PLAN
    : fileURLToPath(new URL('../../plans/etcd-register.yaml', import.meta.url));
}
