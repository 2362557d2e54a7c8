import { type DeterministicModel, hashString, mix32, show, valueKey } from '../model.js';
import { badOp, keyOf } from './common.js';

/** A set of values, keyed by {@link valueKey}. Immutable. */
export class SetState {
  readonly members: ReadonlyMap<string, unknown>;
  readonly hash: number;

  constructor(members: ReadonlyMap<string, unknown>, hash: number) {
    this.members = members;
    this.hash = hash;
  }

  static readonly EMPTY = new SetState(new Map(), 0);

  with(value: unknown): SetState {
    const k = valueKey(value);
    if (this.members.has(k)) return this;
    return new SetState(new Map(this.members).set(k, value), (this.hash + mix32(hashString(k))) | 0);
  }
}

/**
 * A set (Knossos' `set`): `add v` adds `v`; `read` returns every element, and must equal the
 * set exactly (order and duplicates in the returned list do not matter). Elements compare
 * structurally. A read whose outcome is unknown constrains nothing. Split by `key` when ops
 * carry one.
 */
export function set(): DeterministicModel<SetState> {
  return {
    name: 'set',
    init: () => SetState.EMPTY,
    equal(a, b) {
      if (a === b) return true;
      if (a.members.size !== b.members.size) return false;
      for (const k of a.members.keys()) if (!b.members.has(k)) return false;
      return true;
    },
    hash: (s) => s.hash,
    partition: keyOf,
    isReadOnly: (op) => op.f === 'read',
    step(state, op) {
      if (op.f === 'add') return state.with(op.input);
      if (op.f === 'read') {
        if (!op.known) return state;
        const read = op.output;
        if (!Array.isArray(read))
          throw badOp('set', op, `a read returns a list of elements, got ${show(read)}`);
        const seen = new Set(read.map(valueKey));
        if (seen.size !== state.members.size) return undefined;
        for (const k of seen) if (!state.members.has(k)) return undefined;
        return state;
      }
      throw badOp('set', op, `unknown f ${JSON.stringify(op.f)}; expected add, read`, 'f');
    },
    describeOp: (op) =>
      op.f === 'read'
        ? `read() -> ${op.known ? show(op.output) : '?'}`
        : `add(${show(op.input)})${op.known ? '' : ' -> ?'}`,
    describeState: (s) => `#{${[...s.members.values()].map(show).join(' ')}}`,
  };
}
