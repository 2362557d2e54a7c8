/**
 * Pairs a workload with a db: the db must offer the kind of client the workload needs (or the
 * workload brings its own, in process). Refused at plan time, naming both.
 */
import { type ClientFactory, clientFor } from '../src/client/kind.js';
import type { Client, Session } from '../src/client/types.js';
import type { Db } from '../src/db/types.js';
import { InputError } from '../src/errors.js';
import type { Workload, WorkloadContext } from './types.js';

/** The client kinds `db` offers, sorted. */
export function offeredKinds(db: Db): string[] {
  return [...db.clients.keys()].sort();
}

/** True when `workload` can run on `db` (undefined: no db). */
export function runsOn(workload: Workload, db: Db | undefined): boolean {
  if (workload.localClient) return true;
  return db !== undefined && clientFor(db, workload.client) !== undefined;
}

/**
 * How to make the workload's client on `db` (undefined: db `none`), or an {@link InputError}
 * on field `db` naming the workload, the db, the client kind and what the db offers.
 */
export function workloadClientFactory<C extends Session>(
  workload: Workload<C>,
  db: Db | undefined,
): ClientFactory<C> {
  if (workload.localClient) return (ctx) => workload.localClient!(ctx);
  if (!db) {
    throw new InputError(
      `workload ${workload.name} has no client for db none: it needs a db that offers a ${workload.client.name} client`,
      { field: 'db' },
    );
  }
  const make = clientFor(db, workload.client);
  if (!make) {
    const offered = offeredKinds(db);
    throw new InputError(
      `workload ${workload.name} has no client for db ${db.name}: it needs a ${workload.client.name} client ` +
        `(${workload.client.description}); ${db.name} offers ${offered.length ? offered.join(', ') : 'none'}`,
      { field: 'db' },
    );
  }
  return make;
}

/**
 * The runner's clients for `workload` on `db`: each a fresh typed client whose ops the workload
 * performs. Throws as {@link workloadClientFactory} when the pair has no client.
 */
export function bindClients<C extends Session>(
  workload: Workload<C>,
  db: Db | undefined,
  ctx: WorkloadContext,
): () => Client {
  const make = workloadClientFactory(workload, db);
  return () => {
    const client = make(ctx);
    return {
      open: (node) => client.open(node),
      invoke: (op, context) => workload.invoke(client, op, context),
      close: () => client.close(),
    };
  };
}
