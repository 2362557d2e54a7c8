import { CRASH_F, STATUS_F } from '../../checkers/crash.js';
import { checkLinearizable, linearizableChecker, type Model } from '../../checkers/linearizable/index.js';
import {
  type Checker,
  type CheckResult,
  type CommonCheckOptions,
  composeResults,
  mergeValidity,
  type Validity,
} from '../../checkers/result.js';
import type { CheckerRunOptions, CheckerSpec } from '../../workloads/types.js';
import { InputError } from '../errors.js';
import { ReadTimeLimitError, readHistoryFileWithWarnings, valueProblem } from '../history/codecs/index.js';
import type { History } from '../history/history.js';
import type { Op } from '../history/op.js';
import type { Registry } from '../registry.js';

/** The verdict on a history without a single op: nothing to stand on, so `unknown`. */
export const NO_OPERATIONS: CheckResult = Object.freeze({
  valid: 'unknown',
  reason: 'no operations: the history is empty',
});

/** Keys listed in an independent checker's result, at most (the count is always given). */
const MAX_LISTED_KEYS = 20;

/**
 * Runs the checkers of `spec` on `history` and composes their results (Jepsen's precedence:
 * false, then unknown, then true), with `also` (results found outside the history, such as
 * the log scan). A checker that is not registered, or that throws, gives `unknown` with the
 * reason. Registered `perf` and `stats` checkers always run too, and `crash` whenever the
 * run watched its nodes (the history has their events).
 */
export async function runCheckers(
  history: History,
  spec: CheckerSpec,
  registry?: Registry<Checker>,
  also: Record<string, CheckResult> = {},
): Promise<CheckResult> {
  if (history.length === 0) return { ...NO_OPERATIONS };
  registry ??= await allCheckers();
  // Names are data (a plan, test.json): a Map, so that `__proto__` is just a name.
  const wanted = new Map(Object.entries(spec));
  for (const name of alwaysRun(history)) if (registry.has(name) && !wanted.has(name)) wanted.set(name, {});
  const results = await runNamedCheckers(history, wanted, registry);
  for (const [name, result] of Object.entries(also)) if (!results.has(name)) results.set(name, result);
  return composeResults(Object.fromEntries(results));
}

/**
 * Runs each named checker on `history`, in order, and nothing else (no always-run checkers):
 * a checker that is not registered, or that throws, gives `unknown` with the reason.
 */
export async function runNamedCheckers(
  history: History,
  wanted: ReadonlyMap<string, CheckerRunOptions>,
  registry: Registry<Checker>,
): Promise<Map<string, CheckResult>> {
  const results = new Map<string, CheckResult>();
  for (const [name, options] of wanted) {
    const checker = registry.find(name);
    if (!checker) {
      results.set(name, { valid: 'unknown', reason: `no checker named ${name} is registered` });
      continue;
    }
    results.set(name, await checkOne(checker, history, options));
  }
  return results;
}

/** The checkers every run gets: perf and stats; crash when the run watched its nodes. */
function alwaysRun(history: History): string[] {
  const watched = history.nemesisOps().some((op) => isWatchEvent(op));
  return alwaysRunCheckers(watched);
}

/** The checkers every run gets: perf and stats, and crash when the run `watched` its nodes. */
export function alwaysRunCheckers(watched: boolean): string[] {
  return watched ? ['perf', 'stats', 'crash'] : ['perf', 'stats'];
}

/** An event of the node watch (a status or a crash): the run watched its nodes. */
export function isWatchEvent(op: Op): boolean {
  return op.process === 'nemesis' && (op.f === STATUS_F || op.f === CRASH_F);
}

/** What a checker that threw gives: `unknown`, with the reason. */
export function checkerFailure(name: string, err: unknown): CheckResult {
  return { valid: 'unknown', reason: `checker ${name} failed: ${(err as Error)?.message ?? String(err)}` };
}

async function checkOne(
  checker: Checker,
  history: History,
  options: CheckerRunOptions,
): Promise<CheckResult> {
  const { independent, ...rest } = options;
  try {
    if (!independent) return await checker.check(history, rest);
    const byKey = history.partition((op) => op.key);
    const invalid: { key: unknown; result: CheckResult }[] = [];
    const verdicts: Validity[] = [];
    for (const [key, sub] of byKey) {
      const result = await checker.check(sub, rest);
      verdicts.push(result.valid);
      if (result.valid !== true) invalid.push({ key, result });
    }
    return {
      valid: mergeValidity(verdicts),
      keys: byKey.size,
      failedKeys: invalid.length,
      failures: invalid.slice(0, MAX_LISTED_KEYS),
    };
  } catch (err) {
    return checkerFailure(checker.name, err);
  }
}

/** Options of {@link checkHistoryFile}: the checker's, and how to read the file. */
export interface CheckFileOptions extends CommonCheckOptions {
  /** A registered checker's name (`linearizable` for `--model`). */
  checker: string;
  /** Read `[key value]` tuples as keyed ops: see `ReadHistoryOptions.independent`. */
  independent?: boolean;
  /** The linearizability model's initial state (`--initial`); needs `model`. */
  initial?: unknown;
}

/** What {@link checkHistoryFile} found. */
export interface CheckFileOutcome {
  result: CheckResult;
  /** Non-fatal problems met reading the file (a torn last line). */
  warnings: string[];
  /** The checker's own text for a person, when it ran. */
  explained?: string;
}

/**
 * `faultline check`: reads a history file and runs one checker on it. The time limit covers
 * reading as well as checking; running out while reading is `unknown`, as is a history with
 * no ops. Throws {@link InputError} for bad input (unknown checker, malformed file).
 */
export async function checkHistoryFile(file: string, options: CheckFileOptions): Promise<CheckFileOutcome> {
  const { checker: name, independent, initial, ...common } = options;
  const checker = await checkerNamed(name);
  const model = initial === undefined ? undefined : await initialModel(checker.name, common.model, initial);
  const deadline = common.timeLimitMs === undefined ? undefined : Date.now() + common.timeLimitMs;
  let read: Awaited<ReturnType<typeof readHistoryFileWithWarnings>>;
  try {
    read = await readHistoryFileWithWarnings(file, { deadline, independent });
  } catch (err) {
    if (!(err instanceof ReadTimeLimitError)) throw err;
    return {
      result: { valid: 'unknown', reason: 'the time limit ran out while reading the history' },
      warnings: [],
    };
  }
  const { history, warnings } = read;
  if (history.length === 0) return { result: { ...NO_OPERATIONS }, warnings };
  const rest = {
    ...common,
    timeLimitMs: deadline === undefined ? undefined : Math.max(1, deadline - Date.now()),
  };
  const result = model ? await checkLinearizable(history, model, rest) : await checker.check(history, rest);
  return { result, warnings, explained: checker.explain?.(result) };
}

/** The model of `model` starting in `initial`, for the linearizable checker only. */
async function initialModel(checker: string, model: string | undefined, initial: unknown): Promise<Model> {
  if (checker !== 'linearizable' || model === undefined) {
    throw new InputError('--initial sets the initial state of a linearizability model: give --model too', {
      field: '--initial',
    });
  }
  const problem = valueProblem(initial);
  if (problem) throw new InputError(problem.reason, { field: '--initial' });
  const { modelWithInitial } = await import('../../checkers/registry.js');
  return modelWithInitial(model, initial);
}

/**
 * The registered checkers, loaded on first use: a one-shot `faultline check --model` needs only
 * the linearizable checker, and loading every other one (Elle, perf's histograms) is most of
 * a cold process' start-up.
 */
async function allCheckers(): Promise<Registry<Checker>> {
  return (await import('../../checkers/registry.js')).CHECKERS;
}

/** The checker named `name` (the registry's own linearizable checker without loading the rest). */
async function checkerNamed(name: string): Promise<Checker> {
  if (name === linearizableChecker.name) return linearizableChecker as Checker;
  return (await allCheckers()).get(name, { field: '--checker' });
}
