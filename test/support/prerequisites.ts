import { it } from 'vitest';

/** Whether the tests run under CI (`CI=true`, as GitHub Actions and most runners set it). */
export const UNDER_CI = /^(true|1)$/i.test(process.env.CI ?? '');

/**
 * Whether the tests that need `what` can run. When it is missing they are skipped on a
 * developer's machine, but under `CI=true` a failing test says what is missing: a CI run
 * must never pass by skipping what it was meant to test.
 *
 *     describe.runIf(prerequisite('dist/ (npm run build)', built))('compiled tree', () => ...)
 */
export function prerequisite(what: string, present: boolean): boolean {
  if (present) return true;
  if (UNDER_CI) {
    it(`prerequisite: ${what}`, () => {
      throw new Error(`${what} is missing; under CI=true a missing prerequisite fails the run`);
    });
  }
  return false;
}

/**
 * For a test that falls back when something is missing (and then checks only the fallback):
 * under `CI=true` the fallback is not enough, and this throws, naming what is missing.
 */
export function fallBackOutsideCI(what: string): void {
  if (UNDER_CI) throw new Error(`${what} is missing; under CI=true a missing prerequisite fails the run`);
}
