import { SEQUENCE_CLIENT, type SequenceClient } from '../src/client/kinds/sequence.js';
import { flag, type Options } from '../src/client/options.js';
import type { Completion, Invocation } from '../src/client/types.js';
import { type Generator, gen } from '../src/generator/index.js';
import { type CheckerSpec, unknownOp, type Workload } from './types.js';

/** The value of the one `create` that reports the client's previous number again (`testDuplicateOnce`). */
export const REPORT_PREVIOUS = 'report-previous';

/**
 * Sequential nodes: every thread creates nodes the db numbers (ZooKeeper: persistent
 * sequential znodes; etcd: the create revision of a fresh key under a prefix); `ok` carries
 * the number. The `sequence` checker asks for numbers that are unique and strictly increase in
 * the real-time order of acknowledged creates, and reports gaps (from failed or indefinite
 * creates, or the db's own numbering). Needs a {@link SequenceClient}.
 *
 * Options: `callTimeoutMs`; `testDuplicateOnce` (tests only: one create really creates, then
 * reports the number its client got before, so the run must be invalid).
 */
export const sequence: Workload<SequenceClient> = {
  name: 'sequence',
  description: 'creates of sequential nodes: numbers unique and increasing in real time',
  client: SEQUENCE_CLIENT,
  invoke: (client, op) => (op.f === 'create' ? createOp(client, op.value) : Promise.resolve(unknownOp(op))),
  generator: (ctx) => sequenceGenerator(ctx.options),
  checkers: (): CheckerSpec => ({ sequence: {} }),
};

/** Creates; with `testDuplicateOnce`, the tenth asks its client to report its previous number. */
export function sequenceGenerator(options: Options): Generator {
  let duplicate = flag(options, 'testDuplicateOnce', false);
  let made = 0;
  return gen((): Invocation => {
    if (duplicate && ++made >= 10) {
      duplicate = false;
      return { f: 'create', value: REPORT_PREVIOUS };
    }
    return { f: 'create', value: null };
  });
}

/** The last number each client got, for `testDuplicateOnce`. */
const previous = new WeakMap<SequenceClient, number>();
/** Clients asked to report their previous number once, which they do as soon as they have one. */
const owesDuplicate = new WeakSet<SequenceClient>();

async function createOp(client: SequenceClient, value: unknown): Promise<Completion> {
  if (value === REPORT_PREVIOUS) owesDuplicate.add(client);
  const r = await client.create();
  if (r.type !== 'ok') return r;
  const before = previous.get(client);
  previous.set(client, r.value);
  if (before !== undefined && owesDuplicate.has(client)) {
    owesDuplicate.delete(client);
    return { type: 'ok', value: before };
  }
  return { type: 'ok', value: r.value };
}
