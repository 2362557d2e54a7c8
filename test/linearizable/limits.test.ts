import { describe, expect, it } from 'vitest';
import { STEPS_PER_PAUSE } from '../../checkers/linearizable/checker.js';
import { checkLinearizable, explain, linearizableChecker } from '../../checkers/linearizable/index.js';
import { type Event, history } from './helpers.js';

/**
 * Many concurrent writes that crash (`info`), then a read of a value nobody wrote: to prove
 * that read impossible the search must try every subset and order of the crashed writes.
 */
function pathological(crashed: number): Event[] {
  const events: Event[] = [];
  for (let p = 0; p < crashed; p++) events.push([p, 'invoke', 'write', p]);
  for (let p = 0; p < crashed; p++) events.push([p, 'info', 'write', p]);
  for (let i = 0; i < 3; i++) {
    events.push([crashed + i, 'invoke', 'read', null]);
    events.push([crashed + i, 'ok', 'read', i === 2 ? 'never written' : i]);
  }
  return events;
}

describe('limits', () => {
  // How soon the limits stop the search, and the memory it holds meanwhile, are figures of
  // `npm run bench -- limits`, not assertions here.
  it('ends as unknown at the time limit, with the reason', async () => {
    const result = await checkLinearizable(history(pathological(40)), 'cas-register', { timeLimitMs: 1500 });
    expect(result.valid).toBe('unknown');
    expect(result.reason).toMatch(/time limit reached/);
    expect(result.failures[0]!.valid).toBe('unknown');
    expect(explain(result)).toMatch(/^unknown: time limit reached/);
  });

  it('ends as unknown when a small memory budget is reached, long before the time limit', async () => {
    // The budget counts the check's own growth: 12 MiB, whatever the process held before.
    const result = await checkLinearizable(history(pathological(40)), 'cas-register', {
      timeLimitMs: 600_000,
      memoryLimitBytes: 12 * 2 ** 20,
    });
    expect(result.valid).toBe('unknown');
    expect(result.reason).toMatch(/^memory budget of 12 MiB reached \(\d+ configurations explored\)$/);
  });

  it('counts only the growth of the check against the budget, not what the process held before', async () => {
    const budget = 32 * 2 ** 20;
    // The process already holds more than the budget, and the search takes many pauses (where
    // memory is sampled) to decide: it must still be decided.
    expect(process.memoryUsage.rss()).toBeGreaterThan(budget);
    const result = await checkLinearizable(history(pathological(15)), 'cas-register', {
      memoryLimitBytes: budget,
    });
    expect(result.valid).toBe(false);
    expect(result.stats.configurations).toBeGreaterThan(8 * STEPS_PER_PAUSE);
  });

  it('a small version of the same history is decided', async () => {
    const result = await checkLinearizable(history(pathological(8)), 'cas-register', { timeLimitMs: 30_000 });
    expect(result.valid).toBe(false);
    expect(result.failures[0]!.op?.description).toBe('read() -> "never written"');
  });

  it('is registered for the CLI with a text explanation', async () => {
    const result = await linearizableChecker.check(history(pathological(3)), { model: 'register' });
    expect(result.valid).toBe(false);
    const text = linearizableChecker.explain!(result);
    expect(text).toMatch(/NOT linearizable \(model register/);
    expect(text).toMatch(/op \d+ \(process 5\) read\(\) -> "never written" cannot be linearized/);
    expect(() => linearizableChecker.check(history([]), {})).toThrow(/needs --model/);
  });
});
