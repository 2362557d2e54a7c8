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

/** One event at `ms` milliseconds: [ms, process, type, f, value]. */
export type TimedEvent = [number, Process, OpType, string, unknown];

/** Events at the given milliseconds (op.time = ms × 1e6 ns), for checkers that read real time. */
export function timedHistory(events: TimedEvent[]): History {
  return History.from(
    events.map(([ms, process, type, f, value], index) => ({
      index,
      time: ms * 1e6,
      type,
      process,
      f,
      value,
    })),
  );
}
