import { nats } from '../../src/db/nats/db.js';
import { type DbCluster, dbCluster } from './fixture.js';

/** The NATS integration suites' own local ensemble, apart from every other suite's. */
export const NATS_ENSEMBLE = 'flnats';
export const NATS_SUBNET = '10.105.0.0/24';

/** Brings up ensemble `flnats` with `nodes` nodes and a context for NATS with `options`. */
export function natsCluster(nodes: number, options: Record<string, unknown> = {}): Promise<DbCluster> {
  return dbCluster(nats, nodes, options, { name: NATS_ENSEMBLE, subnet: NATS_SUBNET });
}
