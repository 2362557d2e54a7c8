/**
 * The shorthand Elle's own tests write transactions in, read as data: `ax1ry12` is
 * [[append x 1] [r y [1 2]]] (list-append), `wx1ry_` is [[w x 1] [r y nil]] (rw-register).
 * Keys are single letters, values single digits; a read with no digits read nil.
 */

import type { ElleOptions } from '../../../checkers/elle/index.js';
import { History, type Op } from '../../../src/history/index.js';

export type Workload = 'list-append' | 'rw-register';
type Mop = [string, unknown, unknown];
type Kind = 'ok' | 'fail' | 'info';

/** Parses Elle's shorthand for one transaction. */
export function txn(workload: Workload, text: string): Mop[] {
  const mops: Mop[] = [];
  for (const c of text) {
    const last = mops[mops.length - 1];
    if (c === 'a' || c === 'r' || c === 'w') mops.push([c === 'a' ? 'append' : c, undefined, null]);
    else if (/[a-z]/.test(c) && last && last[1] === undefined) last[1] = c;
    else if (last && c === '_') last[2] = null;
    else if (last && /[0-9]/.test(c)) {
      const n = Number(c);
      if (workload === 'list-append' && last[0] === 'r')
        last[2] = [...((last[2] as number[] | null) ?? []), n];
      else last[2] = n;
    } else throw new Error(`bad transaction shorthand ${text}`);
  }
  return mops;
}

/** One event: a process, what happened, and the transaction (as completed, for ok). */
export type Event = [process: number, type: 'invoke' | Kind, text: string];

/** How a case's history is laid out. */
export type Layout =
  /** Elle's histories of completions alone: every transaction concurrent with every other. */
  | { concurrent: [Kind, string][] }
  /** Elle's `(mapcat pair ...)`: each transaction invoked and completed before the next. */
  | { serial: [process: number, string][] }
  /** Exactly these invocations and completions, in this order. */
  | { events: Event[] }
  /** A history too big to spell out, built by a function. */
  | { ops: () => Op[] };

/** One of Elle's test assertions, as data. */
export interface ElleCase {
  /** Elle's deftest and testing labels. */
  name: string;
  workload: Workload;
  history: Layout;
  /** Elle's options, translated (Elle's rw-register default is wfr-keys? off; faultline's is on). */
  options: ElleOptions;
  /** What Elle answers. */
  elle: Expected;
  /** When faultline answers otherwise: what it answers, and why (also in checkers/elle/README.md). */
  faultline?: Expected & { why: string };
}

export interface Expected {
  valid?: true | false | 'unknown';
  /** Elle's `:anomaly-types` (sorted). */
  'anomaly-types'?: string[];
  /** Elle's `:not`. */
  not?: string[];
  /** For cases about one analysis rather than the verdict: types that must be found. */
  found?: string[];
  /** ... and types that must not. */
  absent?: string[];
}

/** The history a layout describes. */
export function historyOf(workload: Workload, layout: Layout): History {
  if ('ops' in layout) return History.from(layout.ops());
  const ops: Op[] = [];
  const emit = (type: Op['type'], process: number, value: Mop[]) =>
    ops.push({ index: ops.length, time: ops.length, type, process, f: 'txn', value });
  const invocation = (mops: Mop[]) => mops.map(([f, k, v]): Mop => [f, k, f === 'r' ? null : v]);
  if ('concurrent' in layout) {
    const mops = layout.concurrent.map(([, text]) => txn(workload, text));
    mops.forEach((m, i) => {
      emit('invoke', i, invocation(m));
    });
    layout.concurrent.forEach(([kind], i) => {
      emit(kind, i, kind === 'ok' ? mops[i]! : invocation(mops[i]!));
    });
  } else if ('serial' in layout) {
    for (const [process, text] of layout.serial) {
      const mops = txn(workload, text);
      emit('invoke', process, invocation(mops));
      emit('ok', process, mops);
    }
  } else {
    for (const [process, type, text] of layout.events) {
      const mops = txn(workload, text);
      emit(type, process, type === 'ok' ? mops : invocation(mops));
    }
  }
  return History.from(ops);
}
