/** Elle checker options in plans: both namings accepted, bad names are bad input naming the line. */
import { describe, expect, it } from 'vitest';
import { listAppendChecker } from '../../checkers/elle/index.js';
import { InputError } from '../../src/errors.js';
import { parsePlan } from '../../src/run/plan.js';
import { historyOf } from './cases/notation.js';

const plan = (checkers: string) => `workload: append\ndb: none\ncheckers:\n${checkers}`;

describe('Elle options in plans', () => {
  it('accepts Elle names and camelCase names', () => {
    const p = parsePlan(
      plan(
        '  list-append:\n    consistency-models: [update-atomic]\n    anomalies: [G2]\n  rw-register:\n    linearizable-keys?: true\n    sequentialKeys: true\n    wfr-keys?: false\n',
      ),
      'p.yaml',
    );
    expect(p.checkers?.['list-append']).toEqual({
      'consistency-models': ['update-atomic'],
      anomalies: ['G2'],
    });
  });

  it('names the file, line and field of an unknown model', () => {
    const text = plan('  list-append:\n    consistency-models: [serialisable]\n');
    expect(() => parsePlan(text, 'p.yaml')).toThrow(InputError);
    expect(() => parsePlan(text, 'p.yaml')).toThrow(
      /^p\.yaml:5.*checkers\.list-append\.consistency-models: unknown consistency model serialisable; known: /,
    );
    expect(() => parsePlan(plan('  rw-register:\n    anomalies: [G9]\n'), 'p.yaml')).toThrow(
      /unknown anomaly G9/,
    );
    expect(() => parsePlan(plan('  rw-register:\n    wfr: true\n'), 'p.yaml')).toThrow(
      /unknown Elle option wfr/,
    );
  });

  it('the checker reads plan options in Elle names', () => {
    const h = historyOf('list-append', {
      serial: [
        [0, 'ax0'],
        [0, 'rx0ax1'],
        [0, 'rx0ax2'],
      ],
    });
    const r = listAppendChecker.check(h, { 'consistency-models': ['update-atomic'] } as never);
    expect(r).toMatchObject({ valid: false, 'anomaly-types': ['lost-update'] });
  });
});
