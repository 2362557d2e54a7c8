import { describe, expect, it } from 'vitest';
import { checkElection, electionChecker } from '../../checkers/election.js';
import { type Event, history } from './build.js';

const elected = (p: number, term: unknown, node?: string): Event[] => [
  [p, 'invoke', 'become-leader', null, node ? { node } : {}],
  [p, 'ok', 'become-leader', term, node ? { node } : {}],
];
const stop = (p: number, outcome: 'ok' | 'info' = 'ok'): Event[] => [
  [p, 'invoke', 'stop-leader'],
  [p, outcome, 'stop-leader'],
];

describe('election', () => {
  it('accepts leaders one after another with rising terms', () => {
    const r = checkElection(
      history([...elected(1, 1), ...stop(1), ...elected(2, 2), ...stop(2), ...elected(1, { term: 3 })]),
    );
    expect(r.valid).toBe(true);
    expect(r).toMatchObject({ leadershipCount: 3, violationCount: 0, sharedTerms: [], termRegressions: [] });
  });

  it('reports two leaders at once, naming both, their nodes and terms', () => {
    const r = checkElection(history([...elected(1, 4, 'n1'), ...elected(2, 5, 'n2'), ...stop(1)]));
    expect(r.valid).toBe(false);
    expect(r.violations[0]).toMatchObject({
      election: 'election',
      first: { process: 1, node: 'n1', term: 4 },
      second: { process: 2, node: 'n2', term: 5 },
      from: { op: 3 },
      until: { op: 4 },
    });
    expect(electionChecker.explain?.(r)).toContain('[terms 4 and 5]');
  });

  it('tolerates overlapping leaders of different terms when terms fence', () => {
    const events = [...elected(1, 4), ...elected(2, 5), ...stop(1)];
    const r = checkElection(history(events), { termsFence: true });
    expect(r.valid).toBe(true);
    expect(r.fencedCount).toBe(1);
    // Same term, or unknown terms, are not fenced.
    expect(
      checkElection(history([...elected(1, null), ...elected(2, null)]), { termsFence: true }).valid,
    ).toBe(false);
  });

  it('reports a term with two leaders even when they never overlapped', () => {
    const r = checkElection(history([...elected(1, { epoch: 7 }, 'n1'), ...stop(1), ...elected(2, 7, 'n2')]));
    expect(r.valid).toBe(false);
    expect(r.violationCount).toBe(0);
    expect(r.sharedTerms).toHaveLength(1);
    expect(r.sharedTerms[0]).toMatchObject({ term: 7, leaders: [{ process: 1 }, { process: 2 }] });
  });

  it('does not count one candidate acting through two processes as two leaders', () => {
    const events = [
      ...elected(1, { term: 7, candidate: 'n1' }),
      ...stop(1, 'info'),
      ...elected(2, { term: 7, candidate: 'n1' }),
    ];
    const r = checkElection(history(events));
    expect(r.valid).toBe(true);
    expect(r.uncertainCount).toBe(0);
  });

  it('reports a term regression after a completed election, but not for concurrent campaigns', () => {
    const regressed = checkElection(history([...elected(1, 5), ...stop(1), ...elected(2, 4)]));
    expect(regressed.valid).toBe(false);
    expect(regressed.termRegressions[0]).toMatchObject({
      earlier: { process: 1, term: 5 },
      later: { process: 2, term: 4 },
    });
    const concurrent: Event[] = [
      [2, 'invoke', 'become-leader'],
      ...elected(1, 5),
      ...stop(1),
      [2, 'ok', 'become-leader', 4],
    ];
    const r = checkElection(history(concurrent));
    expect(r.termRegressions).toEqual([]);
    expect(r.valid).toBe(true);
  });

  it('treats an info campaign as a possible leader, and accepts the aliases', () => {
    const events: Event[] = [
      [1, 'invoke', 'campaign'],
      [1, 'info', 'campaign'],
      [2, 'invoke', 'campaign'],
      [2, 'ok', 'campaign', 3],
      [2, 'invoke', 'resign'],
      [2, 'ok', 'resign'],
    ];
    const r = checkElection(history(events));
    expect(r.valid).toBe(true);
    expect(r).toMatchObject({ leadershipCount: 1, possibleLeadershipCount: 1, uncertainCount: 1 });
    expect(r.uncertain[0]?.because).toContain('ended info');
  });

  it('starts a new leadership when a leader is re-elected without stopping', () => {
    const r = checkElection(history([...elected(1, 3), ...elected(1, 5), ...stop(1), ...elected(2, 5)]));
    expect(r.leadershipCount).toBe(2 + 1);
    expect(r.violationCount).toBe(0);
    expect(r.sharedTerms).toMatchObject([
      { term: 5, leaders: [{ process: 1, acquired: 3 }, { process: 2 }] },
    ]);
  });

  it('is unknown when nobody became leader', () => {
    const r = checkElection(
      history([
        [1, 'invoke', 'become-leader'],
        [1, 'fail', 'become-leader'],
      ]),
    );
    expect(r.valid).toBe('unknown');
  });
});
