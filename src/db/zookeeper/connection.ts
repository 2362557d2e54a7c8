/**
 * The ZooKeeper connection every ZooKeeper client uses: a `node-zookeeper-client` session with ONE server in its
 * connection string (no failover, so that partitions matter), no library retries, promise
 * wrappers with a timeout on every call, and error classification.
 */
import { createRequire } from 'node:module';
import zookeeper from 'node-zookeeper-client';
import { shortError, withTimeout } from '../../client/calls.js';
import type { Failed } from '../../client/types.js';

export type ZkClient = zookeeper.Client;
export type ZkStat = zookeeper.Stat;

const { CreateMode, Exception } = zookeeper;

/**
 * node-zookeeper-client keeps a half-read packet across reconnections and parses the new
 * connection's bytes after it, then throws from its socket handler ("Unknown code: ..."),
 * which kills the whole controller (alexguan/node-zookeeper-client#23, #70). We drop the
 * half-read packet when a socket closes, and turn a parse error into a dropped connection
 * (its requests then fail with connection loss: indefinite, as they should be).
 */
function hardenConnectionManager(): void {
  const require = createRequire(import.meta.url);
  const manager = require('node-zookeeper-client/lib/ConnectionManager.js') as {
    prototype: Record<string, unknown> & { hardenedByFaultline?: boolean };
  };
  const proto = manager.prototype;
  if (proto.hardenedByFaultline) return;
  proto.hardenedByFaultline = true;
  const onData = proto.onSocketData as (this: HardenedManager, b: Buffer) => void;
  const onClosed = proto.onSocketClosed as (this: HardenedManager, hadError: boolean) => void;
  proto.onSocketData = function (this: HardenedManager, buffer: Buffer): void {
    try {
      onData.call(this, buffer);
    } catch {
      this.pendingBuffer = null;
      this.socket?.destroy();
    }
  };
  proto.onSocketClosed = function (this: HardenedManager, hadError: boolean): void {
    this.pendingBuffer = null;
    onClosed.call(this, hadError);
  };
}

interface HardenedManager {
  pendingBuffer: Buffer | null;
  socket?: { destroy(): void };
}

hardenConnectionManager();

/**
 * node-zookeeper-client's Transaction turns version 0 into -1 ("any version": `version ||
 * -1`) in check, setData and remove, so a multi guarded by a fresh znode's version 0 is
 * unconditional — faultline's list-append on ZooKeeper found it as incompatible orders
 * (a lost append). We pass a placeholder and put the 0 back into the queued op.
 */
function honourVersionZeroInTransactions(): void {
  const require = createRequire(import.meta.url);
  const transaction = require('node-zookeeper-client/lib/Transaction.js') as {
    prototype: Record<string, unknown> & { versionZeroByFaultline?: boolean };
  };
  const proto = transaction.prototype;
  if (proto.versionZeroByFaultline) return;
  proto.versionZeroByFaultline = true;
  const versionAt = { check: 1, setData: 2, remove: 1 } as const;
  for (const [name, at] of Object.entries(versionAt)) {
    const original = proto[name] as (this: QueuedOps, ...args: unknown[]) => QueuedOps;
    proto[name] = function (this: QueuedOps, ...args: unknown[]): QueuedOps {
      if (args[at] !== 0) return original.apply(this, args);
      args[at] = 1;
      const result = original.apply(this, args);
      this.ops[this.ops.length - 1]!.version = 0;
      return result;
    };
  }
}

interface QueuedOps {
  ops: { version: number }[];
}

honourVersionZeroInTransactions();

/** Deadline of every call, unless a workload gives its own. */
export const DEFAULT_ZK_TIMEOUT_MS = 3000;

/**
 * Opens a session on the server at `endpoint` (`host:port`), asking for `sessionTimeoutMs`
 * (default 10 s; the server clamps it to [2, 20] ticks), or throws after `timeoutMs`.
 */
export async function connectZk(
  endpoint: string,
  timeoutMs = DEFAULT_ZK_TIMEOUT_MS,
  sessionTimeoutMs = 10_000,
): Promise<ZkClient> {
  const client = zookeeper.createClient(endpoint, {
    sessionTimeout: sessionTimeoutMs,
    spinDelay: 200,
    retries: 0,
  });
  const connected = new Promise<void>((resolve) => client.once('connected', () => resolve()));
  client.connect();
  try {
    await withTimeout(connected, timeoutMs, `connecting to ${endpoint}`);
  } catch (err) {
    client.close();
    throw err;
  }
  return client;
}

/** True while the session is connected: a request sent now is really sent. */
export function zkConnected(client: ZkClient): boolean {
  return client.getState() === zookeeper.State.SYNC_CONNECTED;
}

/** Thrown by {@link zkCall} when the session is not connected: the request was never sent. */
export class NotConnectedError extends Error {
  constructor() {
    super('not connected to ZooKeeper: request not sent');
  }
}

/**
 * Runs one callback-style call as a promise with a deadline. It refuses to send (throwing
 * {@link NotConnectedError}) while disconnected, because the library would queue the
 * request and send it on reconnection, long after the op was recorded.
 */
export function zkCall<T>(
  client: ZkClient,
  what: string,
  timeoutMs: number,
  call: (done: (err: unknown, value?: T) => void) => void,
): Promise<T> {
  if (!zkConnected(client)) return Promise.reject(new NotConnectedError());
  const p = new Promise<T>((resolve, reject) => {
    call((err, value) => (err ? reject(err) : resolve(value as T)));
  });
  return withTimeout(p, timeoutMs, what);
}

/** ZooKeeper error codes that say the request surely had no effect. */
const DEFINITE_CODES: ReadonlySet<number> = new Set([
  Exception.NO_NODE,
  Exception.NODE_EXISTS,
  Exception.BAD_VERSION,
  Exception.NOT_EMPTY,
  Exception.BAD_ARGUMENTS,
  Exception.NO_CHILDREN_FOR_EPHEMERALS,
]);

/** The ZooKeeper error code of `err`, if it is a ZooKeeper exception. */
export function zkCode(err: unknown): number | undefined {
  if (err && typeof err === 'object' && 'getCode' in err && typeof err.getCode === 'function') {
    const code: unknown = err.getCode();
    return typeof code === 'number' ? code : undefined;
  }
  return undefined;
}

/**
 * The completion for a failed call: `fail` when the op surely had no effect (a read; never
 * sent; a version, existence or emptiness check refused it), else `info` (connection loss,
 * session expiry, timeouts, anything unknown).
 */
export function zkFailure(err: unknown, readOnly: boolean): Failed {
  const error = shortError(err);
  if (readOnly || err instanceof NotConnectedError) return { type: 'fail', error };
  const code = zkCode(err);
  if (code !== undefined && DEFINITE_CODES.has(code)) return { type: 'fail', error };
  return { type: 'info', error };
}

/** `getData`: the data and stat, or `undefined` when the node does not exist. */
export async function zkGet(
  client: ZkClient,
  path: string,
  timeoutMs: number,
): Promise<{ data: Buffer; stat: ZkStat } | undefined> {
  try {
    return await zkCall(client, `getData ${path}`, timeoutMs, (done) =>
      client.getData(path, (err, data, stat) => done(err, { data: data ?? Buffer.alloc(0), stat })),
    );
  } catch (err) {
    if (zkCode(err) === Exception.NO_NODE) return undefined;
    throw err;
  }
}

/** `setData` with an expected version (-1: any). */
export function zkSet(
  client: ZkClient,
  path: string,
  data: Buffer,
  version: number,
  timeoutMs: number,
): Promise<ZkStat> {
  return zkCall(client, `setData ${path}`, timeoutMs, (done) =>
    client.setData(path, data, version, (err, stat) => done(err, stat)),
  );
}

/**
 * `setData` of any version, or `create` (persistent) when the node does not exist yet; a
 * concurrent creator makes the create fail with NODE_EXISTS, which is definite.
 */
export async function zkUpsert(
  client: ZkClient,
  path: string,
  data: Buffer,
  timeoutMs: number,
): Promise<void> {
  try {
    await zkSet(client, path, data, -1, timeoutMs);
  } catch (err) {
    if (zkCode(err) !== Exception.NO_NODE) throw err;
    await zkCreate(client, path, data, CreateMode.PERSISTENT, timeoutMs);
  }
}

/** `create`; returns the created path (with the sequence suffix for sequential modes). */
export function zkCreate(
  client: ZkClient,
  path: string,
  data: Buffer,
  mode: number,
  timeoutMs: number,
): Promise<string> {
  return zkCall(client, `create ${path}`, timeoutMs, (done) =>
    client.create(path, data, mode, (err, created) => done(err, created)),
  );
}

/** Creates `path` (persistent, empty) unless it exists; parents must exist. */
export async function zkEnsure(client: ZkClient, path: string, timeoutMs: number): Promise<void> {
  try {
    await zkCreate(client, path, Buffer.alloc(0), CreateMode.PERSISTENT, timeoutMs);
  } catch (err) {
    if (zkCode(err) !== Exception.NODE_EXISTS) throw err;
  }
}

/** `getChildren`. */
export function zkChildren(client: ZkClient, path: string, timeoutMs: number): Promise<string[]> {
  return zkCall(client, `getChildren ${path}`, timeoutMs, (done) =>
    client.getChildren(path, (err, children) => done(err, children)),
  );
}

/** `remove` with an expected version (-1: any). */
export function zkRemove(client: ZkClient, path: string, timeoutMs: number): Promise<void> {
  return zkCall(client, `remove ${path}`, timeoutMs, (done) => client.remove(path, -1, (err) => done(err)));
}

/** Closes the session (its ephemeral nodes go at once); never throws. */
export function closeZk(client: ZkClient | undefined): void {
  try {
    client?.close();
  } catch {
    // Already closed.
  }
}

/**
 * A write that goes through the leader, then returns: every read on this session after it
 * sees at least what was committed before it began. node-zookeeper-client has no `sync`, so
 * this stands in for it (a sync is ordered through the leader's pipeline just the same).
 */
export async function zkSyncBarrier(client: ZkClient, path: string, timeoutMs: number): Promise<void> {
  try {
    await zkSet(client, path, Buffer.alloc(0), -1, timeoutMs);
  } catch (err) {
    if (zkCode(err) !== Exception.NO_NODE) throw err;
    await zkEnsure(client, path, timeoutMs);
  }
}

/**
 * The lock/election recipe: creates an ephemeral sequential node under `dir`, then waits
 * until it is the lowest (watching only its predecessor). Returns the node's name and
 * sequence number, or throws after `timeoutMs` (the caller removes its node).
 */
export async function zkQueueUp(
  client: ZkClient,
  dir: string,
  value: Buffer,
  timeoutMs: number,
  onCreated: (name: string) => void,
): Promise<{ name: string; sequence: number }> {
  const deadline = Date.now() + timeoutMs;
  const left = (): number => Math.max(1, deadline - Date.now());
  const path = await zkCreate(client, `${dir}/n-`, value, CreateMode.EPHEMERAL_SEQUENTIAL, left());
  const name = path.slice(dir.length + 1);
  onCreated(name);
  const sequence = Number(name.slice(2));
  for (;;) {
    const children = (await zkChildren(client, dir, left())).sort();
    const mine = children.indexOf(name);
    if (mine < 0) throw new Error(`our node ${path} is gone (session expired?)`);
    if (mine === 0) return { name, sequence };
    const predecessor = `${dir}/${children[mine - 1]}`;
    // Wait for the predecessor to go; exists() with a watch tells us when.
    const gone = new Promise<void>((resolve) => {
      const exists = zkCall<ZkStat | null>(client, `exists ${predecessor}`, left(), (done) =>
        client.exists(
          predecessor,
          () => resolve(),
          (err, stat) => done(err, stat ?? null),
        ),
      );
      exists.then(
        (stat) => stat === null && resolve(),
        () => resolve(),
      );
    });
    await withTimeout(gone, left(), `waiting for ${predecessor}`);
    if (Date.now() >= deadline) throw new Error(`timeout: waiting in ${dir} after ${timeoutMs} ms`);
  }
}
