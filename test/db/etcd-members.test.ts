import { describe, expect, it } from 'vitest';
import { agreedLeader, type EtcdMember, parseEtcdMembers } from '../../src/db/etcd/members.js';

const member = (id: string): EtcdMember => ({ id, name: `m${id}`, peerUrls: [`http://10.0.0.${id}:2380`] });
const three = [member('1'), member('2'), member('3')];
const status = (memberId: string, leaderId: string) => ({ memberId, leaderId });

describe('etcd membership helpers', () => {
  it('parses member ids as exact decimal strings', () => {
    const json =
      '{"members":[{"ID":18088301180840702907,"name":"n3","peerURLs":["http://10.111.0.13:2380"]}]}';
    expect(parseEtcdMembers(json)).toEqual([
      { id: '18088301180840702907', name: 'n3', peerUrls: ['http://10.111.0.13:2380'] },
    ]);
  });

  it('finds the leader every answering member names, when it is a member and leads', () => {
    expect(agreedLeader(three, [status('1', '2'), status('2', '2'), status('3', '2')])).toBe('2');
    // A majority answering is enough (a member just killed does not answer).
    expect(agreedLeader(three, [status('1', '2'), status('2', '2'), null])).toBe('2');
  });

  it('finds none while a member still follows a removed leader, or members disagree', () => {
    // Leader 3 was removed: the list has 1 and 2, and 1 still names 3 until its election timeout.
    const two = [member('1'), member('2')];
    expect(agreedLeader(two, [status('1', '3'), status('2', '0'), status('3', '3')])).toBeUndefined();
    expect(agreedLeader(two, [status('1', '3'), status('2', '3')])).toBeUndefined();
    expect(agreedLeader(three, [status('1', '1'), status('2', '2'), status('3', '2')])).toBeUndefined();
  });

  it('finds none without a majority of answers, or when the named leader does not say it leads', () => {
    expect(agreedLeader(three, [status('1', '1'), null, null])).toBeUndefined();
    expect(agreedLeader(three, [status('1', '2'), null, status('3', '2')])).toBeUndefined();
    // Answers of nodes that are not members do not count.
    expect(agreedLeader(three, [status('1', '1'), status('9', '1'), null])).toBeUndefined();
  });
});
