import type { Recovery } from '../../checkers/perf.js';

/** A recovery as stored in results.json; runs stored before `measured` existed lack it. */
export type StoredRecovery = Pick<Recovery, 'recoverS'> & { measured?: boolean };

/**
 * The report's words for the time to recover after a heal: a duration only when one was
 * measured. With no `ok` after the heal, "not by the end of the run" only when ops were tried
 * after it; otherwise (nothing ran after the heal) "not measured", never "never".
 */
export function describeRecovery(r: StoredRecovery): string {
  if (r.recoverS !== null) return `${seconds(r.recoverS)} s`;
  return r.measured === true ? 'not by the end of the run' : 'not measured';
}

/** As the page formats numbers: three significant-looking decimals for small ones. */
function seconds(x: number): string {
  const a = Math.abs(x);
  return a >= 1000
    ? Math.round(x).toLocaleString('en-US')
    : a >= 10
      ? x.toFixed(1)
      : a >= 1
        ? x.toFixed(2)
        : x.toFixed(3);
}
