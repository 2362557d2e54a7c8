import { UNIQUE_IDS_CLIENT, type UniqueIdsClient } from '../src/client/kinds/unique-ids.js';
import type { Invocation } from '../src/client/types.js';
import { type Generator, repeat } from '../src/generator/index.js';
import { type CheckerSpec, unknownOp, type Workload } from './types.js';

/**
 * Unique ids: every process asks for fresh ids; the `unique-ids` checker finds an id handed
 * out twice. Needs a {@link UniqueIdsClient} (NATS: the sequence number a stream assigns to an
 * acknowledged publish; a sequence reused after a lost write is a duplicate).
 */
export const uniqueIds: Workload<UniqueIdsClient> = {
  name: 'unique-ids',
  description: 'generate ids, none handed out twice',
  client: UNIQUE_IDS_CLIENT,
  invoke: (client, op) => (op.f === 'generate' ? client.generate() : Promise.resolve(unknownOp(op))),
  generator: (): Generator => repeat(GENERATE),
  checkers: (): CheckerSpec => ({ 'unique-ids': {} }),
};

const GENERATE: Invocation = { f: 'generate', value: null };
