import { describe, expect, it } from 'vitest';
import { analyzePerf, chooseWindow, faultWindows, type PerfResult } from '../../checkers/perf.js';
import { CHECKERS } from '../../checkers/registry.js';
import { History, type Op, type OpType, type Process } from '../../src/history/index.js';

/** [seconds, process, type, f, value?] */
type Ev = [number, Process, OpType, string, unknown?];

function hist(events: Ev[]): History {
  return History.from(
    events.map(
      ([s, process, type, f, value], index): Op => ({
        index,
        time: Math.round(s * 1e9),
        type,
        process,
        f,
        value: value ?? null,
      }),
    ),
  );
}

/**
 * Worked by hand: two healthy ops (10 and 20 ms), a partition from 1.0 s to 3.2 s during
 * which a write fails after 100 ms and a read times out after 1000 ms, then two oks
 * (5 and 40 ms), the first one 0.105 s after the heal.
 */
const HAND: Ev[] = [
  [0.0, 0, 'invoke', 'write', 1],
  [0.0, 1, 'invoke', 'read'],
  [0.01, 0, 'ok', 'write', 1],
  [0.02, 1, 'ok', 'read', 1],
  [1.0, 'nemesis', 'invoke', 'start-partition', 'majorities-ring'],
  [1.1, 'nemesis', 'info', 'start-partition', 'majorities-ring'],
  [1.5, 0, 'invoke', 'write', 2],
  [1.5, 1, 'invoke', 'read'],
  [1.6, 0, 'fail', 'write', 2],
  [2.5, 1, 'info', 'read'],
  [3.0, 'nemesis', 'invoke', 'stop-partition'],
  [3.2, 'nemesis', 'info', 'stop-partition'],
  [3.3, 0, 'invoke', 'write', 3],
  [3.305, 0, 'ok', 'write', 3],
  [3.4, 3, 'invoke', 'read'],
  [3.44, 3, 'ok', 'read', 3],
];

/** HDR keeps 3 significant digits: a quantile is within 0.1% of the true value. */
function near(actual: number, expected: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(expected * 0.001 + 1e-9);
}

describe('perf', () => {
  const r = analyzePerf(hand(), { windowS: 1 });
  function hand(): History {
    return hist(HAND);
  }

  it('counts outcomes, windows and throughput per f and outcome', () => {
    expect(r.valid).toBe(true);
    expect(r.counts).toEqual({ ok: 4, fail: 1, info: 1 });
    expect(r.windows).toEqual([0, 1, 2, 3]);
    const rate = (f: string, type: string): number[] | undefined =>
      r.throughput.find((s) => s.f === f && s.type === type)?.rate;
    expect(rate('write', 'ok')).toEqual([1, 0, 0, 1]);
    expect(rate('read', 'ok')).toEqual([1, 0, 0, 1]);
    expect(rate('write', 'fail')).toEqual([0, 1, 0, 0]);
    expect(rate('read', 'info')).toEqual([0, 0, 1, 0]);
  });

  it('gives latency quantiles overall, per outcome and per fault state', () => {
    const { overall, byState, byType } = r.latency;
    expect(overall.count).toBe(6);
    near(overall.p50, 20); // 5 10 20 40 100 1000: the 3rd
    near(overall.p90, 1000);
    expect(overall.max).toBe(1000);
    near(byState.healthy!.p50, 10); // 5 10 20 40
    expect(byState.healthy!.max).toBe(40);
    expect(byState.partition!.count).toBe(2);
    near(byState.partition!.p50, 100);
    expect(byState.partition!.max).toBe(1000);
    near(byType.ok!.p99, 40);
    expect(r.latencyOverTime.p50).toEqual([10, 100, 1000, 5]);
    expect(r.latencyOverTime.max).toEqual([20, 100, 1000, 40]);
  });

  it('measures availability per window, per state and per fault', () => {
    expect(r.availability.overall).toBeCloseTo(4 / 6, 12);
    expect(r.availability.windows).toEqual([1, 0, 0, 1]);
    expect(r.availability.byState).toEqual({ healthy: 1, partition: 0 });
    const [f] = r.availability.faults;
    expect(f).toMatchObject({ kind: 'partition', start: 1, end: 3.2, completed: 2, ok: 0, availability: 0 });
    expect(f!.label).toBe('start-partition majorities-ring');
  });

  it('finds the longest stretch without an ok and the time to recover', () => {
    expect(r.longestOutage!.from).toBeCloseTo(0.02, 9);
    expect(r.longestOutage!.to).toBeCloseTo(3.305, 9);
    expect(r.longestOutage!.durationS).toBeCloseTo(3.285, 6);
    expect(r.recoveries).toHaveLength(1);
    expect(r.recoveries[0]!.healedAt).toBeCloseTo(3.2, 9);
    expect(r.recoveries[0]!.recoverS).toBeCloseTo(0.105, 6);
  });

  it('says recovery was not measured when nothing ran after the heal, and not by the end when ops failed', () => {
    const faultAtTheEnd: Ev[] = [
      [0.0, 0, 'invoke', 'write', 1],
      [0.01, 0, 'ok', 'write', 1],
      [1.0, 'nemesis', 'invoke', 'start-partition', 'one'],
      [1.1, 'nemesis', 'info', 'start-partition', 'one'],
      [1.5, 0, 'invoke', 'write', 2],
      [1.6, 0, 'fail', 'write', 2],
      [2.0, 'nemesis', 'invoke', 'stop-partition'],
      [2.1, 'nemesis', 'info', 'stop-partition'],
    ];
    const [silent] = analyzePerf(hist(faultAtTheEnd)).recoveries;
    expect(silent).toMatchObject({ recoverS: null, firstOkAt: null, measured: false });
    // An op that was invoked during the fault and fails after the heal says nothing either.
    const lateFail: Ev[] = [
      ...faultAtTheEnd.slice(0, 4),
      [1.9, 1, 'invoke', 'read'],
      ...faultAtTheEnd.slice(6),
      [2.2, 1, 'fail', 'read'],
    ];
    expect(analyzePerf(hist(lateFail)).recoveries[0]).toMatchObject({ recoverS: null, measured: false });
    const triedAndFailed: Ev[] = [...faultAtTheEnd, [2.2, 1, 'invoke', 'read'], [2.3, 1, 'fail', 'read']];
    expect(analyzePerf(hist(triedAndFailed)).recoveries[0]).toMatchObject({ recoverS: null, measured: true });
    expect(r.recoveries[0]!.measured).toBe(true);
  });

  it('is registered, so every run measures performance', () => {
    expect(CHECKERS.find('perf')).toBeDefined();
  });

  it('pairs the combined nemesis fault ops into windows; heal ends them all', () => {
    const { windows, events } = faultWindows(
      hist([
        [1, 'nemesis', 'invoke', 'kill', 'one'],
        [1.1, 'nemesis', 'info', 'kill', 'one'],
        [2, 'nemesis', 'invoke', 'pause', 'all'],
        [2.1, 'nemesis', 'info', 'pause', 'all'],
        [3, 'nemesis', 'invoke', 'start', null],
        [3.5, 'nemesis', 'info', 'start', null],
        [4, 'nemesis', 'invoke', 'bitflip-file', { targets: 'one' }],
        [4.1, 'nemesis', 'info', 'bitflip-file', { targets: 'one' }],
        [5, 'nemesis', 'invoke', 'heal', 'combined'],
        [6, 'nemesis', 'info', 'heal', 'combined'],
      ]).ops,
    );
    expect(windows.map((w) => [w.kind, w.start, w.end, w.healedBy])).toEqual([
      ['kill', 1, 3.5, 'start'],
      ['pause', 2, 6, 'heal'],
    ]);
    expect(events.map((e) => [e.kind, e.time])).toEqual([['file', 4]]);
  });

  it('chooses round windows, at most 100', () => {
    expect(chooseWindow(3)).toBe(0.05);
    expect(chooseWindow(60)).toBe(1);
    expect(chooseWindow(3600)).toBe(60);
  });

  it('handles an empty history', () => {
    const empty: PerfResult = analyzePerf(hist([]));
    expect(empty.counts).toEqual({ ok: 0, fail: 0, info: 0 });
    expect(empty.availability.overall).toBeNull();
    expect(empty.longestOutage).toBeNull();
  });
});
