/**
 * Elle's own test cases, ported as data (test/elle/cases/), each checked against Elle's
 * answer, or against faultline's documented different answer (checkers/elle/README.md).
 */
import { describe, expect, it } from 'vitest';
import { checkListAppend, checkRwRegister, type ElleOptions } from '../../checkers/elle/index.js';
import { LIST_APPEND_CASES } from './cases/list-append.js';
import { type ElleCase, type Expected, historyOf } from './cases/notation.js';
import { RW_REGISTER_CASES } from './cases/rw-register.js';

const CASES: ElleCase[] = [...LIST_APPEND_CASES, ...RW_REGISTER_CASES];

/** Keep in step with checkers/elle/README.md. */
const TALLY = { ported: 96, differ: 11 };

const same = (a: Expected, b: Expected) =>
  a.valid === b.valid &&
  JSON.stringify(a['anomaly-types'] ?? []) === JSON.stringify(b['anomaly-types'] ?? []) &&
  JSON.stringify(a.not ?? b.not) === JSON.stringify(b.not ?? a.not);

function run(c: ElleCase) {
  const history = historyOf(c.workload, c.history);
  const options: ElleOptions = c.options;
  return c.workload === 'list-append' ? checkListAppend(history, options) : checkRwRegister(history, options);
}

describe("Elle's test cases", () => {
  it.each(CASES.map((c) => [`${c.workload}: ${c.name}`, c] as const))('%s', (_, c) => {
    const result = run(c);
    const expected = c.faultline ?? c.elle;
    if (expected.valid !== undefined) expect(result.valid).toBe(expected.valid);
    if (expected['anomaly-types']) expect(result['anomaly-types']).toEqual(expected['anomaly-types']);
    else if (expected.valid === true) expect(result['anomaly-types']).toEqual([]);
    if (expected.not) expect(result.not).toEqual(expected.not);
    const found = [...result['anomaly-types'], ...result['other-anomaly-types']];
    for (const t of expected.found ?? []) expect(found).toContain(t);
    for (const t of expected.absent ?? []) expect(found).not.toContain(t);
  });

  it('every difference from Elle gives its reason', () => {
    for (const c of CASES) if (c.faultline) expect(c.faultline.why.length).toBeGreaterThan(20);
    // The tally checkers/elle/README.md quotes: cases ported, and how many answer otherwise.
    const differ = CASES.filter((c) => c.faultline && !same(c.faultline, c.elle));
    expect({ ported: CASES.length, differ: differ.length }).toEqual(TALLY);
  });
});
