import { existsSync } from 'node:fs';
import { damagedNodes } from '../../checkers/crash.js';
import type { Checker, CheckResult } from '../../checkers/result.js';
import { WORKLOADS } from '../../workloads/index.js';
import type { CheckerSpec } from '../../workloads/types.js';
import { DBS } from '../db/index.js';
import { InputError, type InputLocation } from '../errors.js';
import { readHistoryFileWithWarnings, readSmallTextFile } from '../history/codecs/index.js';
import type { Registry } from '../registry.js';
import { runCheckers } from './check.js';
import { checkLogs, logPatternsOf } from './log-scan.js';
import { checkersFor } from './modules.js';
import { RUN_FILES, RunStore } from './store.js';

export interface AnalyzeOptions {
  /** Run this checker instead of the test's. */
  checker?: string;
  /** The linearizability model (alone, it means checker `linearizable`). */
  model?: string;
}

export interface AnalyzeResult {
  result: CheckResult;
  /** Problems met reading the history, e.g. a torn last line. */
  warnings: string[];
  ops: number;
  /** The checkers that ran, with their options. */
  checkers: CheckerSpec;
}

/**
 * Re-checks a stored run: reads its history (history.jsonl, even one cut short by a killed
 * run; else history.edn), runs the test's checkers (or the asked one) and rewrites
 * results.json.
 */
export async function analyzeRun(dir: string, options: AnalyzeOptions = {}): Promise<AnalyzeResult> {
  const store = RunStore.open(dir);
  if (!existsSync(store.dir)) throw new InputError('no such run folder', { file: dir });
  const historyFile = [RUN_FILES.historyJsonl, RUN_FILES.historyEdn]
    .map((f) => store.path(f))
    .find((f) => existsSync(f));
  if (!historyFile)
    throw new InputError(`no ${RUN_FILES.historyJsonl} or ${RUN_FILES.historyEdn} in the run folder`, {
      file: dir,
    });
  const testFile = store.path(RUN_FILES.test);
  const facts = readFacts(testFile);
  const checkers = chooseCheckers(facts, options);
  const registry = await registeredCheckers(checkers, options, testFile);
  const { history, warnings } = await readHistoryFileWithWarnings(historyFile);
  const damaged = new Set(damagedNodes(history.ops).keys());
  const result = await runCheckers(
    history,
    checkers,
    registry,
    await logVerdict(store, facts, options, damaged),
  );
  store.writeJson(RUN_FILES.results, {
    ...result,
    analyzedAt: new Date().toISOString(),
    history: historyFile,
    ...(warnings.length > 0 ? { warnings } : {}),
  });
  return { result, warnings, ops: history.length, checkers };
}

/** The log scan of a run that had a db, again (unless one checker was asked for). */
async function logVerdict(
  store: RunStore,
  facts: StoredFacts,
  options: AnalyzeOptions,
  damaged: ReadonlySet<string>,
): Promise<Record<string, CheckResult>> {
  if (options.checker !== undefined || options.model !== undefined) return {};
  const dbName = facts.plan?.db ?? facts.db;
  if (dbName === undefined || dbName === 'none') return {};
  const db = DBS.find(dbName);
  const patterns = logPatternsOf(db, { logPatterns: facts.plan?.logPatterns });
  // A db that names no patterns (and a plan that adds none) has nothing to scan for.
  if (patterns.length === 0) return {};
  return { 'log-patterns': await checkLogs(store.logDir, patterns, damaged, db?.expectedLogLines) };
}

/** test.json is a few KiB; anything near this is not one. */
const MAX_FACTS_BYTES = 16 << 20;

interface StoredFacts {
  workload?: string;
  db?: string;
  plan?: {
    logPatterns?: string[];
    checkers?: CheckerSpec;
    workloadOptions?: Record<string, unknown>;
    db?: string;
    dbOptions?: Record<string, unknown>;
    concurrency?: number;
  };
  nodes?: string[];
}

function readFacts(path: string): StoredFacts {
  if (!existsSync(path)) return {};
  let facts: unknown;
  try {
    facts = JSON.parse(readSmallTextFile(path, MAX_FACTS_BYTES));
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`not valid JSON: ${(err as Error).message}`, { file: path });
  }
  const isObject = (x: unknown) => typeof x === 'object' && x !== null && !Array.isArray(x);
  if (!isObject(facts)) throw new InputError("expected a JSON object (the run's facts)", { file: path });
  const { plan } = facts as StoredFacts;
  if (plan !== undefined && !isObject(plan))
    throw new InputError('expected an object', { file: path, field: 'plan' });
  if (plan?.checkers !== undefined && !isObject(plan.checkers)) {
    throw new InputError('expected an object of checker names', { file: path, field: 'plan.checkers' });
  }
  return facts as StoredFacts;
}

function chooseCheckers(facts: StoredFacts, options: AnalyzeOptions): CheckerSpec {
  const stored = storedCheckers(facts);
  const name = options.checker ?? (options.model ? 'linearizable' : undefined);
  if (name) {
    const base = Object.hasOwn(stored, name) ? stored[name] : {};
    return { [name]: { ...base, ...(options.model ? { model: options.model } : {}) } };
  }
  if (Object.keys(stored).length === 0) {
    throw new InputError('the run does not say which checkers to run: give --checker or --model', {
      field: '--checker',
    });
  }
  return stored;
}

/**
 * The registry of the checkers to run (built-in ones, plus modules a plan names): an unknown
 * name, from `--checker` or from the run's test.json, is bad input (as in `faultline check`),
 * not a silent `unknown`.
 */
async function registeredCheckers(
  checkers: CheckerSpec,
  options: AnalyzeOptions,
  testFile: string,
): Promise<Registry<Checker>> {
  const fromFlag = options.checker !== undefined || options.model !== undefined;
  const locate = (name: string): InputLocation =>
    fromFlag ? { field: '--checker' } : { file: testFile, field: `plan.checkers.${name}` };
  const names = Object.keys(checkers);
  const registry = await checkersFor(names, locate);
  for (const name of names) registry.get(name, locate(name));
  return registry;
}

/** The checkers the test ran: the plan's override, else its workload's. */
function storedCheckers(facts: StoredFacts): CheckerSpec {
  if (facts.plan?.checkers) return facts.plan.checkers;
  const workload = facts.workload ? WORKLOADS.find(facts.workload) : undefined;
  if (!workload) return {};
  const nodes = facts.nodes ?? [];
  return workload.checkers({
    dbOptions: facts.plan?.dbOptions ?? {},
    options: facts.plan?.workloadOptions ?? {},
    concurrency: facts.plan?.concurrency ?? 1,
    nodes,
    endpoint: (n) => n,
  });
}
