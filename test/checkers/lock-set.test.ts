/**
 * The lock-set workload's analysis: its `add` runs lock → read → hold → write → unlock, and the
 * `set` checker reads the final read. Two holders at once show up as an acknowledged add
 * missing from the final read, with the op that acknowledged it as evidence. The workload's
 * own logic runs here against an in-memory lock and set (pure logic, no db).
 */
import { describe, expect, it } from 'vitest';
import { checkSet } from '../../checkers/set.js';
import type { LockSetClient } from '../../src/client/kinds/lock-set.js';
import { decodeLockSet, encodeLockSet } from '../../src/client/kinds/lock-set.js';
import { type Completion, type Done, fail, OK, type Outcome } from '../../src/client/types.js';
import { lockSet } from '../../workloads/lock-set.js';
import { type Event, history } from './build.js';

function add(process: number, element: number, type: 'ok' | 'fail' | 'info' = 'ok'): Event[] {
  return [
    [process, 'invoke', 'add', element],
    [process, type, 'add', element],
  ];
}

function finalRead(process: number, seen: number[]): Event[] {
  return [
    [process, 'invoke', 'read'],
    [process, 'ok', 'read', seen],
  ];
}

describe('lock-set checked by set', () => {
  it('uses the set checker', () => {
    const ctx = { options: {}, dbOptions: {}, concurrency: 2, nodes: [], endpoint: (n: string) => n };
    expect(lockSet.checkers(ctx)).toEqual({ set: {} });
  });

  it('is valid when every acknowledged add is in the final read', () => {
    const r = checkSet(history([...add(0, 0), ...add(1, 1), ...add(0, 2), ...finalRead(2, [0, 1, 2])]));
    expect(r.valid).toBe(true);
    expect(r.lostCount).toBe(0);
  });

  it('finds the element a second holder wrote over, citing the ack of its add', () => {
    // Process 0 read [0] and stalled holding the lock; process 1 added 1 meanwhile; process 0
    // then wrote [0, 2], erasing 1.
    const events: Event[] = [
      ...add(0, 0),
      [0, 'invoke', 'add', 2],
      ...add(1, 1),
      [0, 'ok', 'add', 2],
      ...finalRead(2, [0, 2]),
    ];
    const r = checkSet(history(events));
    expect(r.valid).toBe(false);
    expect(r.lost).toEqual([1]);
    expect(r.lostAdds).toEqual([{ element: 1, add: 4 }]);
  });

  it('counts a fenced-off add (fail) missing from the final read as nothing lost', () => {
    const r = checkSet(history([...add(0, 0), ...add(1, 1, 'fail'), ...finalRead(2, [0])]));
    expect(r.valid).toBe(true);
    expect(r.attemptCount).toBe(2);
    expect(r.acknowledgedCount).toBe(1);
  });

  it('counts the paused holder’s add of unknown outcome as recovered when it is read', () => {
    const r = checkSet(history([...add(0, 0, 'info'), ...add(1, 1), ...finalRead(2, [0, 1])]));
    expect(r.valid).toBe(true);
    expect(r.recovered).toBe('0');
  });

  it('is not valid without a final read', () => {
    expect(checkSet(history([...add(0, 0)])).valid).not.toBe(true);
  });
});

/** One lock and one stored set in memory, shared by clients; `expire` takes the lock from its holder. */
class MemoryLockSet {
  holder: MemoryClient | undefined;
  stored = encodeLockSet([]);
  expire(): void {
    this.holder = undefined;
  }
}

class MemoryClient implements LockSetClient {
  calls: string[] = [];
  failWrite: Done | undefined;
  failRelease: Done | undefined;
  onHold: (() => Promise<void>) | undefined;

  constructor(
    private readonly shared: MemoryLockSet,
    private readonly fencing = false,
  ) {}

  async open(): Promise<void> {}
  async close(): Promise<void> {}

  async acquire(): Promise<Done> {
    this.calls.push('acquire');
    if (this.shared.holder) return fail('held by another client');
    this.shared.holder = this;
    return OK;
  }

  async read(): Promise<Outcome<number[]>> {
    this.calls.push('read');
    return { type: 'ok', value: decodeLockSet(this.shared.stored) };
  }

  async hold(): Promise<void> {
    this.calls.push('hold');
    await this.onHold?.();
  }

  async write(elements: readonly number[]): Promise<Done> {
    this.calls.push('write');
    if (this.failWrite) return this.failWrite;
    if (this.fencing && this.shared.holder !== this) return fail('fenced');
    this.shared.stored = encodeLockSet(elements);
    return OK;
  }

  async release(): Promise<Done> {
    this.calls.push('release');
    if (this.failRelease) return this.failRelease;
    if (this.shared.holder === this) this.shared.holder = undefined;
    return OK;
  }
}

function run(client: MemoryClient, element: number, held: boolean[] = []): Promise<Completion> {
  const context = { process: 0, signal: new AbortController().signal, holding: (h: boolean) => held.push(h) };
  return lockSet.invoke(client, { f: 'add', value: element }, context);
}

describe('lock-set add', () => {
  it('locks, reads, holds, writes the set with one more element, unlocks, and says it held the lock', async () => {
    const shared = new MemoryLockSet();
    const client = new MemoryClient(shared);
    const held: boolean[] = [];
    expect(await run(client, 7, held)).toEqual({ type: 'ok' });
    expect(await run(client, 3)).toEqual({ type: 'ok' });
    expect(client.calls.slice(0, 5)).toEqual(['acquire', 'read', 'hold', 'write', 'release']);
    expect(held).toEqual([true, false]);
    expect(decodeLockSet(shared.stored)).toEqual([3, 7]);
  });

  it('fails without the lock, and a write of unknown outcome is info', async () => {
    const shared = new MemoryLockSet();
    const other = new MemoryClient(shared);
    await other.acquire();
    const client = new MemoryClient(shared);
    expect(await run(client, 1)).toMatchObject({ type: 'fail' });
    await other.release();
    client.failWrite = { type: 'info', error: 'timeout' };
    expect(await run(client, 1)).toMatchObject({ type: 'info', error: 'write: timeout' });
    expect(client.calls.at(-1)).toBe('release');
  });

  it('stays ok with a remark when only the release fails', async () => {
    const client = new MemoryClient(new MemoryLockSet());
    client.failRelease = { type: 'info', error: 'timeout' };
    expect(await run(client, 1)).toEqual({ type: 'ok', error: 'not released: timeout' });
  });

  it('loses an element when the lock expires under a stalled holder, unless the write is fenced', async () => {
    for (const fencing of [false, true]) {
      const shared = new MemoryLockSet();
      const slow = new MemoryClient(shared, fencing);
      const fast = new MemoryClient(shared, fencing);
      const events: Event[] = [[0, 'invoke', 'add', 0]];
      // While the slow holder holds (read done, write to come), its lock expires and another adds.
      slow.onHold = async () => {
        shared.expire();
        events.push([1, 'invoke', 'add', 1]);
        const fastDone = await run(fast, 1);
        events.push([1, fastDone.type, 'add', 1]);
      };
      const slowDone = await run(slow, 0);
      events.push([0, slowDone.type, 'add', 0]);
      events.push([2, 'invoke', 'read'], [2, 'ok', 'read', decodeLockSet(shared.stored)]);
      const r = checkSet(history(events));
      if (fencing) {
        expect(slowDone.type).toBe('fail');
        expect(r.valid).toBe(true);
      } else {
        expect(r.valid).toBe(false);
        expect(r.lost).toEqual([1]);
      }
    }
  });
});
