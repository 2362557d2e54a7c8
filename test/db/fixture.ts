import type { Remote } from '../../src/control/types.js';
import type { Db, DbContext } from '../../src/db/types.js';
import { ensembleDown, ensembleUp, localRemote } from '../../src/ensemble/index.js';

/**
 * How long a test lets a db take to become healthy or elect a leader: generous, for a loaded
 * CI machine. A test asserts that it happens; how fast is a figure of `npm run bench -- cluster`.
 */
export const SETTLE_MS = 120_000;

/** The db integration tests' own local ensemble, apart from the default `fl` (10.77.0.0/24). */
export const DB_ENSEMBLE = 'fldb';
export const DB_SUBNET = '10.78.0.0/24';

export interface DbCluster {
  remote: Remote;
  ctx: DbContext;
  /** How long `cluster up` took, in ms. */
  upMs: number;
  /** Tears down the db on every node (errors ignored), closes SSH and removes the ensemble. */
  close(): Promise<void>;
}

/** Which local ensemble a db suite brings up: its own name and subnet, apart from other suites'. */
export interface SuiteEnsemble {
  name: string;
  subnet: string;
}

/**
 * Brings up `ensemble` (by default `fldb`) with `nodes` nodes and a context for `db` with
 * `options`. A leftover ensemble of that name (from a run that was killed) is removed first, so
 * every suite starts from scratch.
 */
export async function dbCluster(
  db: Db,
  nodes: number,
  options: Record<string, unknown> = {},
  ensemble: SuiteEnsemble = { name: DB_ENSEMBLE, subnet: DB_SUBNET },
): Promise<DbCluster> {
  await ensembleDown(ensemble.name);
  const started = performance.now();
  await ensembleUp({ name: ensemble.name, nodes, subnet: ensemble.subnet });
  const upMs = performance.now() - started;
  const remote = await localRemote(ensemble.name);
  const ctx: DbContext = { remote, nodes: remote.nodes, options };
  return {
    remote,
    ctx,
    upMs,
    async close() {
      await Promise.allSettled(ctx.nodes.map((node) => db.teardown(ctx, node)));
      await remote.close().catch(() => {});
      await ensembleDown(ensemble.name);
    },
  };
}

/** Closes `cluster`; when it never came up (beforeAll failed half-way), still removes the ensemble. */
export async function closeDbCluster(cluster: DbCluster | undefined): Promise<void> {
  if (cluster) await cluster.close();
  else await ensembleDown(DB_ENSEMBLE);
}

/** True when a process with this pid (in the node's PID namespace) exists and is not a zombie. */
export async function processAlive(remote: Remote, node: string, pid: number): Promise<boolean> {
  const result = await remote.script(
    node,
    `[ -e "/proc/$1" ] || exit 1
[ "$(sed -E 's/^.*\\) (.).*$/\\1/' "/proc/$1/stat")" != Z ]`,
    [String(pid)],
    { allowFailure: true },
  );
  return result.code === 0;
}

/** Names of the node's processes called `comm` (the node has its own PID namespace and /proc). */
export async function processesNamed(remote: Remote, node: string, comm: string): Promise<number[]> {
  const result = await remote.exec(node, ['pgrep', '-x', comm], { allowFailure: true });
  return result.stdout.split('\n').filter(Boolean).map(Number);
}

/** Polls `f` every `intervalMs` until it returns a value that is not undefined, or throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  f: () => Promise<T | undefined>,
  intervalMs = 100,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  while (true) {
    const value = await f();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
