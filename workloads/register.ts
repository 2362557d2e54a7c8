import { REGISTER_CLIENT, type RegisterClient } from '../src/client/kinds/register.js';
import { type Options, positive } from '../src/client/options.js';
import type { Invocation } from '../src/client/types.js';
import { type GenContext, type Generator, gen } from '../src/generator/index.js';
import { finalReads, liveKeys } from './final-reads.js';
import { type CheckerSpec, unknownOp, type Workload } from './types.js';

export { decodeValue, encodeValue } from '../src/client/kinds/register.js';

/**
 * Linearizable compare-and-set registers, one per key (`op.key`), as Jepsen's etcd and
 * ZooKeeper register tests: `read` (value null), `write v`, `cas [expected, new]`, values
 * 0..4. Checked per key by `linearizable` with model `cas-register`.
 *
 * Options: `keys` (keys in use at once, default 8), `opsPerKey` (ops on a key before a fresh
 * one replaces it, default 100), `valueSize` (bytes stored per value, padded; default 0),
 * `callTimeoutMs` (default 3000); the db's client may read more (etcd: `serializable`;
 * ZooKeeper: `sync`). Needs a {@link RegisterClient}.
 */
export const register: Workload<RegisterClient> = {
  name: 'register',
  description: 'read/write/cas registers on independent keys, checked for linearizability',
  client: REGISTER_CLIENT,
  invoke: (client, op) => {
    const key = op.key as number;
    switch (op.f) {
      case 'read':
        return client.read(key);
      case 'write':
        return client.write(key, op.value as number);
      case 'cas': {
        const [expected, next] = op.value as [number, number];
        return client.cas(key, expected, next);
      }
    }
    return Promise.resolve(unknownOp(op));
  },
  generator: (ctx) => registerGenerator(ctx.options, liveKeys(ctx)),
  final: (ctx) => registerFinalReads(liveKeys(ctx)),
  // opsPerKey tells online checking when a key is done with, so its ops can be checked and dropped.
  checkers: (ctx): CheckerSpec => ({
    linearizable: {
      model: 'cas-register',
      independent: true,
      opsPerKey: positive(ctx.options, 'opsPerKey', 100),
    },
  }),
};

/**
 * Read, write and cas ops on a rotating window of `keys` keys, `opsPerKey` ops each; `live`
 * is kept equal to the keys in the window.
 */
export function registerGenerator(options: Options, live: number[] = []): Generator {
  const keys = positive(options, 'keys', 8);
  const opsPerKey = positive(options, 'opsPerKey', 100);
  const slots = Array.from({ length: keys }, (_, i) => ({ key: i, ops: 0 }));
  live.splice(0, live.length, ...slots.map((s) => s.key));
  let nextKey = keys;
  return gen((ctx: GenContext): Invocation => {
    const i = Math.floor(ctx.random() * slots.length);
    const slot = slots[i]!;
    const key = slot.key;
    if (++slot.ops >= opsPerKey) {
      slot.key = nextKey++;
      slot.ops = 0;
      live[i] = slot.key;
    }
    const r = ctx.random();
    const v = (): number => Math.floor(ctx.random() * 5);
    if (r < 1 / 3) return { f: 'read', value: null, key };
    if (r < 2 / 3) return { f: 'write', value: v(), key };
    return { f: 'cas', value: [v(), v()], key };
  });
}

/** After the heal: the threads read the live keys in turn, each until one read answers `ok`. */
export function registerFinalReads(live: readonly number[]): Generator {
  let next = 0;
  return finalReads(() => ({ f: 'read', value: null, key: live[next++ % live.length] }));
}
