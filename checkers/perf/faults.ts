/**
 * Fault windows from the nemesis ops of a history: when each fault began and when it was
 * healed. A window opens at the invocation of the op that starts a fault and closes at the
 * completion of the op that undoes it (only then is the fault surely gone).
 */
import { effectOfF } from '../../nemeses/families.js';
import type { Op } from '../../src/history/op.js';

/** One fault, from the op that began it to the op that healed it. Times in seconds since the test began. */
export interface FaultWindow {
  /** The fault family (see nemeses/families.ts), or `start-X`'s X for an `f` no family claims. */
  kind: string;
  /** The `f` of the op that began it, e.g. `start-partition`, `kill`. */
  f: string;
  /** What was applied, in words (the op's value). */
  label: string;
  start: number;
  /** When it was healed; `null` when it never was (it lasts to the end of the history). */
  end: number | null;
  /** `op.index` of the starting invocation and the healing completion. */
  startOp: number;
  endOp: number | null;
  /** The healing op's `f` (`stop-partition`, `start`, `heal`, ...). */
  healedBy: string | null;
}

/** A fault that takes no time (file corruption): a mark, not a window. */
export interface FaultEvent {
  kind: string;
  f: string;
  label: string;
  time: number;
  op: number;
}

/** What an `f` does: begins a fault of a kind, ends one, ends all, or marks one instant. */
type Effect = { begins: string } | { ends: string } | { endsAll: true } | { instant: string };

/** An `f` a family claims does what the family says; `heal` ends everything; else `start-X`/`stop-X`. */
function effectOf(f: string): Effect | undefined {
  const claimed = effectOfF(f);
  if (claimed) {
    const kind = claimed.family.name;
    if (claimed.effect === 'begins') return { begins: kind };
    if (claimed.effect === 'ends') return { ends: kind };
    return { instant: kind };
  }
  if (f === 'heal') return { endsAll: true };
  if (f.startsWith('start-')) return { begins: f.slice(6) };
  if (f.startsWith('stop-')) return { ends: f.slice(5) };
  return undefined;
}

/** A short text for an op value (`majorities-ring`, `{"targets":"one"}`). */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  try {
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return String(value);
  }
}

/**
 * The fault windows and instant faults of a history, in order of start. Nemesis invocations
 * and their `info` completions are matched in order (the nemesis runs one op at a time).
 * Repeated starts of a kind already in effect extend the open window.
 */
export function faultWindows(ops: readonly Op[]): { windows: FaultWindow[]; events: FaultEvent[] } {
  const windows: FaultWindow[] = [];
  const events: FaultEvent[] = [];
  const open = new Map<string, FaultWindow>();
  let pending: Op | undefined;
  const close = (w: FaultWindow, at: Op): void => {
    w.end = at.time / 1e9;
    w.endOp = at.index;
    w.healedBy = at.f;
    open.delete(w.kind);
  };
  for (const op of ops) {
    if (op.process !== 'nemesis') continue;
    const effect = effectOf(op.f);
    if (op.type === 'invoke') {
      pending = op;
      if (effect && 'begins' in effect && !open.has(effect.begins)) {
        const w: FaultWindow = {
          kind: effect.begins,
          f: op.f,
          label: `${op.f}${describeValue(op.value) ? ` ${describeValue(op.value)}` : ''}`,
          start: op.time / 1e9,
          end: null,
          startOp: op.index,
          endOp: null,
          healedBy: null,
        };
        open.set(w.kind, w);
        windows.push(w);
      } else if (effect && 'instant' in effect) {
        events.push({
          kind: effect.instant,
          f: op.f,
          label: `${op.f} ${describeValue(op.value)}`.trim(),
          time: op.time / 1e9,
          op: op.index,
        });
      }
      continue;
    }
    // A completion: an ending op ends its fault once it is done.
    const f = pending?.f ?? op.f;
    pending = undefined;
    const done = effectOf(f);
    if (!done) continue;
    if ('ends' in done) {
      const w = open.get(done.ends);
      if (w) close(w, op);
    } else if ('endsAll' in done) {
      for (const w of [...open.values()]) close(w, op);
    }
  }
  return { windows, events };
}
