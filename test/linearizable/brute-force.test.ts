import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkLinearizableSync,
  type Model,
  type ModelOp,
  modelNamed,
} from '../../checkers/linearizable/index.js';
import { bruteForce } from './brute-force.js';
import { type Event, history } from './helpers.js';
import { DRAWS, randomHistory } from './random-histories.js';
import { SPECS, type SpecName } from './specs.js';

describe('the brute-force oracle against independent specs', () => {
  it('can fail: a hand-made impossible history per model is rejected, its possible twin accepted', () => {
    const cases: [SpecName, Event[], Event[]][] = [
      [
        'mutex',
        [
          [0, 'invoke', 'acquire', null],
          [0, 'ok', 'acquire', null],
          [1, 'invoke', 'acquire', null],
          [1, 'ok', 'acquire', null],
        ],
        [
          [0, 'invoke', 'acquire', null],
          [0, 'ok', 'acquire', null],
          [1, 'invoke', 'acquire', null, 'k'],
          [1, 'ok', 'acquire', null, 'k'],
        ],
      ],
      [
        'set',
        [
          [0, 'invoke', 'add', 1],
          [0, 'ok', 'add', 1],
          [1, 'invoke', 'read', null],
          [1, 'ok', 'read', []],
        ],
        [
          [0, 'invoke', 'add', 1],
          [0, 'ok', 'add', 1],
          [1, 'invoke', 'read', null],
          [1, 'ok', 'read', [1, 1]],
        ],
      ],
      [
        'fifo-queue',
        [
          [0, 'invoke', 'enqueue', 1],
          [0, 'ok', 'enqueue', 1],
          [0, 'invoke', 'enqueue', 2],
          [0, 'ok', 'enqueue', 2],
          [1, 'invoke', 'dequeue', null],
          [1, 'ok', 'dequeue', 2],
        ],
        [
          [0, 'invoke', 'enqueue', 1],
          [0, 'ok', 'enqueue', 1],
          [0, 'invoke', 'enqueue', 2],
          [0, 'ok', 'enqueue', 2],
          [1, 'invoke', 'dequeue', null],
          [1, 'ok', 'dequeue', 1],
        ],
      ],
      [
        'unordered-queue',
        [
          [0, 'invoke', 'enqueue', 1],
          [0, 'ok', 'enqueue', 1],
          [1, 'invoke', 'dequeue', null],
          [1, 'ok', 'dequeue', 1],
          [2, 'invoke', 'dequeue', null],
          [2, 'ok', 'dequeue', 1],
        ],
        [
          [0, 'invoke', 'enqueue', 1],
          [0, 'ok', 'enqueue', 1],
          [0, 'invoke', 'enqueue', 2],
          [0, 'ok', 'enqueue', 2],
          [1, 'invoke', 'dequeue', null],
          [1, 'ok', 'dequeue', 2],
        ],
      ],
      [
        'multi-register',
        [
          [0, 'invoke', 'txn', [['w', 'x', 1]]],
          [0, 'ok', 'txn', [['w', 'x', 1]]],
          [1, 'invoke', 'txn', [['r', 'x', null]]],
          [1, 'ok', 'txn', [['r', 'x', 2]]],
        ],
        [
          [0, 'invoke', 'txn', [['w', 'x', 1]]],
          [0, 'info', 'txn', [['w', 'x', 1]]],
          [1, 'invoke', 'txn', [['r', 'x', null]]],
          [1, 'ok', 'txn', [['r', 'x', 1]]],
        ],
      ],
    ];
    for (const [name, impossible, possible] of cases) {
      expect(bruteForce(history(impossible), SPECS[name]), name).toBe(false);
      expect(bruteForce(history(possible), SPECS[name]), name).toBe(true);
    }
  });

  for (const name of Object.keys(SPECS) as SpecName[]) {
    it(`${name}: the checker agrees with the oracle on any history of up to 7 ops`, () => {
      const model = modelNamed(name);
      const verdicts = { valid: 0, invalid: 0 };
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 2 ** 31 - 1 }),
          fc.integer({ min: 1, max: 7 }),
          (seed, size) => {
            const h = history(randomHistory(DRAWS[name], seed, size));
            const expected = bruteForce(h, SPECS[name]);
            verdicts[expected ? 'valid' : 'invalid']++;
            expect(checkLinearizableSync(h, model).valid).toBe(expected);
          },
        ),
        { numRuns: 600 },
      );
      // Both verdicts must be common for the comparison to mean something.
      expect(verdicts.valid).toBeGreaterThan(60);
      expect(verdicts.invalid).toBeGreaterThan(60);
    });
  }

  /** A planted bug per model: the comparison must find a history where the checker then errs. */
  const MUTANTS: Record<SpecName, (model: Model) => Model> = {
    mutex: (m) => withStep(m, (step) => (s, op) => (op.f === 'acquire' ? 1 : step(s, op))),
    set: (m) => withStep(m, (step) => (s, op) => (op.f === 'read' ? s : step(s, op))),
    'fifo-queue': (m) => withStep(m, (step) => (s, op) => step(s, { ...op, known: false })),
    'unordered-queue': (m) => withStep(m, (step) => (s, op) => step(s, { ...op, known: false })),
    'multi-register': (m) => withStep(m, (step) => (s, op) => step(s, { ...op, output: unread(op.output) })),
  };

  for (const name of Object.keys(SPECS) as SpecName[]) {
    it(`${name}: a checker with a planted bug disagrees with the oracle`, () => {
      const mutant = MUTANTS[name](modelNamed(name));
      const run = fc.check(
        fc.property(
          fc.integer({ min: 0, max: 2 ** 31 - 1 }),
          fc.integer({ min: 1, max: 7 }),
          (seed, size) => {
            const h = history(randomHistory(DRAWS[name], seed, size));
            return checkLinearizableSync(h, mutant).valid === bruteForce(h, SPECS[name]);
          },
        ),
        { numRuns: 600 },
      );
      expect(run.failed).toBe(true);
    });
  }
});

/** The model with its step function replaced (`step` is the original, for the ops left alone). */
function withStep(
  model: Model,
  replace: (step: (s: unknown, op: ModelOp) => unknown) => (s: unknown, op: ModelOp) => unknown,
): Model {
  const original = model.step.bind(model) as (s: unknown, op: ModelOp) => unknown;
  return { ...model, step: replace(original) } as Model;
}

/** A transaction with its reads' values forgotten. */
function unread(txn: unknown): unknown {
  return Array.isArray(txn)
    ? txn.map((m) => (Array.isArray(m) && m[0] === 'r' ? [m[0], m[1], null] : m))
    : txn;
}
