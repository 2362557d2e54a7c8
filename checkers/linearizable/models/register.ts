import { type DeterministicModel, hashValue, type ModelOp, show, valuesEqual } from '../model.js';
import { badOp, keyOf } from './common.js';

/**
 * A read/write register (Knossos' `register`), initially `initial` (default `null`).
 *
 * - `write v` sets the value to `v`.
 * - `read` returns the value. An `ok` read of `null`/`nil` means the register holds `null`:
 *   absent, or never written. This is where we differ from Knossos, which takes a `nil` read
 *   as "value unknown": in Jepsen logs a read's *invocation* carries `nil`, and the corpus'
 *   `:ok :read nil` means the key was absent. A read whose outcome is unknown (`info`, never
 *   completed) constrains nothing and is dropped; a `fail` read never happened.
 *
 * Ops with a `key` field are split by key, each key being its own register (P-compositionality,
 * like `jepsen.independent`). Values compare structurally (`[1, 2]` equals `[1, 2]`).
 */
export function register(initial: unknown = null): DeterministicModel<unknown> {
  return registerModel('register', initial, false);
}

/**
 * A compare-and-set register (Knossos' `cas-register`), initially `initial` (default `null`):
 * `read` and `write` as {@link register}, plus `cas [expected new]`, which takes effect only
 * when the value equals `expected`. A `fail`ed cas never happened (Knossos); Porcupine's etcd
 * model instead reads it as "happened and found another value", a stronger claim that the
 * history does not make. A cas whose outcome is unknown either took effect (so the value was
 * `expected` at that moment) or never happened.
 */
export function casRegister(initial: unknown = null): DeterministicModel<unknown> {
  return registerModel('cas-register', initial, true);
}

function registerModel(name: string, initial: unknown, withCas: boolean): DeterministicModel<unknown> {
  const init = box(initial);
  return {
    name,
    init: () => init,
    equal: valuesEqual,
    hash: hashValue,
    partition: keyOf,
    isReadOnly: (op) => op.f === 'read',
    step(state: unknown, op: ModelOp): unknown {
      switch (op.f) {
        case 'read':
          if (!op.known) return state;
          return valuesEqual(box(op.output), state) ? state : undefined;
        case 'write':
          return box(op.input);
        case 'cas': {
          if (!withCas) break;
          const [expected, next] = casArgs(name, op);
          return valuesEqual(box(expected), state) ? box(next) : undefined;
        }
      }
      throw badOp(
        name,
        op,
        `unknown f ${JSON.stringify(op.f)}; expected read, write${withCas ? ', cas' : ''}`,
        'f',
      );
    },
    describeOp(op: ModelOp): string {
      const result = op.known ? '' : ' -> ?';
      if (op.f === 'read') return `read() -> ${op.known ? show(op.output) : '?'}`;
      if (op.f === 'cas' && Array.isArray(op.input)) return `cas(${op.input.map(show).join(', ')})${result}`;
      return `${op.f}(${show(op.input)})${result}`;
    },
    describeState: (state) => show(state === FALSE ? false : state),
  };
}

/** `step` returns `false` for "illegal", so a register holding `false` holds this instead. */
const FALSE = Symbol('false');

function box(v: unknown): unknown {
  return v === false ? FALSE : (v ?? null);
}

function casArgs(model: string, op: ModelOp): [unknown, unknown] {
  const v = op.input;
  if (!Array.isArray(v) || v.length !== 2) {
    throw badOp(model, op, `cas expects [expected new], got ${show(v)}`);
  }
  return [v[0], v[1]];
}
