/** An id generator (the `unique-ids` workload). */
import { clientKind } from '../kind.js';
import type { Outcome, Session } from '../types.js';

export interface UniqueIdsClient extends Session {
  /** A fresh id, never handed out before. */
  generate(): Promise<Outcome<number | string>>;
}

export const UNIQUE_IDS_CLIENT = clientKind<UniqueIdsClient>(
  'unique-ids',
  'generate of ids that must be unique',
);
