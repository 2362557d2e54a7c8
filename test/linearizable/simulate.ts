/**
 * Histories of a really linearizable object: a simulated register or key/value store that
 * clients call concurrently, where each op takes effect at one instant between its
 * invocation and completion, some clients crash (`info`; their op may take effect even
 * later) and some ops fail (and never take effect).
 */
import type { History } from '../../src/history/index.js';
import { type Event, history } from './helpers.js';

/** A small seeded PRNG (mulberry32), so that fast-check's seeds reproduce runs. */
export function prng(seed: number): (n: number) => number {
  let a = seed | 0;
  return (n: number) => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (((t ^ (t >>> 14)) >>> 0) % n) | 0;
  };
}

export interface SimulationOptions {
  kind: 'register' | 'kv';
  seed: number;
  /** Concurrent clients. */
  clients: number;
  /** Ops to invoke. */
  ops: number;
  /** Keys of the kv store. */
  keys?: number;
}

interface Call {
  process: number;
  f: string;
  input: unknown;
  key?: string;
  applied: boolean;
  output?: unknown;
  failed?: boolean;
}

export function simulate(options: SimulationOptions): History {
  const rand = prng(options.seed);
  const events: Event[] = [];
  let register: unknown = null;
  const store = new Map<string, string>();
  let nextProcess = options.clients;
  const processes = Array.from({ length: options.clients }, (_, i) => i);
  const pending: (Call | undefined)[] = new Array(options.clients).fill(undefined);
  const inFlight: Call[] = [];
  let invoked = 0;
  const emit = (c: Call, type: Event[1], value: unknown) => events.push([c.process, type, c.f, value, c.key]);

  const apply = (c: Call): void => {
    c.applied = true;
    if (options.kind === 'register') {
      if (c.f === 'read') c.output = register;
      else if (c.f === 'write') register = c.input;
      else {
        const [from, to] = c.input as [unknown, unknown];
        if (register === from) register = to;
        else c.failed = true;
      }
    } else {
      const k = c.key!;
      if (c.f === 'get') c.output = store.get(k) ?? '';
      else if (c.f === 'put') store.set(k, c.input as string);
      else store.set(k, (store.get(k) ?? '') + (c.input as string));
    }
  };

  const newCall = (process: number): Call => {
    const v = rand(4);
    if (options.kind === 'register') {
      const r = rand(3);
      if (r === 0) return { process, f: 'read', input: null, applied: false };
      if (r === 1) return { process, f: 'write', input: v, applied: false };
      return { process, f: 'cas', input: [rand(4), v], applied: false };
    }
    const key = String(rand(options.keys ?? 3));
    const r = rand(3);
    if (r === 0) return { process, f: 'get', input: null, key, applied: false };
    return { process, f: r === 1 ? 'put' : 'append', input: `${process}.${invoked} `, key, applied: false };
  };

  for (;;) {
    const idle = processes.flatMap((_, w) => (pending[w] === undefined ? [w] : []));
    const busy = processes.flatMap((_, w) => (pending[w] !== undefined ? [w] : []));
    if (invoked >= options.ops && (busy.length === 0 || rand(20) === 0)) break; // leave some open
    const action = rand(10);
    if (action <= 2 && idle.length > 0 && invoked < options.ops) {
      const w = idle[rand(idle.length)]!;
      const c = newCall(processes[w]!);
      pending[w] = c;
      invoked++;
      emit(c, 'invoke', c.input);
    } else if (action === 3 && inFlight.length > 0) {
      apply(inFlight.splice(rand(inFlight.length), 1)[0]!);
    } else if (busy.length > 0) {
      const w = busy[rand(busy.length)]!;
      const c = pending[w]!;
      const r = rand(20);
      if (r === 0) {
        // Crash: the op may still take effect later; the client continues as a new process.
        emit(c, 'info', c.input);
        if (!c.applied) inFlight.push(c);
        pending[w] = undefined;
        processes[w] = nextProcess++;
      } else if (r === 1 && !c.applied) {
        emit(c, 'fail', c.input);
        pending[w] = undefined;
      } else if (!c.applied) {
        apply(c);
      } else {
        emit(c, c.failed ? 'fail' : 'ok', c.output === undefined ? c.input : c.output);
        pending[w] = undefined;
      }
    }
  }
  return history(events);
}

/** The same history with the value of one `ok` read replaced; `undefined` when it has none. */
export function plantImpossibleRead(h: History, pick: number): History | undefined {
  const reads = h.ops.filter((o) => o.type === 'ok' && (o.f === 'read' || o.f === 'get'));
  if (reads.length === 0) return undefined;
  const target = reads[pick % reads.length]!;
  return history(
    h.ops.map(
      (o): Event => [
        o.process as number,
        o.type,
        o.f,
        o === target ? (o.f === 'read' ? 999 : 'never written') : o.value,
        o.key,
      ],
    ),
  );
}
