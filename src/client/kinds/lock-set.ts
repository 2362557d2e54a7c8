/** A set kept in one value and updated only under one lock (the `lock-set` workload). */
import { clientKind } from '../kind.js';
import { count, type Options } from '../options.js';
import type { Done, Outcome, Session } from '../types.js';

/**
 * Take the lock, read the set, write it back with one more element, give the lock back. With
 * the `fencing` option, `write` is conditional on the lock's fencing token (taken by
 * `acquire`): it is refused (`fail`) once this client no longer holds the lock.
 */
export interface LockSetClient extends Session {
  /** Takes the lock, waiting for it a while; `fail` when it could not get it. */
  acquire(): Promise<Done>;
  /** The whole set, sorted (empty before the first write). */
  read(): Promise<Outcome<number[]>>;
  /** The work a holder does between its read and its write: waits the `holdMs` option. */
  hold(): Promise<void>;
  /** Replaces the set by `elements` (fenced when the option says so). */
  write(elements: readonly number[]): Promise<Done>;
  /** Gives the lock back; `ok` also when it had already expired. */
  release(): Promise<Done>;
}

export const LOCK_SET_CLIENT = clientKind<LockSetClient>(
  'lock-set',
  'acquire a lock, read and write one set value under it, release',
);

/** The set's stored text: a JSON array of integers. */
export function encodeLockSet(elements: readonly number[]): string {
  return JSON.stringify(elements);
}

/** A stored set back to its elements; nothing stored yet is the empty set. */
export function decodeLockSet(text: string | null | undefined): number[] {
  if (text === null || text === undefined || text === '') return [];
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed) || !parsed.every((x) => Number.isInteger(x))) {
    throw new Error(`the lock-set value is not a list of integers: ${text.slice(0, 80)}`);
  }
  return (parsed as number[]).slice().sort((a, b) => a - b);
}

/** The `holdMs` option: how long an add holds the lock between its read and its write (default 100). */
export function holdMsOf(options: Options): number {
  return count(options, 'holdMs', 100);
}

/** Waits `holdMsOf(options)` ms; a paused process simply wakes up late. */
export function holdFor(options: Options): Promise<void> {
  const ms = holdMsOf(options);
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
