import { CHECKERS } from '../../checkers/registry.js';
import {
  type Checker,
  type CheckResult,
  composeResults,
  mergeValidity,
  type Validity,
} from '../../checkers/result.js';
import type { CheckerRunOptions, CheckerSpec } from '../../workloads/types.js';
import type { History } from '../history/history.js';
import type { Registry } from '../registry.js';

/** Keys listed in an independent checker's result, at most (the count is always given). */
const MAX_LISTED_KEYS = 20;

/**
 * Runs the checkers of `spec` on `history` and composes their results (Jepsen's precedence:
 * false, then unknown, then true). A checker that is not registered, or that throws, gives
 * `unknown` with the reason. A registered `perf` checker always runs too.
 */
export async function runCheckers(
  history: History,
  spec: CheckerSpec,
  registry: Registry<Checker> = CHECKERS,
): Promise<CheckResult> {
  const results: Record<string, CheckResult> = {};
  const wanted: CheckerSpec = { ...spec };
  if (registry.has('perf') && !('perf' in wanted)) wanted.perf = {};
  for (const [name, options] of Object.entries(wanted)) {
    const checker = registry.find(name);
    if (!checker) {
      results[name] = { valid: 'unknown', reason: `no checker named ${name} is registered` };
      continue;
    }
    results[name] = await checkOne(checker, history, options);
  }
  return composeResults(results);
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
    return {
      valid: 'unknown',
      reason: `checker ${checker.name} failed: ${(err as Error)?.message ?? String(err)}`,
    };
  }
}
