/** Sequence numbers handed out by creates (the `sequence` workload). */
import { clientKind } from '../kind.js';
import type { Outcome, Session } from '../types.js';

export interface SequenceClient extends Session {
  /**
   * Creates a fresh node and returns the number the db gave it: ZooKeeper's sequential znode
   * suffix, etcd's create revision of a new key under a prefix.
   */
  create(): Promise<Outcome<number>>;
}

export const SEQUENCE_CLIENT = clientKind<SequenceClient>(
  'sequence',
  'create of nodes the db numbers in order (sequential znodes, create revisions)',
);
