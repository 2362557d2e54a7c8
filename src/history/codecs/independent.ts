/**
 * Jepsen's `jepsen.independent` convention: a test of many independent objects writes each
 * op's value as a `[key value]` tuple (`:write [1 3]`, `:read [1 nil]`, `:cas [1 [3 5]]`).
 * faultline keeps the key in `op.key` instead. Reading EDN or a Jepsen log turns tuples into
 * keyed ops (when every client op is one, or when asked to). Writing EDN turns a keyed op
 * back into a tuple and also keeps `:key`, so Jepsen's and Knossos' own tools read our files
 * as theirs, and our reader restores each op exactly, whatever the others look like.
 */
import { InputError, type InputLocation } from '../../errors.js';
import type { Op } from '../op.js';

/** A key as Jepsen's independent tests use them: a number or a string (keyword). */
function isTupleKey(k: unknown): boolean {
  return typeof k === 'number' || typeof k === 'string';
}

function isTuple(v: unknown): v is [unknown, unknown] {
  return Array.isArray(v) && v.length === 2 && isTupleKey(v[0]);
}

/**
 * True when `ops` read like a Jepsen independent history: no op carries a `key` field, there
 * is a client op, every client invocation's value is a `[key value]` tuple, and every `ok`
 * completion's value is a tuple with its invocation's key. A plain register history fails
 * this at its first read (`nil` or a number), an Elle history at its first transaction.
 */
export function looksIndependent(ops: readonly Op[]): boolean {
  const open = new Map<number, unknown>();
  let clientOps = 0;
  for (const op of ops) {
    if (op.key !== undefined) return false;
    if (op.process === 'nemesis') continue;
    clientOps++;
    if (op.type === 'invoke') {
      if (!isTuple(op.value)) return false;
      open.set(op.process, op.value[0]);
      continue;
    }
    const key = open.get(op.process);
    open.delete(op.process);
    if (op.type === 'ok' && !(isTuple(op.value) && op.value[0] === key)) return false;
  }
  return clientOps > 0;
}

/**
 * Turns tuple-valued client ops into keyed ops, in place. A completion without a tuple
 * (an `info` whose value was dropped) takes its invocation's key. Throws {@link InputError}
 * for a client invocation that is not a tuple (when independence was asked for, not detected).
 */
export function keysFromTuples(ops: Op[], locate: (position: number) => InputLocation): void {
  const open = new Map<number, unknown>();
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    if (op.process === 'nemesis') continue;
    if (op.type === 'invoke') {
      if (!isTuple(op.value)) {
        throw new InputError('expected a [key value] tuple (--independent)', {
          ...locate(i),
          field: 'value',
        });
      }
      if (op.key !== undefined) {
        throw new InputError('an op with a key field cannot also be a [key value] tuple', {
          ...locate(i),
          field: 'key',
        });
      }
      open.set(op.process, op.value[0]);
      op.key = op.value[0];
      op.value = op.value[1];
      continue;
    }
    const key = open.get(op.process);
    open.delete(op.process);
    if (key === undefined) continue; // no open invocation: pairing reports it
    if (isTuple(op.value) && op.value[0] === key) op.value = op.value[1];
    op.key = key;
  }
}

/**
 * Whether an op is written as a `[key value]` tuple: a client op whose key is a number or a
 * string (other keys stay a `:key` field, which a reader could not tell from a tuple's).
 */
export function writesAsTuple(op: Op): boolean {
  return op.process !== 'nemesis' && isTupleKey(op.key);
}

/**
 * Undoes {@link tupleValue} on an op read back with its `key` field: `[key value]` becomes
 * `value` when the tuple's key is the op's. In place.
 */
export function unwrapOwnTuple(op: Op): void {
  if (writesAsTuple(op) && isTuple(op.value) && op.value[0] === op.key) op.value = op.value[1];
}

/** An op's value as written to EDN or a Jepsen log: `[key value]` when {@link writesAsTuple}. */
export function tupleValue(op: Op): unknown {
  return writesAsTuple(op) ? [op.key, op.value] : op.value;
}
