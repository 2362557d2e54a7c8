/**
 * Growing a local ensemble for a while and shrinking it back: `faultline quorum` needs sizes
 * above the nodes a user brought up, and leaves the ensemble as it found it. The extra nodes
 * are n<k+1>… on the same bridge and subnet; every node's hosts file and the known_hosts are
 * rewritten to match (the hosts files are rewritten in place, so running nodes see them).
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensembleUp, savedLayout } from './ensemble.js';
import { host, netnsPids } from './host.js';
import { ensembleLayout, ensemblesRoot, type NodeLayout } from './layout.js';

/** The saved configuration `cluster up` writes (see ensemble.ts). */
const CONFIG_FILE = 'ensemble.json';

/** How many nodes ensemble `name` has now (undefined: it does not exist). */
export async function ensembleSize(name: string): Promise<number | undefined> {
  return (await savedLayout(name))?.nodes.length;
}

/** Brings ensemble `name` up to `count` nodes, adding n<current+1>…n<count>; never removes any. */
export async function growEnsemble(name: string, count: number): Promise<void> {
  const layout = await savedLayout(name);
  if (!layout) throw new Error(`there is no local ensemble named ${name}`);
  if (layout.nodes.length >= count) return;
  await saveNodeCount(name, count);
  await ensembleUp({ name });
}

/** Removes the nodes of ensemble `name` beyond the first `count` (their processes, namespaces, links, state). */
export async function shrinkEnsemble(name: string, count: number): Promise<void> {
  const layout = await savedLayout(name);
  if (!layout || layout.nodes.length <= count) return;
  const extra = layout.nodes.slice(count);
  await Promise.all(extra.map(removeNode));
  await saveNodeCount(name, count);
  // Rewrites hosts, known_hosts and ssh_config for the nodes that remain; they keep running.
  await ensembleUp({ name });
  await Promise.all(extra.map((node) => rm(node.dir, { recursive: true, force: true })));
}

async function saveNodeCount(name: string, count: number): Promise<void> {
  const path = join(ensemblesRoot(), name, CONFIG_FILE);
  const config = JSON.parse(await readFile(path, 'utf8')) as { nodes: number; subnet: string };
  ensembleLayout(name, count, config.subnet); // refuses a subnet too small for `count` nodes
  await writeFile(path, `${JSON.stringify({ ...config, nodes: count }, null, 2)}\n`);
}

async function removeNode(node: NodeLayout): Promise<void> {
  for (let attempt = 0; attempt < 250; attempt++) {
    const pids = await netnsPids(node.netns);
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await host(['ip', 'netns', 'delete', node.netns], { allowFailure: true });
  await host(['ip', 'link', 'delete', node.hostVeth], { allowFailure: true });
}
