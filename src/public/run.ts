/**
 * `faultline/run`: running tests. {@link executePlan} runs a plan the way `faultline run` does
 * (cluster, nemesis, run folder, checkers, report); {@link runTest} is the bare runner under it.
 */
// biome-ignore-all assist/source/organizeImports: exports are grouped by theme, each group under its comment

/** A plan: parse, validate, expand its matrix. */
export {
  loadPlanFile,
  type Plan,
  type PlanInput,
  type PlanOverrides,
  parsePlan,
  validatePlan,
} from '../run/plan.js';
/** Run a plan from start to verdict. */
export { type ExecuteOptions, type ExecuteResult, executePlan } from '../run/execute.js';
/** The runner: generator → clients + nemesis → history, then heal and final phase. */
export { type RunOutcome, type RunSpec, runTest } from '../run/runner.js';
/** Check a stored history with the checkers a spec names. */
export { runCheckers } from '../run/check.js';
