/**
 * `faultline bench`: runs every case of a bench plan (each repetition a test run with its own
 * run folder), measures its window, writes `bench.json` into the run folder and appends one
 * point per metric to the series store.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { readOps } from '../history/codecs/index.js';
import type { Op } from '../history/op.js';
import { type ExecuteResult, executePlan } from '../run/execute.js';
import type { Plan } from '../run/plan.js';
import { RUN_FILES, resultsRoot } from '../run/store.js';
import { type BenchEnvironment, benchEnvironment } from './environment.js';
import { caseMetrics, type Metric, measuredWindow } from './metrics.js';
import { type BenchCase, type BenchPlan, benchCases } from './plan.js';
import { SeriesStore } from './series.js';

/** How to run a bench plan. */
export interface BenchOptions {
  /** `--results-dir` (else the plan's, else $FAULTLINE_RESULTS, else ./results). */
  resultsDir?: string;
  /** Runs one test plan; default {@link executePlan} (the CLI wraps it to handle Ctrl-C). */
  execute?: (plan: Plan) => Promise<ExecuteResult>;
  /** Progress lines (default stdout). */
  out?: (line: string) => void;
  /** Only cases whose id contains one of these. */
  only?: readonly string[];
}

/** What one repetition of one case measured. */
export interface CaseRun {
  case: BenchCase;
  repetition: number;
  dir: string;
  /** Empty when the run failed (nothing is stored then). */
  metrics: Metric[];
  exitCode: number;
  error?: string;
  dbVersion?: string;
}

/** The outcome of a bench plan. */
export interface BenchOutcome {
  plan: string;
  root: string;
  environment: BenchEnvironment;
  /** Points each case adds to its series per bench run. */
  repetitions: number;
  runs: CaseRun[];
  interrupted: boolean;
}

/** Runs every case of `plan` and stores its figures; never throws for a failed case. */
export async function runBench(plan: BenchPlan, options: BenchOptions = {}): Promise<BenchOutcome> {
  const out = options.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const root = resultsRoot(options.resultsDir ?? plan.resultsDir);
  const store = new SeriesStore(root);
  const environment = benchEnvironment();
  const execute = options.execute ?? ((p: Plan) => executePlan(p, { resultsDir: root }));
  const cases = benchCases(plan).filter(
    (c) => !options.only?.length || options.only.some((o) => c.id.includes(o)),
  );
  const runs: CaseRun[] = [];
  let interrupted = false;
  for (const c of cases) {
    for (let repetition = 0; repetition < plan.repetitions && !interrupted; repetition++) {
      out(`\n== bench ${plan.name}: ${c.id} (repetition ${repetition + 1}/${plan.repetitions})`);
      const time = new Date().toISOString();
      const result = await execute({ ...c.plan, resultsDir: root });
      interrupted = result.interrupted;
      const run: CaseRun = { case: c, repetition, dir: result.dir, metrics: [], exitCode: result.exitCode };
      if (result.error !== undefined || result.interrupted) {
        run.error = result.error ?? 'interrupted';
      } else {
        const ops = await readAll(join(result.dir, RUN_FILES.historyJsonl));
        run.metrics = await caseMetrics(measuredWindow(ops, plan.warmup, plan.duration).ops, plan.duration);
        run.dbVersion = dbVersion(result.dir);
        const nodes = c.plan.nodes?.length ?? nodeCount(result.dir);
        writeFileSync(
          join(result.dir, 'bench.json'),
          `${JSON.stringify({ plan: plan.name, case: c.id, repetition, warmupS: plan.warmup, durationS: plan.duration, metrics: run.metrics, dbVersion: run.dbVersion ?? null, nodes, environment }, null, 2)}\n`,
        );
        for (const m of run.metrics) {
          store.append(
            { plan: plan.name, case: c.id, metric: m.name },
            {
              time,
              value: m.value,
              unit: m.unit,
              better: m.better,
              run: relative(root, result.dir),
              repetition,
              commit: environment.commit,
              faultline: environment.faultline,
              notes: { db: `${c.db} ${run.dbVersion ?? ''}`.trim(), nodes, cpus: environment.machine.cpus },
            },
          );
        }
        out(`   ${run.metrics.map((m) => `${m.name} ${fmt(m.value)} ${m.unit}`).join(', ')}`);
      }
      runs.push(run);
    }
  }
  return { plan: plan.name, root, environment, repetitions: plan.repetitions, runs, interrupted };
}

async function readAll(file: string): Promise<Op[]> {
  const ops: Op[] = [];
  for await (const op of readOps(file)) ops.push(op);
  return ops;
}

function testJson(dir: string): { versions?: Record<string, string>; nodes?: string[] } {
  try {
    return JSON.parse(readFileSync(join(dir, RUN_FILES.test), 'utf8')) as {
      versions?: Record<string, string>;
      nodes?: string[];
    };
  } catch {
    return {};
  }
}

function dbVersion(dir: string): string | undefined {
  const versions = [...new Set(Object.values(testJson(dir).versions ?? {}))];
  return versions.length > 0 ? versions.join(', ') : undefined;
}

function nodeCount(dir: string): number {
  return testJson(dir).nodes?.length ?? 0;
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toPrecision(4);
}
