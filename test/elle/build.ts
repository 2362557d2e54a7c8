/** Builds small transactional histories for the Elle tests. */
import { History, type Op } from '../../src/history/index.js';

export type Mop = [string, unknown, unknown];

export interface TxnSpec {
  /** Process; defaults to a fresh one per transaction. */
  p?: number;
  type?: 'ok' | 'fail' | 'info';
  /** Micro-ops as they completed (with read results). */
  mops: Mop[];
}

/**
 * A history of the named transactions. `order` lists names: the first mention of a name is
 * its invocation, the second its completion (a name mentioned once never completes). With
 * no order, every transaction is invoked before any completes (no real-time order).
 */
export function build(txns: Record<string, TxnSpec>, order?: string): History {
  const names = Object.keys(txns);
  const sequence = order ? order.split(/\s+/).filter(Boolean) : [...names, ...names];
  const seen = new Set<string>();
  const processes = new Map<string, number>();
  let nextProcess = 100;
  const ops: Op[] = [];
  for (const name of sequence) {
    const spec = txns[name];
    if (!spec) throw new Error(`no transaction ${name}`);
    if (!processes.has(name)) processes.set(name, spec.p ?? nextProcess++);
    const process = processes.get(name)!;
    const invoke = spec.mops.map(([f, k, v]): Mop => [f, k, f === 'r' ? null : v]);
    if (!seen.has(name)) {
      seen.add(name);
      ops.push({ index: 0, time: ops.length, type: 'invoke', process, f: 'txn', value: invoke });
    } else {
      const type = spec.type ?? 'ok';
      ops.push({
        index: 0,
        time: ops.length,
        type,
        process,
        f: 'txn',
        value: type === 'ok' ? spec.mops : invoke,
      });
    }
  }
  return History.from(ops);
}

/** Each transaction runs alone, in the order given (real-time order between all of them). */
export function serial(txns: Record<string, TxnSpec>): History {
  return build(
    txns,
    Object.keys(txns)
      .map((n) => `${n} ${n}`)
      .join(' '),
  );
}
