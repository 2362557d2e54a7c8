import { describe, expect, it } from 'vitest';
import { timeLimit } from '../../src/generator/index.js';
import { simulate } from '../../src/generator/simulate.js';
import type { Op } from '../../src/history/index.js';
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
    });
    expect(() => ephemeral.generator(context({ endings: ['vanish'] }))).toThrow(/leave, die, cut/);
  });
});
