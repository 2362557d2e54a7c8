import { EtcdError, EtcdLeaseInvalidError, GRPCDeadlineExceededError, GRPCUnavailableError } from 'etcd3';
import zookeeper from 'node-zookeeper-client';
import { describe, expect, it } from 'vitest';
import { etcdErrorKind, etcdFailure, releaseLeased } from '../../src/db/etcd/connection.js';
import { NotConnectedError, zkFailure } from '../../src/db/zookeeper/connection.js';

describe('etcd error classification', () => {
  it('a request that never left (no connection) is a definite failure', () => {
    const err = new GRPCUnavailableError(
      '14 UNAVAILABLE: No connection established. Last error: connect ECONNREFUSED 10.80.0.12:2379',
    );
    expect(etcdErrorKind(err)).toBe('not-sent');
    expect(etcdFailure(err, false).type).toBe('fail');
  });

  it('timeouts and server-side timeouts are indefinite for writes', () => {
    const deadline = new GRPCDeadlineExceededError('4 DEADLINE_EXCEEDED: Deadline exceeded after 3.000s');
    const timedOut = new GRPCUnavailableError('14 UNAVAILABLE: etcdserver: request timed out');
    const leader = new EtcdError('etcdserver: leader changed');
    for (const err of [deadline, timedOut, leader, new Error('something odd')]) {
      expect(etcdErrorKind(err)).toBe('indefinite');
      expect(etcdFailure(err, false).type).toBe('info');
    }
  });

  it('a read that errs changed nothing: fail, whatever the error', () => {
    const err = new GRPCDeadlineExceededError('4 DEADLINE_EXCEEDED');
    expect(etcdFailure(err, true)).toMatchObject({ type: 'fail' });
  });

  it('requests the member refused before proposing are definite', () => {
    expect(etcdFailure(new EtcdLeaseInvalidError('etcdserver: requested lease not found'), false).type).toBe(
      'fail',
    );
    expect(etcdFailure(new EtcdError('etcdserver: too many requests'), false).type).toBe('fail');
  });

  it('keeps the error text short', () => {
    const e = etcdFailure(new Error(`x${'y'.repeat(1000)}\nsecond line`), false);
    expect(String(e.error).length).toBeLessThan(260);
    expect(String(e.error)).not.toContain('second line');
  });
});

describe('giving back a lease-bound hold (etcd lock release, election resign)', () => {
  it('is ok when the call succeeds', async () => {
    expect(await releaseLeased(async () => undefined)).toEqual({ type: 'ok' });
  });

  it('is ok, with a note, when the lease had expired already', async () => {
    const gone = new EtcdLeaseInvalidError('etcdserver: requested lease not found');
    expect(await releaseLeased(() => Promise.reject(gone))).toEqual({
      type: 'ok',
      error: 'lease had expired',
    });
  });

  it('is classified as any write when the call fails otherwise', async () => {
    const timeout = new GRPCDeadlineExceededError('4 DEADLINE_EXCEEDED');
    expect((await releaseLeased(() => Promise.reject(timeout))).type).toBe('info');
    const refused = new GRPCUnavailableError('14 UNAVAILABLE: No connection established');
    expect((await releaseLeased(() => Promise.reject(refused))).type).toBe('fail');
  });
});

describe('ZooKeeper error classification', () => {
  // The library's factory (missing from its type definitions) makes real exceptions.
  const create = (zookeeper.Exception as unknown as { create(code: number): Error }).create;
  const ex = (code: number): Error => create(code);

  it('version, existence and emptiness refusals are definite', () => {
    for (const code of [
      zookeeper.Exception.BAD_VERSION,
      zookeeper.Exception.NO_NODE,
      zookeeper.Exception.NODE_EXISTS,
      zookeeper.Exception.NOT_EMPTY,
    ]) {
      expect(zkFailure(ex(code), false).type).toBe('fail');
    }
  });

  it('connection loss, session expiry and timeouts are indefinite for writes', () => {
    expect(zkFailure(ex(zookeeper.Exception.CONNECTION_LOSS), false).type).toBe('info');
    expect(zkFailure(ex(zookeeper.Exception.SESSION_EXPIRED), false).type).toBe('info');
    expect(zkFailure(new Error('timeout: setData after 3000 ms'), false).type).toBe('info');
  });

  it('a request refused while disconnected was never sent', () => {
    expect(zkFailure(new NotConnectedError(), false).type).toBe('fail');
  });

  it('reads fail definitely', () => {
    expect(zkFailure(ex(zookeeper.Exception.CONNECTION_LOSS), true).type).toBe('fail');
  });
});
