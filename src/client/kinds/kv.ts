/** A key/value store for throughput benchmarks (the `ycsb` workload). */
import { clientKind } from '../kind.js';
import type { Done, Outcome, Session } from '../types.js';

export interface KvClient extends Session {
  /** The length of the key's value, or null when absent. */
  read(key: number): Promise<Outcome<number | null>>;
  /** Writes `value` (creating the key when absent). */
  update(key: number, value: string): Promise<Done>;
}

export const KV_CLIENT = clientKind<KvClient>('kv', 'read and update of string values by key');
