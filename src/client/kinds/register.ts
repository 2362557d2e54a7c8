/** Registers on independent keys: read, write, compare-and-set (the `register` workload). */
import { clientKind } from '../kind.js';
import { count, type Options } from '../options.js';
import type { Done, Outcome, Session } from '../types.js';

/**
 * A linearizable register per key. Values are small integers; a client stores them encoded by
 * {@link encodeValue} (padded to the `valueSize` option) and decodes what it reads.
 */
export interface RegisterClient extends Session {
  /** The key's value; null when it was never written. */
  read(key: number): Promise<Outcome<number | null>>;
  write(key: number, value: number): Promise<Done>;
  /** Sets `next` if the value is `expected`; a different value is a definite `fail`. */
  cas(key: number, expected: number, next: number): Promise<Done>;
}

export const REGISTER_CLIENT = clientKind<RegisterClient>(
  'register',
  'read, write and cas of integer registers by key',
);

/** The `valueSize` option: bytes stored per register value (default 0: as short as it gets). */
export function registerValueSize(options: Options): number {
  return count(options, 'valueSize', 0);
}

/** Encodes a register value, padded to `size` bytes so that value size is a knob. */
export function encodeValue(v: number, size: number): string {
  const s = String(v);
  return s.length >= size ? s : `${s}:${'x'.repeat(size - s.length - 1)}`;
}

/** The number an encoded value holds; null for absent or unreadable values. */
export function decodeValue(s: string | null | undefined): number | null {
  if (s === null || s === undefined || s === '') return null;
  const n = Number(s.split(':')[0]);
  return Number.isInteger(n) ? n : null;
}
