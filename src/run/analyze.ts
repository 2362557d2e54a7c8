import { existsSync, readFileSync } from 'node:fs';
import type { CheckResult } from '../../checkers/result.js';
import { WORKLOADS } from '../../workloads/index.js';
import type { CheckerSpec } from '../../workloads/types.js';
import { InputError } from '../errors.js';
import { readHistoryFileWithWarnings } from '../history/codecs/index.js';
import { runCheckers } from './check.js';
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
  const facts = readFacts(store.path(RUN_FILES.test));
  const checkers = chooseCheckers(facts, options);
  const { history, warnings } = await readHistoryFileWithWarnings(historyFile);
  const result = await runCheckers(history, checkers);
  store.writeJson(RUN_FILES.results, {
    ...result,
    analyzedAt: new Date().toISOString(),
    history: historyFile,
    ...(warnings.length > 0 ? { warnings } : {}),
  });
  return { result, warnings, ops: history.length, checkers };
}

interface StoredFacts {
  workload?: string;
  plan?: {
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
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as StoredFacts;
  } catch (err) {
    throw new InputError(`not valid JSON: ${(err as Error).message}`, { file: path });
  }
}

function chooseCheckers(facts: StoredFacts, options: AnalyzeOptions): CheckerSpec {
  const stored = storedCheckers(facts);
  const name = options.checker ?? (options.model ? 'linearizable' : undefined);
  if (name) {
    const base = stored[name] ?? {};
    return { [name]: { ...base, ...(options.model ? { model: options.model } : {}) } };
  }
  if (Object.keys(stored).length === 0) {
    throw new InputError('the run does not say which checkers to run: give --checker or --model', {
      field: '--checker',
    });
  }
  return stored;
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
