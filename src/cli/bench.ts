import { join } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { type BenchOutcome, runBench } from '../bench/bench.js';
import { judgeStore, keyText, type SeriesJudgement } from '../bench/judge.js';
import { loadBenchPlan } from '../bench/plan.js';
import type { JudgeOptions } from '../bench/regression.js';
import { SeriesStore } from '../bench/series.js';
import { writeTrendPage } from '../bench/trend.js';
import { EXIT } from '../errors.js';
import { executePlan } from '../run/execute.js';
import { resultsRoot } from '../run/store.js';
import { addNodeOptions, type NodeFlags } from './nodes-options.js';
import { givenNodeFlags, runWithInterrupts } from './test.js';

interface BenchFlags extends NodeFlags {
  resultsDir?: string;
  only?: string;
  progress?: boolean;
}

interface TrendFlags {
  resultsDir?: string;
  plan?: string;
  out?: string;
  recent?: number;
  minEffect?: number;
  alpha?: number;
}

const number =
  (flag: string, check: (n: number) => boolean) =>
  (text: string): number => {
    const n = Number(text);
    if (!Number.isFinite(n) || !check(n))
      throw new InvalidArgumentError(`${flag}: not a valid value: ${text}`);
    return n;
  };

/** `faultline bench <plan>`, `faultline trend`, `faultline nightly <plan>`. */
export function registerBench(program: Command): void {
  const bench = program
    .command('bench <plan>')
    .description('run a bench plan (db × workload × nemesis × concurrency) and store its figures as series');
  addBenchOptions(bench).action(async (file: string, flags: BenchFlags, cmd: Command) => {
    const outcome = await benchFromFlags(file, flags, cmd);
    process.exitCode = benchExitCode(outcome);
  });

  const trend = program
    .command('trend')
    .description(
      'judge every stored series (regressed, improved, unchanged), write the trend page; exit 1 on a regression',
    );
  addTrendOptions(trend)
    .option('--results-dir <dir>', 'results root (default $FAULTLINE_RESULTS, else ./results)')
    .action((flags: TrendFlags) => {
      process.exitCode = trendFromFlags(flags, resultsRoot(flags.resultsDir));
    });

  const nightly = program
    .command('nightly <plan>')
    .description(
      'run a bench plan, judge its series against their history, write the trend page; exit 1 on a regression',
    );
  addTrendOptions(addBenchOptions(nightly)).action(
    async (file: string, flags: BenchFlags & TrendFlags, cmd: Command) => {
      const outcome = await benchFromFlags(file, flags, cmd);
      // A night adds `repetitions` points per series: by default the newest 5 nights count as recent.
      const recent = flags.recent ?? 5 * outcome.repetitions;
      const trendCode = trendFromFlags({ ...flags, recent, plan: flags.plan ?? outcome.plan }, outcome.root);
      process.exitCode = trendCode === EXIT.invalid ? EXIT.invalid : benchExitCode(outcome);
    },
  );
}

function addBenchOptions(command: Command): Command {
  command
    .option('--results-dir <dir>', 'results root (default $FAULTLINE_RESULTS, else ./results)')
    .option('--only <ids>', 'comma-separated parts of case ids: run only the matching cases')
    .option('--no-progress', 'no status line');
  return addNodeOptions(command);
}

function addTrendOptions(command: Command): Command {
  return command
    .option('--plan <name>', 'judge only the series of this plan (nightly: its own plan)')
    .option('--out <file>', 'the trend page (default <results>/trend/<plan or all>.html)')
    .option(
      '--recent <n>',
      'a change counts when it starts in the last n points (default 5; nightly: 5 × repetitions)',
      number('--recent', (n) => Number.isInteger(n) && n > 0),
    )
    .option(
      '--min-effect <fraction>',
      'smallest relative change that counts (default 0.05)',
      number('--min-effect', (n) => n >= 0),
    )
    .option(
      '--alpha <p>',
      'permutation p-value a change must reach (default 0.005)',
      number('--alpha', (n) => n > 0 && n < 1),
    );
}

async function benchFromFlags(file: string, flags: BenchFlags, cmd: Command): Promise<BenchOutcome> {
  const plan = await loadBenchPlan(file);
  const nodeFlags = givenNodeFlags(cmd, flags);
  const outcome = await runBench(plan, {
    ...(flags.resultsDir ? { resultsDir: flags.resultsDir } : {}),
    ...(flags.only
      ? {
          only: flags.only
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        }
      : {}),
    execute: (p) =>
      runWithInterrupts((signal, onRunDir) =>
        executePlan(p, { signal, onRunDir, nodeFlags, progress: flags.progress !== false }),
      ),
  });
  printCases(outcome);
  return outcome;
}

function benchExitCode(outcome: BenchOutcome): number {
  if (outcome.interrupted) return EXIT.unknown;
  return outcome.runs.some((r) => r.metrics.length === 0) ? EXIT.unknown : EXIT.valid;
}

function trendFromFlags(flags: TrendFlags, root: string): number {
  const store = new SeriesStore(root);
  const options: JudgeOptions & { plan?: string } = {
    ...(flags.plan !== undefined && { plan: flags.plan }),
    ...(flags.recent !== undefined && { recent: flags.recent }),
    ...(flags.minEffect !== undefined && { minEffect: flags.minEffect }),
    ...(flags.alpha !== undefined && { confirmAlpha: flags.alpha }),
  };
  const judgements = judgeStore(store, options);
  const file = flags.out ?? join(root, 'trend', `${flags.plan ?? 'all'}.html`);
  writeTrendPage(judgements, { file, root, title: `faultline trends: ${flags.plan ?? 'all plans'}` });
  printVerdicts(judgements);
  process.stdout.write(`trend page: ${file}\n`);
  return judgements.some((j) => j.verdict.verdict === 'regressed') ? EXIT.invalid : EXIT.valid;
}

function printCases(outcome: BenchOutcome): void {
  const metricNames = ['throughput', 'latency-p50', 'latency-p99', 'availability', 'recovery-max'];
  const rows = outcome.runs.map((r) => {
    const byName = new Map(r.metrics.map((m) => [m.name, m.value]));
    return [
      `${r.case.id}${outcome.runs.filter((x) => x.case.id === r.case.id).length > 1 ? ` #${r.repetition + 1}` : ''}`,
      ...metricNames.map((n) => (byName.has(n) ? String(round(byName.get(n)!)) : '-')),
      r.error ? `error: ${r.error}` : r.dir,
    ];
  });
  table(['case', 'ops/s', 'p50 ms', 'p99 ms', 'avail', 'recovery s', 'run folder'], rows);
}

function printVerdicts(judgements: readonly SeriesJudgement[]): void {
  const rows = judgements.map((j) => [
    keyText(j.key),
    String(j.points.length),
    j.verdict.verdict,
    j.verdict.reason,
  ]);
  table(['series', 'points', 'verdict', 'evidence'], rows);
}

function table(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (c: string[]): string =>
    c
      .map((x, i) => (i === c.length - 1 ? x : x.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  process.stdout.write(`\n${line(header)}\n${line(widths.map((w) => '-'.repeat(w)))}\n`);
  for (const r of rows) process.stdout.write(`${line(r)}\n`);
}

function round(x: number): number {
  return Math.abs(x) >= 100 ? Math.round(x) : Math.round(x * 1000) / 1000;
}
