/** Leader election (the `election` workload). */
import { clientKind } from '../kind.js';
import type { Done, Outcome, Session } from '../types.js';

/** What a won campaign reports: the leader's term, when the db tells one. */
export interface Leadership {
  term?: number;
}

export interface ElectionClient extends Session {
  /** Campaigns as `candidate`; `ok` once elected, `fail` when not elected in time (and resigned). */
  becomeLeader(candidate: string): Promise<Outcome<Leadership>>;
  /** Resigns; `fail` when not leading. */
  stopLeader(): Promise<Done>;
}

export const ELECTION_CLIENT = clientKind<ElectionClient>('election', 'campaign for and resign leadership');
