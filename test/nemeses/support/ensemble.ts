/** Helpers for the nemesis integration suites: the `flnem` ensemble and measurements inside it. */

import type { NemesisContext } from '../../../nemeses/types.js';
import type { Remote } from '../../../src/control/types.js';
import type { Db, DbContext } from '../../../src/db/types.js';
import { seededRandom } from '../../../src/generator/random.js';

export const ENSEMBLE = 'flnem';
export const SUBNET = '10.79.0.0/24';

/** A Db for suites that exercise only the network: any call is a test bug. */
export const NO_DB: Db = new Proxy({ name: 'none' } as Db, {
  get(target, prop) {
    if (prop === 'name') return target.name;
    if (prop === 'then') return undefined;
    return () => {
      throw new Error(`this suite has no db (called ${String(prop)})`);
    };
  },
});

export function nemesisContext(
  remote: Remote,
  db: Db = NO_DB,
  seed = 1,
  options: Record<string, unknown> = {},
): NemesisContext {
  const dbContext: DbContext = { remote, nodes: remote.nodes, options };
  return { remote, nodes: remote.nodes, db, dbContext, random: seededRandom(seed), log: () => {} };
}

/** Tries a TCP connect from `node` to every other node's sshd (1 s timeout); prints `ADDR ok|no`. */
const REACH_SCRIPT = `for a in "$@"; do
  ( if timeout 1 bash -c "exec 3<>/dev/tcp/$a/22" 2>/dev/null; then echo "$a ok"; else echo "$a no"; fi ) &
done
wait
`;

/**
 * The measured directed reachability: `a->b` for every ordered pair where a TCP connection
 * from a to b's port 22 succeeds. Sorted.
 */
export async function measureReachability(remote: Remote): Promise<string[]> {
  const byAddress = new Map(remote.nodes.map((n) => [remote.address(n), n]));
  const out: string[] = [];
  await Promise.all(
    remote.nodes.map(async (node) => {
      const peers = remote.nodes.filter((n) => n !== node).map((n) => remote.address(n));
      const r = await remote.script(node, REACH_SCRIPT, peers);
      for (const line of r.stdout.trim().split('\n')) {
        const [addr, verdict] = line.split(' ');
        if (verdict === 'ok') out.push(`${node}->${byAddress.get(addr!)}`);
      }
    }),
  );
  return out.sort();
}

/** Every ordered pair: what a healed cluster measures. */
export function allPairs(nodes: readonly string[]): string[] {
  return nodes.flatMap((a) => nodes.filter((b) => b !== a).map((b) => `${a}->${b}`)).sort();
}

/** Lines of `iptables -S` mentioning FAULTLINE, per node. */
export async function faultlineRules(remote: Remote): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  await Promise.all(
    remote.nodes.map(async (node) => {
      const r = await remote.exec(node, ['sh', '-c', 'iptables -w -S | grep FAULTLINE || true']);
      out[node] = r.stdout.split('\n').filter(Boolean);
    }),
  );
  return out;
}
