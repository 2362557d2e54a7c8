import type { DeterministicModel } from '../model.js';
import { badOp, keyOf } from './common.js';

/**
 * A lock (Knossos' `mutex`): `acquire` succeeds only when it is free, `release` only when it
 * is held. Ops with a `key` field are split by key, one lock per key. The state is a number
 * (0 free, 1 held) because `false` means "illegal" to the search.
 */
export function mutex(): DeterministicModel<number> {
  return {
    name: 'mutex',
    init: () => 0,
    equal: (a, b) => a === b,
    hash: (s) => s,
    partition: keyOf,
    step(held, op) {
      if (op.f === 'acquire') return held ? undefined : 1;
      if (op.f === 'release') return held ? 0 : undefined;
      throw badOp('mutex', op, `unknown f ${JSON.stringify(op.f)}; expected acquire, release`, 'f');
    },
    describeOp: (op) => `${op.f}()${op.known ? '' : ' -> ?'}`,
    describeState: (held) => (held ? 'held' : 'free'),
  };
}
