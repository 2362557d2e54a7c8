import { nats } from '../../src/db/nats/db.js';
import type { DbContext } from '../../src/db/types.js';
import { ensembleDown, ensembleUp, localRemote } from '../../src/ensemble/index.js';
import type { DbCluster } from './fixture.js';

/** The NATS integration suites' own local ensemble, apart from every other suite's. */
export const NATS_ENSEMBLE = 'flnats';
export const NATS_SUBNET = '10.105.0.0/24';

/**
 * Brings up ensemble `flnats` with `nodes` nodes and a context for NATS with `options`; a
 * leftover `flnats` (from a run that was killed) is removed first.
 */
export async function natsCluster(nodes: number, options: Record<string, unknown> = {}): Promise<DbCluster> {
  await ensembleDown(NATS_ENSEMBLE);
  const started = performance.now();
  await ensembleUp({ name: NATS_ENSEMBLE, nodes, subnet: NATS_SUBNET });
  const upMs = performance.now() - started;
  const remote = await localRemote(NATS_ENSEMBLE);
  const ctx: DbContext = { remote, nodes: remote.nodes, options };
  return {
    remote,
    ctx,
    upMs,
    async close() {
      await Promise.allSettled(ctx.nodes.map((node) => nats.teardown(ctx, node)));
      await remote.close().catch(() => {});
      await ensembleDown(NATS_ENSEMBLE);
    },
  };
}
