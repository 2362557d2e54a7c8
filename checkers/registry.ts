import { listAppendChecker, rwRegisterChecker } from './elle/index.js';
import type { Checker } from './result.js';

/**
 * Every checker `faultline check --checker NAME` knows, by name. To add one, import it
 * and add it here; nothing else needs to change.
 */
export const CHECKERS: ReadonlyMap<string, Checker> = new Map<string, Checker>([
  // [name, checker] entries are added as checkers land.
  ['list-append', listAppendChecker as Checker],
  ['rw-register', rwRegisterChecker as Checker],
]);

export function checkerNames(): string[] {
  return [...CHECKERS.keys()].sort();
}
