/** One mutex (the `lock` workload). */
import { clientKind } from '../kind.js';
import type { Done, Session } from '../types.js';

export interface LockClient extends Session {
  /** Takes the lock; `fail` when another holds it (or this client already does). */
  acquire(): Promise<Done>;
  /** Gives it back; `fail` when this client does not hold it. */
  release(): Promise<Done>;
}

export const LOCK_CLIENT = clientKind<LockClient>('lock', 'acquire and release of one lock');
