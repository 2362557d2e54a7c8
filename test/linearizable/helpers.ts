import { History, type Op } from '../../src/history/index.js';

/** One event: [process, type, f, value, key?]. */
export type Event = [process: number, type: Op['type'], f: string, value: unknown, key?: unknown];

/** A history from compact events, in order. */
export function history(events: readonly Event[]): History {
  return History.from(
    events.map(([process, type, f, value, key], i) => ({
      index: i,
      time: i,
      process,
      type,
      f,
      value,
      ...(key === undefined ? {} : { key }),
    })),
  );
}
