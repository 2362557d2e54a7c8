/**
 * Client kinds: how a workload names the client interface it needs, and how a db adapter
 * offers an implementation of it. The kind is a typed token, so `offer(REGISTER_CLIENT, …)`
 * only accepts a factory of `RegisterClient`s and `clientFor(db, REGISTER_CLIENT)` returns one.
 */
import type { Session } from './types.js';

/** What a client is told when it is made: one is made per process, and again after each crash. */
export interface ClientContext {
  /** The plan's `workloadOptions` (keys, value sizes, timeouts, serializable reads, ...). */
  options: Readonly<Record<string, unknown>>;
  /** The plan's `dbOptions`, for clients that depend on how the db is set up (ports, replicas). */
  dbOptions: Readonly<Record<string, unknown>>;
  /** Client threads of the test. */
  concurrency: number;
  /** The nodes of the test, in order. */
  nodes: readonly string[];
  /** The client address of a node, from the db adapter (e.g. `10.77.0.11:2379`). */
  endpoint(node: string): string;
}

/** Makes a fresh client of some kind. */
export type ClientFactory<C extends Session> = (ctx: ClientContext) => C;

/**
 * A named client interface, e.g. `register` for {@link RegisterClient}. Make one with
 * {@link clientKind}; `C` is carried in the type only.
 */
export interface ClientKind<C extends Session> {
  readonly name: string;
  /** One line: the calls it has. */
  readonly description: string;
  /** Never set: it carries `C` in the type. */
  readonly _client?: C;
}

/** A new client kind. Its name must be unique among the kinds a db offers. */
export function clientKind<C extends Session>(name: string, description: string): ClientKind<C> {
  return Object.freeze({ name, description });
}

/** One client a db offers: a kind and how to make it. Build with {@link offer}. */
export interface ClientOffer {
  readonly kind: string;
  readonly make: ClientFactory<Session>;
}

/** The clients a db adapter offers, by kind name. Build with {@link offers}. */
export type ClientOffers = ReadonlyMap<string, ClientFactory<Session>>;

/** An offer of `kind`'s clients, made by `make`. */
export function offer<C extends Session>(kind: ClientKind<C>, make: ClientFactory<C>): ClientOffer {
  return { kind: kind.name, make };
}

/** The offers of an adapter; a kind offered twice is a programming error. */
export function offers(...list: readonly ClientOffer[]): ClientOffers {
  const map = new Map<string, ClientFactory<Session>>();
  for (const o of list) {
    if (map.has(o.kind)) throw new Error(`client kind ${o.kind} offered twice`);
    map.set(o.kind, o.make);
  }
  return map;
}

/** No clients at all (an adapter used only with in-process workloads). */
export const NO_CLIENTS: ClientOffers = new Map();

/** The factory `db` offers for `kind`, or undefined when it offers none. */
export function clientFor<C extends Session>(
  db: { readonly clients: ClientOffers },
  kind: ClientKind<C>,
): ClientFactory<C> | undefined {
  // offer() only pairs a kind with a factory of its own client type.
  return db.clients.get(kind.name) as ClientFactory<C> | undefined;
}
