import { describe, expect, it } from 'vitest';
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
  it('ends as unknown at the time limit, with the reason, well under the memory budget', async () => {
    const started = Date.now();
    const result = await checkLinearizable(history(pathological(40)), 'cas-register', { timeLimitMs: 1500 });
    const elapsed = Date.now() - started;
    expect(result.valid).toBe('unknown');
    expect(result.reason).toMatch(/time limit reached/);
    expect(result.failures[0]!.valid).toBe('unknown');
    expect(elapsed).toBeLessThan(5000);
    expect(process.memoryUsage.rss()).toBeLessThan(1024 * 2 ** 20);
    expect(explain(result)).toMatch(/^unknown: time limit reached/);
  });

  it('ends as unknown when the memory budget is reached', async () => {
    const budget = process.memoryUsage.rss() + 12 * 2 ** 20;
    const result = await checkLinearizable(history(pathological(40)), 'cas-register', {
      timeLimitMs: 60_000,
      memoryLimitBytes: budget,
    });
    expect(result.valid).toBe('unknown');
    expect(result.reason).toMatch(/memory budget of \d+ MiB reached/);
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
