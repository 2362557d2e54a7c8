/**
 * The workload of a quorum case: the linearizable register workload, with more writes (70%
 * writes, 15% each reads and cas) so that every side of a fault tries to write within a
 * short hold, and few keys so that reads and writes meet.
 */

import { liveKeys } from '../../workloads/final-reads.js';
import { register, registerFinalReads } from '../../workloads/register.js';
import type { Workload } from '../../workloads/types.js';
import type { RegisterClient } from '../client/kinds/register.js';
import { gen } from '../generator/index.js';

/** Keys in use at once. */
const KEYS = 4;
/** Ops on a key before a fresh one replaces it: keeps each key's history small to check. */
const OPS_PER_KEY = 60;

export const quorumRegister: Workload<RegisterClient> = {
  ...register,
  description: 'write-heavy read/write/cas registers, checked for linearizability',
  generator: (ctx) => {
    const live = liveKeys(ctx);
    const slots = Array.from({ length: KEYS }, (_, i) => ({ key: i, ops: 0 }));
    live.splice(0, live.length, ...slots.map((s) => s.key));
    let nextKey = KEYS;
    return gen((g) => {
      const i = Math.floor(g.random() * slots.length);
      const slot = slots[i]!;
      const key = slot.key;
      if (++slot.ops >= OPS_PER_KEY) {
        slot.key = nextKey++;
        slot.ops = 0;
        live[i] = slot.key;
      }
      const r = g.random();
      const v = (): number => Math.floor(g.random() * 5);
      if (r < 0.7) return { f: 'write', value: v(), key };
      if (r < 0.85) return { f: 'read', value: null, key };
      return { f: 'cas', value: [v(), v()], key };
    });
  },
  final: (ctx) => registerFinalReads(liveKeys(ctx)),
};
