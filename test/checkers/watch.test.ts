import { describe, expect, it } from 'vitest';
import { checkWatch, watchChecker } from '../../checkers/watch.js';
import type { Event } from './build.js';
import { history } from './build.js';

type Obs = { via: string; version?: number; value?: number | null; ms?: number };

const start = (version: number, value: number | null): Obs => ({ via: 'start', version, value });
const ev = (version: number, value: number): Obs => ({ via: 'event', version, value });
const arm = (version: number, value: number | null): Obs => ({ via: 'arm', version, value });
const poll = (version: number, value: number): Obs => ({ via: 'poll', version, value });
const NOTIFIED: Obs = { via: 'notified' };

/** Writer process 0 writes 1 and 2 to key 0, acknowledged at `versions`. Ops 0-3. */
function writes(versions: [number, number]): Event[] {
  return [
    [0, 'invoke', 'write', 1, { key: 0 }],
    [0, 'ok', 'write', { value: 1, version: versions[0] }, { key: 0 }],
    [0, 'invoke', 'write', 2, { key: 0 }],
    [0, 'ok', 'write', { value: 2, version: versions[1] }, { key: 0 }],
  ];
}

/** A watcher: one `watch` op with `seen`, then a `catch-up` reading `final`. */
function watcher(
  process: number,
  mode: 'stream' | 'one-shot',
  seen: Obs[],
  final: [number, number],
  after: Obs[] = [],
): Event[] {
  return [
    [process, 'invoke', 'watch', { windowMs: 500 }, { key: 0 }],
    [process, 'ok', 'watch', { mode, seen }, { key: 0 }],
    [process, 'invoke', 'catch-up', { windowMs: 500, catchUpMs: 1000 }, { key: 0 }],
    [
      process,
      'ok',
      'catch-up',
      { mode, read: { version: final[0], value: final[1] }, seen: after },
      { key: 0 },
    ],
  ];
}

/** etcd-like: writes at revisions 5 and 7; a good watcher; and watcher 2 with `seen`. */
function etcd(seen: Obs[], final: [number, number] = [7, 2]): ReturnType<typeof history> {
  return history([
    ...writes([5, 7]),
    ...watcher(1, 'stream', [start(0, null), ev(5, 1), ev(7, 2)], [7, 2]),
    ...watcher(2, 'stream', seen, final),
  ]);
}

/** ZooKeeper-like: writes at versions 1 and 2; a good watcher; and watcher 2 with `seen`. */
function zk(seen: Obs[]): ReturnType<typeof history> {
  return history([
    ...writes([1, 2]),
    ...watcher(1, 'one-shot', [start(0, null), NOTIFIED, arm(1, 1), NOTIFIED, arm(2, 2)], [2, 2]),
    ...watcher(2, 'one-shot', seen, [2, 2]),
  ]);
}

describe('watch checker, streams (etcd)', () => {
  it('accepts watchers that see every change in order and converge', () => {
    const r = checkWatch(etcd([start(0, null), ev(5, 1), ev(7, 2)]));
    expect(r.valid).toBe(true);
    expect(r).toMatchObject({ watcherCount: 2, anomalyCount: 0, acknowledgedWriteCount: 2 });
    expect(r.lags).toHaveLength(2);
  });

  it('accepts a watcher that starts after a change and sees only the later ones', () => {
    expect(checkWatch(etcd([start(5, 1), ev(7, 2)])).valid).toBe(true);
  });

  it('names a missed event: the write that made it and the event seen after it', () => {
    const r = checkWatch(etcd([start(0, null), ev(7, 2)]));
    expect(r.valid).toBe(false);
    expect(r.anomalyTypes).toEqual({ missed: 1 });
    expect(r.anomalies[0]).toMatchObject({ type: 'missed', process: 2, version: 5, ops: [1, 9] });
    expect(watchChecker.explain!(r)).toContain('never saw version 5');
  });

  it('names a reordered event', () => {
    const r = checkWatch(etcd([start(0, null), ev(7, 2), ev(5, 1)]));
    expect(r.anomalyTypes).toEqual({ reordered: 1 });
    expect(r.anomalies[0]).toMatchObject({ process: 2, version: 5, ops: [9, 9] });
  });

  it('names a duplicated event', () => {
    const r = checkWatch(etcd([start(0, null), ev(5, 1), ev(5, 1), ev(7, 2)]));
    expect(r.valid).toBe(false);
    expect(r.anomalyTypes).toEqual({ duplicated: 1 });
    expect(r.anomalies[0]).toMatchObject({ process: 2, version: 5 });
  });

  it('names a phantom event: a value no write wrote', () => {
    const r = checkWatch(etcd([start(0, null), ev(5, 1), ev(6, 9), ev(7, 2)]));
    expect(r.anomalyTypes).toEqual({ phantom: 1 });
    expect(r.anomalies[0]).toMatchObject({ process: 2, version: 6, ops: [9] });
  });

  it('names a phantom event: a value at a version another write was acknowledged at', () => {
    const r = checkWatch(etcd([start(0, null), ev(5, 2), ev(7, 2)]));
    expect(r.anomalyTypes).toEqual({ phantom: 1 });
    expect(r.anomalies[0]).toMatchObject({ version: 5, ops: [1, 9] });
  });

  it('names a watcher that did not reach the final linearizable read', () => {
    const r = checkWatch(etcd([start(0, null), ev(5, 1)]));
    expect(r.anomalyTypes).toEqual({ 'not-converged': 1 });
    expect(r.anomalies[0]).toMatchObject({ process: 2, version: 7, ops: [9, 11] });
  });

  it('bounds the lag after the last fault when asked to', () => {
    const h = history([
      ...writes([5, 7]),
      [0, 'invoke', 'watch', { windowMs: 500 }, { key: 0 }],
      [0, 'ok', 'watch', { mode: 'stream', seen: [start(0, null), ev(5, 1), ev(7, 2)] }, { key: 0 }],
      ['nemesis', 'invoke', 'stop-partition', null],
      ['nemesis', 'ok', 'stop-partition', null],
      [0, 'invoke', 'catch-up', null, { key: 0 }],
      [0, 'ok', 'catch-up', { mode: 'stream', read: { version: 7, value: 2 }, seen: [] }, { key: 0 }],
      [1, 'invoke', 'watch', { windowMs: 500 }, { key: 0 }],
      [
        1,
        'ok',
        'watch',
        { mode: 'stream', seen: [start(0, null), ev(5, 1), { ...ev(7, 2), ms: 0.5 }] },
        { key: 0 },
      ],
      [1, 'invoke', 'catch-up', null, { key: 0 }],
      [1, 'ok', 'catch-up', { mode: 'stream', read: { version: 7, value: 2 }, seen: [] }, { key: 0 }],
    ]);
    // Watcher 1 saw version 7 at 10.5 ms (0.5 ms into op 10); the last fault ended at 7 ms.
    const r = checkWatch(h, { convergeWithinS: 0.003 });
    expect(r.anomalyTypes).toEqual({ 'slow-convergence': 1 });
    expect(r.anomalies[0]).toMatchObject({ process: 1, ops: [11] });
    expect(r.lags.find((l) => l.process === 1)!.lagMs).toBe(3.5);
    expect(r.lags.find((l) => l.process === 0)!.lagMs).toBe(0);
    expect(checkWatch(h, { convergeWithinS: 1 }).valid).toBe(true);
  });

  it('is unknown without observations or without a catch-up', () => {
    expect(checkWatch(history(writes([5, 7]))).valid).toBe('unknown');
    const h = history([
      ...writes([5, 7]),
      [1, 'invoke', 'watch', null, { key: 0 }],
      [1, 'ok', 'watch', { mode: 'stream', seen: [start(0, null), ev(5, 1)] }, { key: 0 }],
    ]);
    expect(checkWatch(h)).toMatchObject({ valid: 'unknown', reason: expect.stringContaining('caught up') });
  });
});

describe('watch checker, one-shot watches (ZooKeeper)', () => {
  it('accepts re-armed watches that skip versions, and polls at the armed version', () => {
    expect(checkWatch(zk([start(0, null), NOTIFIED, arm(2, 2), poll(2, 2)])).valid).toBe(true);
  });

  it('names a change seen before its watch fired (a missed event)', () => {
    const r = checkWatch(zk([start(0, null), poll(1, 1), NOTIFIED, arm(2, 2)]));
    expect(r.valid).toBe(false);
    expect(r.anomalyTypes).toEqual({ missed: 1 });
    expect(r.anomalies[0]).toMatchObject({ process: 2, version: 1, ops: [9, 9] });
  });

  it('names a version going backwards (reordered)', () => {
    const r = checkWatch(zk([start(0, null), NOTIFIED, arm(2, 2), poll(1, 1), poll(2, 2)]));
    expect(r.anomalyTypes).toEqual({ reordered: 1 });
  });

  it('names a watch that fired twice for one registration (duplicated)', () => {
    const r = checkWatch(zk([start(0, null), NOTIFIED, NOTIFIED, arm(2, 2)]));
    expect(r.anomalyTypes).toEqual({ duplicated: 1 });
  });

  it('names a phantom state', () => {
    const r = checkWatch(zk([start(0, null), NOTIFIED, arm(1, 7), NOTIFIED, arm(2, 2)]));
    expect(r.anomalyTypes).toEqual({ phantom: 1 });
  });
});
