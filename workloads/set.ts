import { SET_CLIENT, type SetClient } from '../src/client/kinds/set.js';
import { flag } from '../src/client/options.js';
import type { Invocation } from '../src/client/types.js';
import { type Generator, gen, mix } from '../src/generator/index.js';
import { finalReads } from './final-reads.js';
import { type CheckerSpec, unknownOp, type Workload } from './types.js';

/**
 * A grow-only set: `add v` of unique integers during the run, then every thread reads the
 * whole set after healing (until a read answers ok); the `set` checker looks for acknowledged adds missing from the
 * final read (lost commits). Needs a {@link SetClient} (etcd: a key per element; ZooKeeper: a
 * znode per element).
 *
 * Options: `reads` (also read during the run, one op in ten, and check with `set-full` too;
 * default false), `callTimeoutMs` (default 3000); etcd: `serializable` reads.
 */
export const set: Workload<SetClient> = {
  name: 'set',
  description: 'unique adds to a grow-only set, then final reads: lost commits',
  client: SET_CLIENT,
  invoke: (client, op) => {
    if (op.f === 'add') return client.add(op.value as number);
    if (op.f === 'read') return client.read();
    return Promise.resolve(unknownOp(op));
  },
  generator: (ctx) => setGenerator(flag(ctx.options, 'reads', false)),
  final: () => finalReads(() => READ),
  checkers: (ctx): CheckerSpec =>
    flag(ctx.options, 'reads', false) ? { set: {}, 'set-full': {} } : { set: {} },
};

const READ: Invocation = { f: 'read', value: null };

/** Adds of 0, 1, 2, ...; with `reads`, one op in ten is a read of the whole set. */
export function setGenerator(reads: boolean): Generator {
  let next = 0;
  const adds = gen(() => ({ f: 'add', value: next++ }));
  if (!reads) return adds;
  return mix([...Array.from({ length: 9 }, () => adds), gen(() => READ)]);
}
