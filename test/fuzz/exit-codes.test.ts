/**
 * Fuzzing the exit-code contract in process, with fast-check: random and mutated histories
 * in every format, through every reader and every checker (linearizable with every model),
 * never give 255 (faultline's own bug) and always return (a hang would time the test out).
 * The bench (`npm run bench -- fuzz`) runs the same cases by the 100,000.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { exitCodeOf, FUZZ_EXTENSIONS, fuzzTargets, runFuzzCase } from '../../bench/fuzz.js';
import { checkHistoryFile } from '../../src/run/check.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const targets = fuzzTargets();
const TIME_LIMIT_MS = 2000;

describe('every reader and checker on random and mutated histories', () => {
  it('covers every registered checker and every model', () => {
    expect(targets.length).toBeGreaterThanOrEqual(19);
  });

  it('never exits 255', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer(),
        fc.constantFrom(...targets),
        fc.constantFrom(...FUZZ_EXTENSIONS),
        async (seed, target, extension) => {
          const outcome = await runFuzzCase(dir, { seed, target, extension }, TIME_LIMIT_MS);
          expect(outcome.error ?? '').toBe('');
          expect([0, 1, 2, 254]).toContain(outcome.code);
        },
      ),
      { numRuns: 1500 },
    );
  }, 300_000);

  it('never exits 255 on arbitrary text', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 300 }),
          fc.json({ maxDepth: 4 }).map((j) => `${j}\n${j}`),
        ),
        fc.constantFrom(...targets),
        fc.constantFrom(...FUZZ_EXTENSIONS),
        async (text, target, extension) => {
          const path = join(dir, `text${extension}`);
          writeFileSync(path, text);
          let outcome: unknown;
          try {
            outcome = (await checkHistoryFile(path, { ...target, timeLimitMs: TIME_LIMIT_MS })).result;
          } catch (err) {
            outcome = err;
          }
          expect(exitCodeOf(outcome), String((outcome as Error)?.stack ?? '')).not.toBe(255);
        },
      ),
      { numRuns: 1000 },
    );
  }, 300_000);
});
