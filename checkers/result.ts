import { EXIT } from '../src/errors.js';
import type { History } from '../src/history/index.js';

/** A checker's verdict: `unknown` when it could not decide (time or memory limit, missing data). */
export type Validity = true | false | 'unknown';

/** What every checker returns: a verdict plus evidence that is plain JSON. */
export interface CheckResult {
  valid: Validity;
  /** Why the verdict is `unknown`, when it is. */
  reason?: string;
  /** Anything else the checker found, as JSON-serialisable data. */
  [evidence: string]: unknown;
}

/** A pure analysis: history in, verdict out. Never does I/O. */
export interface Checker<Options extends CommonCheckOptions = CommonCheckOptions> {
  /** A short name, as used by `--checker`. */
  readonly name: string;
  /** One line saying what it checks. */
  readonly description: string;
  check(history: History, options?: Options): CheckResult | Promise<CheckResult>;
  /** A short text for a person, printed by the CLI when `--json` is not given. */
  explain?(result: CheckResult): string;
}

/**
 * Options the CLI passes to every checker; each takes what it understands.
 * Checkers with more options declare their own type extending this one.
 */
export interface CommonCheckOptions {
  /** Stop searching after this many milliseconds; the verdict is then `unknown`. */
  timeLimitMs?: number;
  /** Memory budget in bytes for searches that can blow up. */
  memoryLimitBytes?: number;
  /** The linearizability model (register, cas-register, kv, ...). */
  model?: string;
  /** Consistency models to check against (Elle), e.g. `strict-serializable`. */
  consistencyModels?: string[];
}

/** Jepsen's precedence: any `false` wins, then any `unknown`, else `true`. */
export function mergeValidity(verdicts: Iterable<Validity>): Validity {
  let merged: Validity = true;
  for (const v of verdicts) {
    if (v === false) return false;
    if (v === 'unknown') merged = 'unknown';
  }
  return merged;
}

/** The exit code of a verdict: 0 valid, 1 invalid, 2 unknown. */
export function exitCodeOf(result: CheckResult): number {
  if (result.valid === true) return EXIT.valid;
  if (result.valid === false) return EXIT.invalid;
  return EXIT.unknown;
}

/** Combines named results into one, as Jepsen's `compose`. */
export function composeResults(results: Record<string, CheckResult>): CheckResult {
  return { valid: mergeValidity(Object.values(results).map((r) => r.valid)), results };
}
