import { describe, expect, it } from 'vitest';
import { checkStats, type StatsOptions } from '../../checkers/stats.js';
import { timeLimit } from '../../src/generator/index.js';
import { simulate } from '../../src/generator/simulate.js';
import { History, type Op } from '../../src/history/index.js';
import { ephemeral } from '../../workloads/ephemeral.js';
import type { WorkloadContext } from '../../workloads/types.js';

function context(options: Record<string, unknown> = {}): WorkloadContext {
  return { options, dbOptions: {}, concurrency: 6, nodes: ['n1'], endpoint: (n) => n };
}

function invokes(ops: readonly Op[]): Op[] {
  return ops.filter((o) => o.type === 'invoke');
}

describe('ephemeral workload', () => {
  it('has observers that list and members that register, heart-beat and end, each under a new name', () => {
    const ops = invokes(
      simulate(timeLimit(60, ephemeral.generator(context())), { concurrency: 6, seed: 3, nemesis: false }),
    );
    // A third of six threads observe.
    expect(new Set(ops.filter((o) => o.f === 'list').map((o) => o.process))).toEqual(new Set([0, 1]));
    const members = ops.filter((o) => o.f !== 'list');
    expect(new Set(members.map((o) => o.process))).toEqual(new Set([2, 3, 4, 5]));
    const registered = members.filter((o) => o.f === 'register').map((o) => o.value);
    expect(new Set(registered).size).toBe(registered.length);
    for (const f of ['heartbeat', 'leave', 'die', 'cut']) expect(members.some((o) => o.f === f)).toBe(true);
    // Per process: register, then heartbeats of that member, then one ending, then a new register.
    for (const p of [2, 3, 4, 5]) {
      let current: unknown;
      for (const o of members.filter((m) => m.process === p)) {
        if (o.f === 'register') {
          expect(current).toBeUndefined();
          current = o.value;
        } else {
          expect(o.value).toBe(current);
          if (o.f !== 'heartbeat') current = undefined;
        }
      }
    }
  });

  it('passes ttl, slack and bound to its checker, and refuses an unknown ending naming the field', () => {
    expect(ephemeral.checkers(context({ ttlMs: 6000 }))).toEqual({
      ephemeral: { ttlMs: 6000, slackMs: 1000, boundMs: 5000 },
      // The endings are tried a few times a run and may all meet a dead node: not required.
      stats: { fs: ['register', 'heartbeat', 'list'] },
    });
    expect(() => ephemeral.generator(context({ endings: ['vanish'] }))).toThrow(/leave, die, cut/);
  });

  it('leaves a run whose leaves all met a dead node to its checker, but not one without an ok heartbeat', () => {
    const stats = ephemeral.checkers(context()).stats as StatsOptions;
    const run = (outcomes: [string, Op['type']][]): History =>
      History.from(
        outcomes.flatMap(([f, type], i) => [
          { index: 2 * i, time: 2 * i, type: 'invoke' as const, process: 2, f, value: 'm2-0' },
          { index: 2 * i + 1, time: 2 * i + 1, type, process: 2, f, value: 'm2-0' },
        ]),
      );
    const leavesFailed = run([
      ['register', 'ok'],
      ['list', 'ok'],
      ['heartbeat', 'ok'],
      ['leave', 'fail'],
      ['leave', 'fail'],
    ]);
    expect(checkStats(leavesFailed, stats).valid).toBe(true);
    // Without the workload's options, every op tried must have succeeded once.
    expect(checkStats(leavesFailed).neverOk).toEqual(['leave']);
    const noHeartbeat = run([
      ['register', 'ok'],
      ['list', 'ok'],
      ['heartbeat', 'fail'],
    ]);
    expect(checkStats(noHeartbeat, stats)).toMatchObject({ valid: 'unknown', neverOk: ['heartbeat'] });
  });
});
