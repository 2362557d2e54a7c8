import { describe, expect, it } from 'vitest';
import {
  buildNemesisPlan,
  buildSchedule,
  finalNemesisOps,
  initialScheduleState,
  nemesisGenerator,
  nextNemesisOp,
  parseFamilies,
} from '../../nemeses/combined.js';
import { pickTargets } from '../../nemeses/targets.js';
import type { NemesisContext } from '../../nemeses/types.js';
import { InputError } from '../../src/errors.js';
import { clientsAndNemesis, repeat, simulate, timeLimit } from '../../src/generator/index.js';
import { seededRandom } from '../../src/generator/random.js';

describe('nemesis schedule', () => {
  it('parses --nemesis lists and rejects unknown names with the field', () => {
    expect(parseFamilies('partition,kill, pause')).toEqual(['partition', 'kill', 'pause']);
    expect(parseFamilies('none')).toEqual([]);
    expect(() => parseFamilies('partition,explode')).toThrow(InputError);
    expect(() => parseFamilies('explode')).toThrow(/field nemesis: unknown nemesis "explode"/);
  });

  it('alternates start and stop per package, seeded', () => {
    const schedule = buildSchedule({ families: ['partition', 'kill', 'pause'], intervalS: 10 });
    const run = (seed: number) => {
      const random = seededRandom(seed);
      let state = initialScheduleState(schedule);
      const fs: string[] = [];
      for (let i = 0; i < 60; i++) {
        const next = nextNemesisOp(schedule, state, random)!;
        state = next.state;
        fs.push(next.op.f);
      }
      return fs;
    };
    const fs = run(42);
    expect(run(42)).toEqual(fs);
    expect(run(43)).not.toEqual(fs);
    // Per family: start, stop, start, stop...
    for (const [start, stop] of [
      ['start-partition', 'stop-partition'],
      ['kill', 'start'],
      ['pause', 'resume'],
    ]) {
      const mine = fs.filter((f) => f === start || f === stop);
      expect(mine.length).toBeGreaterThan(5);
      expect(mine).toEqual(mine.map((_, i) => (i % 2 === 0 ? start : stop)));
    }
  });

  it('final ops heal every package, network first', () => {
    const schedule = buildSchedule({ families: ['kill', 'partition', 'pause', 'packet'], intervalS: 5 });
    expect(finalNemesisOps(schedule).map((o) => o.f)).toEqual([
      'stop-packet',
      'stop-partition',
      'resume',
      'start',
    ]);
  });

  it('rejects a non-positive interval', () => {
    expect(() => buildSchedule({ families: ['kill'], intervalS: 0 })).toThrow(/nemesis-interval/);
  });

  it('as a generator: nemesis ops only on the nemesis thread, spaced about one interval apart', () => {
    const schedule = buildSchedule({ families: ['partition', 'pause'], intervalS: 10 });
    const g = timeLimit(
      600,
      clientsAndNemesis(repeat({ f: 'read', value: null }), nemesisGenerator(schedule)),
    );
    const ops = simulate(g, {
      concurrency: 2,
      seed: 7,
      latency: (op) => (op.thread === 'nemesis' ? 1e6 : 1e8),
    });
    const nem = ops.filter((o) => o.process === 'nemesis' && o.type === 'invoke');
    expect(nem.length).toBeGreaterThan(30);
    expect(nem.length).toBeLessThan(90);
    expect(nem[0]!.time).toBeGreaterThanOrEqual(10e9);
    expect(new Set(nem.map((o) => o.f))).toEqual(
      new Set(['start-partition', 'stop-partition', 'pause', 'resume']),
    );
  });
});

describe('targets', () => {
  const five = ['a', 'b', 'c', 'd', 'e'];
  it('sizes: one 1, minority 2, majority 3, all 5, primaries the leaders', () => {
    const r = seededRandom(1);
    expect(pickTargets('one', five, r)).toHaveLength(1);
    expect(pickTargets('minority', five, r)).toHaveLength(2);
    expect(pickTargets('majority', five, r)).toHaveLength(3);
    expect(pickTargets('all', five, r)).toEqual(five);
    expect(pickTargets('primaries', five, r, ['c'])).toEqual(['c']);
    expect(pickTargets('minority', ['a', 'b'], r)).toHaveLength(1);
  });
});

describe('combined nemesis', () => {
  it('routes each f to its family and reports unknown ones as errors, without touching any node', async () => {
    const plan = buildNemesisPlan({
      families: ['partition', 'kill', 'pause', 'packet', 'clock', 'file'],
      intervalS: 10,
    });
    expect([...plan.nemesis.fs].sort()).toEqual(
      [
        'bitflip-file',
        'bump-clock',
        'kill',
        'pause',
        'reset-clock',
        'resume',
        'start',
        'start-packet',
        'start-partition',
        'stop-packet',
        'stop-partition',
        'strobe-clock',
        'truncate-file',
      ].sort(),
    );
    const ctx = { nodes: [], random: () => 0, log: () => {} } as unknown as NemesisContext;
    const out = await plan.nemesis.invoke(ctx, { f: 'explode', value: null });
    expect(out.error).toMatch(/no nemesis handles explode/);
  });
});
