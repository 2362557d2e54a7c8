import { describe, expect, it } from 'vitest';
import { checkEphemeral, deathDeadline } from '../../checkers/ephemeral.js';
import { CHECKERS } from '../../checkers/registry.js';
import { type TimedEvent, timedHistory } from './build.js';

type At = TimedEvent;
const history = timedHistory;

const TTL = 4000;
const OPTIONS = { ttlMs: TTL, slackMs: 500, boundMs: 2000 };

/** Member m1 on process 1 registers at 0 ms with a ttl of 4 s (ops 0, 1). */
function registered(): At[] {
  return [
    [0, 1, 'invoke', 'register', 'm1'],
    [10, 1, 'ok', 'register', { member: 'm1', session: 'abc', ttlMs: TTL }],
  ];
}

/** An observer's list on process 0, from `ms` to `ms + 5`. */
function list(ms: number, members: string[]): At[] {
  return [
    [ms, 0, 'invoke', 'list', null],
    [ms + 5, 0, 'ok', 'list', members],
  ];
}

function byTime(events: At[]): At[] {
  return [...events].sort((a, b) => a[0] - b[0]);
}

describe('ephemeral checker', () => {
  it('is valid when the node lives while heart-beating and goes after its client died', () => {
    const h = history(
      byTime([
        ...registered(),
        ...list(100, ['m1']),
        [1000, 1, 'invoke', 'heartbeat', 'm1'],
        [1010, 1, 'ok', 'heartbeat', { member: 'm1' }],
        ...list(3000, ['m1']),
        [3500, 1, 'invoke', 'die', 'm1'],
        [3501, 1, 'ok', 'die', 'm1'],
        ...list(6000, ['m1']), // still within ttl of the death: fine
        ...list(3501 + TTL + 2000 + 100, []),
      ]),
    );
    const r = checkEphemeral(h, OPTIONS);
    expect(r.breaches).toEqual([]);
    expect(r.valid).toBe(true);
    expect(r.deaths).toBe(1);
    expect(r.verifiedDeaths).toBe(1);
    expect(r.memberTimelines[0]).toMatchObject({
      member: 'm1',
      end: 'die',
      aliveUntilMs: 5000,
      session: 'abc',
    });
  });

  it('names a node deleted while its session was provably alive', () => {
    const h = history(
      byTime([
        ...registered(),
        [1000, 1, 'invoke', 'heartbeat', 'm1'],
        [1010, 1, 'ok', 'heartbeat', { member: 'm1' }],
        ...list(2000, []), // proven alive until 5000 ms
      ]),
    );
    const r = checkEphemeral(h, OPTIONS);
    expect(r.valid).toBe(false);
    expect(r.breaches).toHaveLength(1);
    const b = r.breaches[0]!;
    expect(b.kind).toBe('deleted-while-alive');
    // register (op 0), the heartbeat that proved it alive (op 2), the list that missed it (op 5).
    expect(b.ops).toEqual([0, 2, 5]);
    expect(b.explanation).toContain('heartbeat op 2');
  });

  it('allows the deletion once the session can have expired, and after the member began to leave', () => {
    const expired = history(
      byTime([
        ...registered(),
        [1000, 1, 'invoke', 'heartbeat', 'm1'],
        [1010, 1, 'ok', 'heartbeat', { member: 'm1' }],
        ...list(1000 + TTL - 400, []), // within the slack of the proven expiry
      ]),
    );
    expect(checkEphemeral(expired, OPTIONS).valid).toBe(true);
    const leaving = history(
      byTime([
        ...registered(),
        [1000, 1, 'invoke', 'heartbeat', 'm1'],
        [1010, 1, 'ok', 'heartbeat', { member: 'm1' }],
        [1100, 1, 'invoke', 'leave', 'm1'],
        ...list(1200, []),
        [1300, 1, 'ok', 'leave', 'm1'],
      ]),
    );
    expect(checkEphemeral(leaving, OPTIONS).valid).toBe(true);
  });

  it('names a node not deleted after its client died', () => {
    const h = history(
      byTime([
        ...registered(),
        [1000, 1, 'invoke', 'cut', 'm1'],
        [1001, 1, 'ok', 'cut', 'm1'],
        ...list(1001 + TTL + 2000 + 100, ['m1']),
      ]),
    );
    const r = checkEphemeral(h, OPTIONS);
    expect(r.valid).toBe(false);
    expect(r.breaches.map((b) => b.kind)).toEqual(['not-deleted-after-death']);
    // The cut (op 2) and the late list (op 5).
    expect(r.breaches[0]!.ops).toEqual([2, 5]);
  });

  it('counts the deadline again from a nemesis fault that may have moved the leader', () => {
    const events = (listAt: number): At[] =>
      byTime([
        ...registered(),
        [1000, 1, 'invoke', 'die', 'm1'],
        [1001, 1, 'ok', 'die', 'm1'],
        [3000, 'nemesis', 'invoke', 'kill', null],
        [3050, 'nemesis', 'info', 'kill', null],
        [3080, 'nemesis', 'invoke', 'start', null],
        [3100, 'nemesis', 'info', 'start', null],
        ...list(listAt, ['m1']),
      ]);
    expect(deathDeadline(1001e6, 6000e6, [3050e6, 3100e6])).toBe(9100e6);
    expect(checkEphemeral(history(events(8000)), OPTIONS).valid).toBe(true);
    expect(checkEphemeral(history(events(8000)), OPTIONS).unverifiedDeaths).toBe(1);
    const late = checkEphemeral(history(events(9200)), OPTIONS);
    expect(late.valid).toBe(false);
    expect(late.breaches[0]!.kind).toBe('not-deleted-after-death');
  });

  it('does not let the deadline run out while a fault is in force', () => {
    // The whole ensemble is killed from 2 s to 12 s: nothing expires while it is down, and a
    // new leader restarts the lease clocks, so the node may be listed after the restart.
    const events = (listAt: number, heal = true): At[] =>
      byTime([
        ...registered(),
        [1000, 1, 'invoke', 'die', 'm1'],
        [1001, 1, 'ok', 'die', 'm1'],
        [2000, 'nemesis', 'invoke', 'kill', { targets: 'all' }],
        [2050, 'nemesis', 'info', 'kill', { nodes: ['n1', 'n2', 'n3'] }],
        ...((heal
          ? [
              [12000, 'nemesis', 'invoke', 'start', null],
              [12100, 'nemesis', 'info', 'start', { nodes: ['n1', 'n2', 'n3'] }],
            ]
          : []) as At[]),
        ...list(listAt, ['m1']),
      ]);
    const span = (TTL + OPTIONS.boundMs) * 1e6;
    expect(deathDeadline(1001e6, span, [2050e6, 12100e6], [{ start: 2000e6, end: 12100e6 }])).toBe(
      12100e6 + span,
    );
    // Without the fault's span, the deadline would have run out at 2050 + 6000 ms.
    expect(deathDeadline(1001e6, span, [2050e6, 12100e6])).toBe(2050e6 + span);
    const afterRestart = checkEphemeral(history(events(12500)), OPTIONS);
    expect(afterRestart.valid, JSON.stringify(afterRestart.breaches)).toBe(true);
    expect(afterRestart.unverifiedDeaths).toBe(1);
    const late = checkEphemeral(history(events(12100 + TTL + OPTIONS.boundMs + 100)), OPTIONS);
    expect(late.valid).toBe(false);
    expect(late.breaches[0]!.kind).toBe('not-deleted-after-death');
    // A fault never healed: no list can judge the death.
    expect(deathDeadline(1001e6, span, [2050e6], [{ start: 2000e6, end: null }])).toBe(
      Number.POSITIVE_INFINITY,
    );
    const unhealed = checkEphemeral(history(events(30_000, false)), OPTIONS);
    expect(unhealed.valid).toBe(true);
    expect(unhealed.unverifiedDeaths).toBe(1);
    expect(unhealed.memberTimelines[0]!.deadlineMs).toBeUndefined();
  });

  it('names an observer list inconsistent with the creates and deletes', () => {
    // The member's process crashed (an info heartbeat): its node may go at any time after,
    // but once a list saw it gone, no later list may have it.
    const h = history(
      byTime([
        ...registered(),
        [500, 1, 'invoke', 'heartbeat', 'm1'],
        [600, 1, 'info', 'heartbeat', 'm1'],
        ...list(700, []),
        ...list(800, ['m1']),
      ]),
    );
    const r = checkEphemeral(h, OPTIONS);
    expect(r.valid).toBe(false);
    expect(r.breaches.map((b) => b.kind)).toEqual(['resurrected']);
    expect(r.breaches[0]!.ops).toEqual([5, 7]);
  });

  it('names a listed member nobody registered, and one present after it left', () => {
    const phantom = checkEphemeral(history([...registered(), ...list(100, ['m1', 'ghost'])]), OPTIONS);
    expect(phantom.breaches.map((b) => [b.kind, b.member, b.ops])).toEqual([['phantom', 'ghost', [3]]]);
    const left = checkEphemeral(
      history(
        byTime([
          ...registered(),
          [100, 1, 'invoke', 'leave', 'm1'],
          [110, 1, 'ok', 'leave', 'm1'],
          ...list(200, ['m1']),
        ]),
      ),
      OPTIONS,
    );
    expect(left.breaches.map((b) => [b.kind, b.ops])).toEqual([['present-after-leave', [3, 5]]]);
  });

  it('is unknown with nothing to stand on, and is in the registry', () => {
    const r = checkEphemeral(history(registered()), OPTIONS);
    expect(r.valid).toBe('unknown');
    expect(r.reason).toBe('no list succeeded');
    expect(CHECKERS.get('ephemeral').name).toBe('ephemeral');
  });
});
