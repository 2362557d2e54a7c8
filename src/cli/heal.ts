/**
 * `faultline heal`: puts a cluster back by hand after a run that could not (a killed
 * controller, a lost laptop): removes faultline's iptables chains and packet qdiscs, runs the
 * heal snippets the dead-man switch left on each node (SIGCONT of paused processes, clock
 * offsets), stops leftover watchdogs, and with `--db` resumes and (re)starts the db.
 */
import type { Command } from 'commander';
import { DEFAULT_DEADMAN_BASE, deadmanDir, healLeftovers } from '../../nemeses/deadman.js';
import { healPacketScript } from '../../nemeses/packet.js';
import { HEAL_PARTITION_SCRIPT } from '../../nemeses/partition.js';
import { DBS } from '../db/index.js';
import { type DbContext, isKillable, isPausable } from '../db/types.js';
import { addNodeOptions, type NodeFlags, remoteFromOptions } from './nodes-options.js';

interface HealFlags extends NodeFlags {
  db?: string;
  deadmanDir: string;
  json?: boolean;
}

/** What `heal` did on one node. */
export interface NodeHealReport {
  node: string;
  network: 'healed' | string;
  leftovers: string;
  db?: 'resumed and started' | string;
}

/** Registers `faultline heal`. */
export function registerHeal(program: Command): void {
  const command = program
    .command('heal')
    .description('undo every faultline fault on the nodes: network rules, packet faults, pauses, watchdogs')
    .option('--db <name>', 'also SIGCONT and (re)start this db on every node (etcd, zookeeper)')
    .option('--deadman-dir <dir>', 'parent folder of the dead-man state on the nodes', DEFAULT_DEADMAN_BASE)
    .option('--json', 'print the report as JSON');
  addNodeOptions(command).action(async (flags: HealFlags) => {
    const db = flags.db === undefined ? undefined : DBS.get(flags.db, { field: '--db' });
    const remote = await remoteFromOptions(flags);
    try {
      const dbContext: DbContext = { remote, nodes: remote.nodes, options: {} };
      const reports = await Promise.all(
        remote.nodes.map(async (node): Promise<NodeHealReport> => {
          const report: NodeHealReport = { node, network: 'healed', leftovers: '' };
          try {
            report.leftovers = await healLeftovers(remote, node, flags.deadmanDir);
            await remote.script(node, HEAL_PARTITION_SCRIPT, []);
            await remote.script(node, healPacketScript(deadmanDir(node, flags.deadmanDir)), []);
          } catch (err) {
            report.network = `failed: ${(err as Error).message}`;
            process.exitCode = 1;
          }
          if (db) {
            try {
              if (isPausable(db)) await db.resume(dbContext, node);
              if (isKillable(db)) await db.start(dbContext, node);
              report.db = `${isPausable(db) ? 'resumed and ' : ''}${isKillable(db) ? 'started' : 'left alone'}`;
            } catch (err) {
              report.db = `failed: ${(err as Error).message}`;
              process.exitCode = 1;
            }
          }
          return report;
        }),
      );
      if (flags.json) process.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
      else {
        for (const r of reports) {
          const extra = [r.leftovers.replace(/\n/g, '; '), r.db].filter(Boolean).join('; ');
          process.stdout.write(`${r.node}: network ${r.network}${extra ? `; ${extra}` : ''}\n`);
        }
      }
    } finally {
      await remote.close();
    }
  });
}
