import { History, type Op, type OpType, type Process } from '../../src/history/index.js';

/** One event: [process, type, f, value, extra fields]. */
export type Event = [Process, OpType, string, unknown?, Partial<Op>?];

/** Events 1 ms apart (op.time = index × 1e6 ns), so latencies in ms read off the indices. */
export function history(events: Event[]): History {
  return History.from(
    events.map(([process, type, f, value, extra], index) => ({
      index,
      time: index * 1e6,
      type,
      process,
      f,
      value: value ?? null,
      ...extra,
    })),
  );
}
