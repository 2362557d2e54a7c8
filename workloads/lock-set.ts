import { shortError } from '../src/client/calls.js';
import { LOCK_SET_CLIENT, type LockSetClient } from '../src/client/kinds/lock-set.js';
import type { Completion, Invocation, InvokeContext } from '../src/client/types.js';
import { finalReads } from './final-reads.js';
import { setGenerator } from './set.js';
import { type CheckerSpec, unknownOp, type Workload } from './types.js';

/**
 * Jepsen's etcd `lock-set`: a set kept in ONE value, updated only under one lock. Each `add v`
 * takes the lock, reads the set, holds the lock `holdMs` (the work a holder does), writes the
 * set back with `v` in it, and gives the lock back. If two clients ever hold the lock at once,
 * one writes over the other's element: an acknowledged add missing from the final read (the
 * `set` checker's lost elements) proves the overlap from the data alone, whatever the clocks say.
 *
 * Options: `holdMs` (default 100), `fencing` (the write is conditional on the lock's fencing
 * token — etcd: a txn comparing the lock key's revision; ZooKeeper: a multi checking the lock
 * znode — so a holder that lost the lock cannot write; default false), `ttl` (etcd lease
 * seconds, default 3), `waitMs` (how long `acquire` waits for the lock, default 2000),
 * `callTimeoutMs`. Hosting clients out of process (`clientProcesses`) lets the `client-pause`
 * nemesis stop a holder like a GC pause.
 */
export const lockSet: Workload<LockSetClient> = {
  name: 'lock-set',
  description: 'read-modify-write of one set under a lock (etcd lease lock, ZooKeeper recipe): lost elements',
  client: LOCK_SET_CLIENT,
  invoke: (client, op, context) => {
    if (op.f === 'add') return addUnderLock(client, op.value as number, context);
    if (op.f === 'read') return client.read();
    return Promise.resolve(unknownOp(op));
  },
  generator: () => setGenerator(false),
  final: () => finalReads(() => READ),
  checkers: (): CheckerSpec => ({ set: {} }),
};

const READ: Invocation = { f: 'read', value: null };

/**
 * One `add`: lock, read, hold, write, unlock. `fail` when the write surely did not happen (no
 * lock, a failed read, a refused or fenced-off write); a write of unknown outcome is `info`. A
 * release that fails after a good write leaves the add `ok` with a remark: the element is in,
 * and the lock expires with its lease or session.
 */
async function addUnderLock(
  client: LockSetClient,
  element: number,
  context: InvokeContext,
): Promise<Completion> {
  const took = await client.acquire();
  // Nothing was written: the add surely did not happen, whatever became of the lock.
  if (took.type !== 'ok') return { type: 'fail', error: `lock: ${took.error}` };
  context.holding?.(true);
  let outcome: Completion;
  try {
    outcome = await readHoldWrite(client, element);
  } catch (err) {
    outcome = { type: 'info', error: shortError(err) };
  }
  const gave = await client.release();
  context.holding?.(false);
  if (gave.type !== 'ok' && outcome.type === 'ok')
    outcome = { type: 'ok', error: `not released: ${gave.error}` };
  return outcome;
}

async function readHoldWrite(client: LockSetClient, element: number): Promise<Completion> {
  const read = await client.read();
  if (read.type !== 'ok') return { type: 'fail', error: `read: ${read.error}` };
  await client.hold();
  const elements = read.value.includes(element) ? read.value : [...read.value, element];
  const wrote = await client.write(elements);
  if (wrote.type !== 'ok') return { type: wrote.type, error: `write: ${wrote.error}` };
  return wrote.error ? { type: 'ok', error: wrote.error } : { type: 'ok' };
}
