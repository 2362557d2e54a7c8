import { describe, expect, it } from 'vitest';
import { awaitAllHealthy, NotHealthyError } from '../../src/db/health.js';

describe('awaitAllHealthy', () => {
  it('resolves once every node is healthy in the same round', async () => {
    let round = 0;
    const seen: string[] = [];
    await awaitAllHealthy(
      'x',
      ['a', 'b'],
      async (node) => {
        seen.push(node);
        if (node === 'a') round++;
        return node === 'b' && round < 3 ? 'starting' : null;
      },
      5000,
      { intervalMs: 10 },
    );
    expect(round).toBe(3);
    expect(seen.filter((n) => n === 'b')).toHaveLength(3);
  });

  it('times out naming the unhealthy nodes and why, including probes that throw', async () => {
    const error = await awaitAllHealthy(
      'etcd',
      ['n1', 'n2', 'n3'],
      async (node) => {
        if (node === 'n2') throw new Error('ssh: connection refused');
        return node === 'n3' ? 'line one\nconnection refused on 2379' : null;
      },
      300,
      { intervalMs: 20 },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotHealthyError);
    const e = error as NotHealthyError;
    expect([...e.unhealthy.keys()]).toEqual(['n2', 'n3']);
    expect(e.message).toBe(
      'etcd not healthy after 300 ms: 2 node(s) not serving: n2 (ssh: connection refused); n3 (connection refused on 2379)',
    );
  });
});

describe('awaitAllHealthy with a probe that hangs', () => {
  it('still gives up (the test would time out if it hung)', async () => {
    const error = await awaitAllHealthy('zookeeper', ['n1'], () => new Promise<null>(() => {}), 200, {
      probeTimeoutMs: 100,
    }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/n1 \(no verdict within \d+ ms\)/);
  });
});
