import { describe, expect, it } from 'vitest';
import { zookeeper } from '../../src/db/zookeeper/db.js';
import { compilePatterns } from '../../src/run/log-scan.js';

const matches = (line: string): boolean => compilePatterns(zookeeper.logPatterns).some((p) => p.test(line));

describe('ZooKeeper log patterns', () => {
  it('list a server giving up, whatever thread says it (context decides what is expected)', () => {
    // A follower whose leader was killed while it forwarded a request matches too: that it is
    // expected is known only from the lines around it (see zookeeper-log-lines.test.ts).
    expect(
      matches(
        '2026-12-03 03:24:21,305 [myid:2] - ERROR [FollowerRequestProcessor:2:ZooKeeperCriticalThread@49] - Severe unrecoverable error, from thread : FollowerRequestProcessor:2',
      ),
    ).toBe(true);
    // Failing to write the transaction log is real.
    expect(
      matches(
        'ERROR [SyncThread:1:ZooKeeperCriticalThread@49] - Severe unrecoverable error, from thread : SyncThread:1',
      ),
    ).toBe(true);
    expect(matches('ERROR [main:QuorumPeer@1] - Severe unrecoverable error')).toBe(true);
    expect(
      matches('2026-12-03 03:24:21,305 [myid:1] - FATAL [main:QuorumPeerMain@1] - Unexpected exception'),
    ).toBe(true);
    expect(matches('ERROR [main:QuorumPeer@1] - Unable to load database on disk')).toBe(true);
  });
});
