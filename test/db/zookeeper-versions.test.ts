import zookeeper from 'node-zookeeper-client';
import { describe, expect, it } from 'vitest';
import '../../src/db/zookeeper/connection.js';

describe('ZooKeeper transactions', () => {
  it('keep version 0 as a real version check (the library alone turns it into -1, any version)', () => {
    const client = zookeeper.createClient('127.0.0.1:1');
    const multi = client.transaction() as unknown as zookeeper.Transaction & { ops: { version: number }[] };
    multi
      .check('/k', 0)
      .setData('/k', Buffer.from('x'), 0)
      .remove('/k', 0)
      .check('/k', 3)
      .setData('/k', null);
    expect(multi.ops.map((op) => op.version)).toEqual([0, 0, 0, 3, -1]);
  });
});
