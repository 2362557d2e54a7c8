/**
 * ZooKeeper's expected log lines: a request processor of a follower that is leaving its leader
 * dies with a "Severe unrecoverable error" (excerpts of real ZooKeeper 3.8.0 logs in fixtures/:
 * a reconfig that moved the leader, a leader killed, a joining server whose sync failed). Those
 * are listed, not judged; the same message in any other context still makes the run invalid.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { judgeLogScan } from '../../checkers/log-patterns.js';
import { zookeeper } from '../../src/db/zookeeper/index.js';
import { scanLogs } from '../../src/run/log-scan.js';

const FIXTURES = new URL('./fixtures/', import.meta.url);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'faultline-zk-logs-'));
  mkdirSync(join(dir, 'n1'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const scan = async () => judgeLogScan(await scanLogs(dir, zookeeper.logPatterns, zookeeper.expectedLogLines));

describe('ZooKeeper log patterns: a follower leaving its leader', () => {
  for (const [fixture, thread] of [
    ['zookeeper-reconfig-moved-leader.log', 'FollowerRequestProcessor:2'],
    ['zookeeper-leader-crashed.log', 'FollowerRequestProcessor:4'],
    ['zookeeper-join-sync-failed.log', 'SyncThread:5'],
  ] as const) {
    it(`lists ${thread} of ${fixture} as expected, not judged`, async () => {
      copyFileSync(new URL(fixture, FIXTURES), join(dir, 'n1', 'zookeeper.log'));
      const r = await scan();
      expect(r.valid).toBe(true);
      expect(r.matchCount).toBe(0);
      expect(r.expected).toEqual([
        expect.objectContaining({ node: 'n1', text: expect.stringContaining(`from thread : ${thread}`) }),
      ]);
      expect(r.expected[0]!.why).toMatch(/left|leaving/);
    });
  }

  it('judges the same message without the follower leaving, with another cause or from another thread', async () => {
    const at = '2026-12-02 22:16:11,740 [myid:2] - ERROR [X:ZooKeeperCriticalThread@49] - ';
    const severe = (thread: string) => `${at}Severe unrecoverable error, from thread : ${thread}`;
    const leaving =
      '2026-12-02 22:16:11,739 [myid:2] - WARN  [QuorumPeer[myid=2]:Follower@128] - Exception when following the leader';
    writeFileSync(
      join(dir, 'n1', 'zookeeper.log'),
      [
        severe('FollowerRequestProcessor:2'), // nothing says the follower left its leader
        'java.net.SocketException: Socket closed',
        leaving,
        severe('FollowerRequestProcessor:2'), // another cause
        'java.lang.NullPointerException: Cannot invoke "Object.toString()" because "x" is null',
        severe('SyncThread:2'), // a disk error, not the socket gone
        'java.io.IOException: No space left on device',
        severe('CommitProcessor:2'), // another thread
        'java.net.SocketException: Socket closed',
      ].join('\n'),
    );
    const r = await scan();
    expect(r.valid).toBe(false);
    expect(r.matches.map((m) => m.line)).toEqual([1, 4, 6, 8]);
    expect(r.expectedCount).toBe(0);
  });
});
