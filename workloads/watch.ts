import {
  type Versioned,
  WATCH_CLIENT,
  type WatchClient,
  type WatchObservation,
} from '../src/client/kinds/watch.js';
import { count, flag, type Options, positive } from '../src/client/options.js';
import type { Completion, Invocation } from '../src/client/types.js';
import { InputError } from '../src/errors.js';
import {
  delay,
  eachThread,
  type GenContext,
  type Generator,
  gen,
  onThreads,
  type Thread,
  untilOk,
} from '../src/generator/index.js';
import { FINAL_READ_RETRY_S } from './final-reads.js';
import { type CheckerSpec, unknownOp, type Workload } from './types.js';

/** An observation as the history keeps it: `ms` after the op's invocation instead of a clock time. */
export type RecordedObservation =
  | ({ via: 'start' | 'event' | 'arm' | 'poll'; ms: number } & Versioned)
  | { via: 'notified'; ms: number };

/** The `ok` value of a `watch` op. */
export interface WatchBatch {
  mode: WatchClient['mode'];
  seen: RecordedObservation[];
}

/** The `ok` value of a `catch-up` op: the watcher's own linearizable read, and what it saw until it got there. */
export interface CatchUp extends WatchBatch {
  read: Versioned;
}

/**
 * Watches: the first `keys` threads write unique integers to their key (`write`, ok value
 * `{ value, version }`); every other thread watches key `thread % keys` in windows of about
 * `watchMs` (`watch`), resuming across faults as its db's client does (etcd: the stream from
 * the revision after the last event; ZooKeeper: one-shot watches re-registered, a fresh
 * session after expiry). After the heal each watcher reads the key linearizably and follows it
 * until it has seen that version (`catch-up`, at most `catchUpMs`). The `watch` checker finds
 * missed, duplicated, reordered and phantom events, and watchers that did not converge (or not
 * within `convergeWithinS` of the last heal, when set). Needs a {@link WatchClient}.
 *
 * Options: `keys` (default 2), `watchMs` (default 500), `catchUpMs` (default 4000; keep it below the plan's `opTimeout`),
 * `convergeWithinS` (a bound on each watcher's lag; default none), `callTimeoutMs`;
 * `testDropOneEvent` (tests only: one watcher drops one event, so the run must be invalid).
 */
export const watch: Workload<WatchClient> = {
  name: 'watch',
  description: 'writers change keys, watchers follow them across faults: missed, reordered, phantom events',
  client: WATCH_CLIENT,
  invoke: (client, op) => {
    const key = op.key as number;
    if (op.f === 'write') return writeOp(client, key, op.value as number);
    if (op.f === 'watch') return watchOp(client, key, op.value as WatchSpec);
    if (op.f === 'catch-up') return catchUpOp(client, key, op.value as CatchUpSpec);
    return Promise.resolve(unknownOp(op));
  },
  generator: (ctx) => watchGenerator(ctx.options),
  final: (ctx) => watchFinal(ctx.options),
  checkers: (ctx): CheckerSpec =>
    ctx.options.convergeWithinS === undefined
      ? { watch: {} }
      : { watch: { convergeWithinS: positive(ctx.options, 'convergeWithinS', 1) } },
};

/** The value of a `watch` op: its window, and (tests only) whether to drop the next event seen. */
export interface WatchSpec {
  windowMs: number;
  dropOneEvent?: boolean;
}

/** The value of a `catch-up` op: how long each window is, and how long it may follow at most. */
export interface CatchUpSpec {
  windowMs: number;
  catchUpMs: number;
}

/** The number of keys (`keys` option, a whole number >= 1). */
function keyCount(options: Options): number {
  const keys = count(options, 'keys', 2);
  if (keys < 1) throw new InputError('expected at least one key, got 0', { field: 'workloadOptions.keys' });
  return keys;
}

/** Threads below `keys` write key `thread`; the others watch key `thread % keys`. */
export function watchGenerator(options: Options): Generator {
  const keys = keyCount(options);
  const windowMs = positive(options, 'watchMs', 500);
  let drop = flag(options, 'testDropOneEvent', false);
  let next = 0;
  return eachThread(
    gen((ctx: GenContext): Invocation => {
      const thread = ctx.threads[0] as number;
      const key = thread % keys;
      if (thread < keys) return { f: 'write', key, value: next++ };
      const value: WatchSpec = { windowMs };
      if (drop && thread === keys) {
        drop = false;
        value.dropOneEvent = true;
      }
      return { f: 'watch', key, value };
    }),
  );
}

/** After the heal: every watcher catches up with a linearizable read of its key (until one answers `ok`). */
export function watchFinal(options: Options): Generator {
  const keys = keyCount(options);
  const value: CatchUpSpec = {
    windowMs: positive(options, 'watchMs', 500),
    catchUpMs: positive(options, 'catchUpMs', 4000),
  };
  const isWatcher = (t: Thread): boolean => typeof t === 'number' && t >= keys;
  return onThreads(
    isWatcher,
    eachThread(
      untilOk(
        delay(
          FINAL_READ_RETRY_S,
          gen(
            (ctx: GenContext): Invocation => ({
              f: 'catch-up',
              key: (ctx.threads[0] as number) % keys,
              value,
            }),
          ),
        ),
      ),
    ),
  );
}

/** The last version each client saw per key, so that a catch-up knows where its watcher is. */
const lastSeen = new WeakMap<WatchClient, Map<number, number>>();
/** Clients that owe the history one dropped event (`testDropOneEvent`). */
const owesDrop = new WeakSet<WatchClient>();

async function writeOp(client: WatchClient, key: number, value: number): Promise<Completion> {
  const r = await client.write(key, value);
  return r.type === 'ok' ? { type: 'ok', value: { value, version: r.value } } : r;
}

async function watchOp(client: WatchClient, key: number, spec: WatchSpec): Promise<Completion> {
  if (spec.dropOneEvent) owesDrop.add(client);
  const began = Date.now();
  const r = await client.watch(key, spec.windowMs);
  if (r.type !== 'ok') return r;
  const value: WatchBatch = { mode: client.mode, seen: record(client, key, r.value, began) };
  return { type: 'ok', value };
}

async function catchUpOp(client: WatchClient, key: number, spec: CatchUpSpec): Promise<Completion> {
  const began = Date.now();
  const read = await client.read(key);
  if (read.type !== 'ok') return read;
  const seen: RecordedObservation[] = [];
  const deadline = began + spec.catchUpMs;
  const caughtUp = (): boolean =>
    (lastSeen.get(client)?.get(key) ?? Number.NEGATIVE_INFINITY) >= read.value.version;
  while (!caughtUp() && Date.now() < deadline) {
    const windowMs = Math.max(1, Math.min(spec.windowMs, deadline - Date.now()));
    const r = await client.watch(key, windowMs);
    if (r.type === 'ok') seen.push(...record(client, key, r.value, began));
    else await new Promise((resolve) => setTimeout(resolve, Math.min(windowMs, 100)));
  }
  const value: CatchUp = { mode: client.mode, read: read.value, seen };
  return { type: 'ok', value };
}

/** Observations with times relative to the op's start; drops one event when the client owes one. */
function record(
  client: WatchClient,
  key: number,
  seen: readonly WatchObservation[],
  began: number,
): RecordedObservation[] {
  let versions = lastSeen.get(client);
  if (!versions) {
    versions = new Map();
    lastSeen.set(client, versions);
  }
  const out: RecordedObservation[] = [];
  for (const o of seen) {
    if (owesDrop.has(client) && (o.via === 'event' || o.via === 'notified')) {
      owesDrop.delete(client);
      continue;
    }
    const ms = o.at - began;
    if (o.via === 'notified') out.push({ via: 'notified', ms });
    else {
      out.push({ via: o.via, version: o.version, value: o.value, ms });
      versions.set(key, Math.max(versions.get(key) ?? Number.NEGATIVE_INFINITY, o.version));
    }
  }
  return out;
}
