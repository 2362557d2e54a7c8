import type { Recovery } from '../../checkers/perf.js';
import { fmt } from './format.js';

/** A recovery as stored in results.json; runs stored before `measured` existed lack it. */
export type StoredRecovery = Pick<Recovery, 'recoverS'> & { measured?: boolean };

/**
 * The report's words for the time to recover after a heal: a duration only when one was
 * measured. With no `ok` after the heal, "not by the end of the run" only when ops were tried
 * after it; otherwise (nothing ran after the heal) "not measured", never "never".
 */
export function describeRecovery(r: StoredRecovery): string {
  if (r.recoverS !== null) return `${fmt(r.recoverS)} s`;
  return r.measured === true ? 'not by the end of the run' : 'not measured';
}
