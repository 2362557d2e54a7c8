/**
 * Watched keys (the `watch` workload): writers change a few keys, watchers follow them. A
 * key's *version* is what the db orders its changes by: etcd's mod revision (0: never
 * written), ZooKeeper's znode data version (the znode is made empty, version 0, before use).
 */
import { clientKind } from '../kind.js';
import type { Outcome, Session } from '../types.js';

/** A key's state: its version and value (null: never written). */
export interface Versioned {
  version: number;
  value: number | null;
}

/**
 * What a watcher saw, in the order it saw it:
 * - `start`: the state it began (or began again, after its stream or session was lost and a
 *   fresh one made) from, read linearizably; the watch covers every change after it.
 * - `event`: a change delivered by a stream of changes (etcd).
 * - `arm`: a read that (re-)registered a one-shot watch (ZooKeeper's getData with a watcher).
 * - `notified`: the one-shot watch fired (no state: ZooKeeper only says the data changed).
 * - `poll`: a plain read on the same session, without a watch.
 * `at` is `Date.now()` when it was seen.
 */
export type WatchObservation =
  | ({ via: 'start' | 'event' | 'arm' | 'poll'; at: number } & Versioned)
  | { via: 'notified'; at: number };

/** How a db's watches behave: `stream` (every change, in order) or `one-shot` (re-register after each). */
export type WatchMode = 'stream' | 'one-shot';

export interface WatchClient extends Session {
  readonly mode: WatchMode;
  /** Writes `value` to `key`; `ok` with the version it made, when the db says. */
  write(key: number, value: number): Promise<Outcome<number | null>>;
  /** A linearizable read of `key`. */
  read(key: number): Promise<Outcome<Versioned>>;
  /**
   * Follows `key` for about `windowMs` (starting, or resuming, the watch as needed) and
   * returns what was seen since the last `ok` call. What a `fail` call saw is kept for the next.
   */
  watch(key: number, windowMs: number): Promise<Outcome<WatchObservation[]>>;
}

export const WATCH_CLIENT = clientKind<WatchClient>(
  'watch',
  'write, linearizable read and watch (resuming across faults) of integer keys',
);
