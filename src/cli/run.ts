import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { EXIT, InputError } from '../errors.js';
import { type ExecuteResult, executePlan } from '../run/execute.js';
import { expandMatrix, loadPlanFile, type Plan, testName } from '../run/plan.js';
import {
  addPlanOptions,
  givenNodeFlags,
  overridesFromFlags,
  type PlanFlags,
  runWithInterrupts,
  withNemesisInterval,
} from './test.js';

/** One row of the summary table. */
interface Row {
  name: string;
  verdict: string;
  exitCode: number;
  ops: string;
  dir: string;
}

export function registerRun(program: Command): void {
  const run = program
    .command('run <plan>')
    .description(
      'run the test(s) a YAML or JSON plan describes (each combination of its matrix); flags override it',
    );
  addPlanOptions(run).action(async (file: string, flags: PlanFlags, cmd: Command) => {
    const plan = withNemesisInterval(await loadPlanFile(file, overridesFromFlags(flags)), flags);
    process.exitCode = await runPlans([plan], flags, cmd, false);
  });

  const all = program
    .command('test-all <plans-dir>')
    .description(
      'run every plan in a folder (and every combination of their matrices); print a summary table',
    );
  addPlanOptions(all).action(async (dir: string, flags: PlanFlags, cmd: Command) => {
    const files = planFiles(dir);
    const plans: Plan[] = [];
    for (const f of files)
      plans.push(withNemesisInterval(await loadPlanFile(f, overridesFromFlags(flags)), flags));
    process.exitCode = await runPlans(plans, flags, cmd, true);
  });
}

function planFiles(dir: string): string[] {
  if (!statSync(dir).isDirectory()) throw new InputError('not a folder', { file: dir });
  const files = readdirSync(dir)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort()
    .map((f) => join(dir, f));
  if (files.length === 0) throw new InputError('no .yaml, .yml or .json plans in this folder', { file: dir });
  return files;
}

/** Runs every variant of every plan in turn; returns the worst exit code. */
async function runPlans(
  plans: Plan[],
  flags: PlanFlags,
  cmd: Command,
  alwaysTable: boolean,
): Promise<number> {
  const variants = plans.flatMap(expandMatrix);
  const rows: Row[] = [];
  let stopped = false;
  for (const plan of variants) {
    if (stopped) {
      rows.push({ name: testName(plan), verdict: 'not run', exitCode: EXIT.unknown, ops: '', dir: '' });
      continue;
    }
    if (variants.length > 1) process.stdout.write(`\n== ${testName(plan)}\n`);
    try {
      const result = await runWithInterrupts((signal, onRunDir) =>
        executePlan(plan, {
          signal,
          onRunDir,
          nodeFlags: givenNodeFlags(cmd, flags),
          ...(flags.resultsDir ? { resultsDir: flags.resultsDir } : {}),
          progress: flags.progress !== false,
        }),
      );
      rows.push(row(result));
      if (result.interrupted) stopped = true;
    } catch (err) {
      if (!(err instanceof InputError) || variants.length === 1) throw err;
      process.stderr.write(`faultline: ${err.message}\n`);
      rows.push({ name: testName(plan), verdict: 'bad input', exitCode: EXIT.badInput, ops: '', dir: '' });
    }
  }
  if (alwaysTable || rows.length > 1) printTable(rows);
  return Math.max(...rows.map((r) => r.exitCode));
}

function row(r: ExecuteResult): Row {
  const verdict =
    r.error !== undefined
      ? 'error'
      : r.result.valid === true
        ? 'valid'
        : r.result.valid === false
          ? 'INVALID'
          : 'unknown';
  return {
    name: r.name,
    verdict: r.interrupted ? `${verdict} (interrupted)` : verdict,
    exitCode: r.exitCode,
    ops: `${r.stats.ok ?? 0} (${r.stats.okPerSecond ?? 0}/s)`,
    dir: r.dir,
  };
}

function printTable(rows: Row[]): void {
  const header = ['test', 'verdict', 'exit', 'ok ops', 'run folder'];
  const cells = rows.map((r) => [r.name, r.verdict, String(r.exitCode), r.ops, r.dir]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]): string =>
    c
      .map((x, i) => x.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  process.stdout.write(`\n${line(header)}\n${line(widths.map((w) => '-'.repeat(w)))}\n`);
  for (const c of cells) process.stdout.write(`${line(c)}\n`);
}
