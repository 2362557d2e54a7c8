/**
 * Ephemeral membership (the `ephemeral` workload): a member registers a node that lives only as
 * long as its session (a ZooKeeper ephemeral znode, an etcd key under a lease), proves the
 * session alive with heartbeats, and then leaves, dies or is cut off; observers list the members.
 */
import { clientKind } from '../kind.js';
import type { Done, Outcome, Session } from '../types.js';

/** What a registration made: the member's node, the session (or lease) it lives under, its timeout. */
export interface Membership {
  member: string;
  /** The session id (ZooKeeper) or lease id (etcd), as text. */
  session: string;
  /** The session timeout the server granted (ZooKeeper) or the lease TTL (etcd), in ms. */
  ttlMs: number;
}

/** What an `ok` heartbeat proves: the server renewed the session at some moment during the call. */
export interface Heartbeat {
  member: string;
  /** What the server said is left of the lease, in ms, when it says (etcd). */
  remainingMs?: number;
}

export interface EphemeralClient extends Session {
  /**
   * Opens a fresh session (or lease) and creates `member`'s node under it; `ok` once the node
   * exists. A client holds at most one membership at a time.
   */
  register(member: string): Promise<Outcome<Membership>>;
  /**
   * Proves the session alive: `ok` only when the server renewed it (etcd: a lease keep-alive
   * answered with a TTL; ZooKeeper: a write on the session through the leader). A heartbeat
   * changes no data, so a failed one is `fail`: it proves nothing either way.
   */
  heartbeat(): Promise<Outcome<Heartbeat>>;
  /** Ends the membership cleanly (ZooKeeper: closes the session; etcd: revokes the lease): the node goes at once. */
  leave(): Promise<Done>;
  /** The member's client dies abruptly: its connection is dropped without closing the session or revoking the lease. */
  die(): Promise<Done>;
  /** The member is cut from the ensemble: the connection stays, but nothing it sends arrives any more. */
  cut(): Promise<Done>;
  /** The members whose nodes exist now (a linearizable read where the db allows), sorted. */
  list(): Promise<Outcome<string[]>>;
}

export const EPHEMERAL_CLIENT = clientKind<EphemeralClient>(
  'ephemeral',
  'register a node under a session or lease, heart-beat, leave, die, be cut off; list the members',
);
