import type { Command } from 'commander';
import { type EnsembleStatus, ensembleDown, ensembleStatus, ensembleUp } from '../ensemble/ensemble.js';
import { DEFAULT_ENSEMBLE } from '../ensemble/layout.js';
import { InputError } from '../errors.js';
import {
  type Driver,
  dockerClusterDown,
  dockerClusterStatus,
  dockerClusterUp,
  driverOf,
} from './cluster-docker.js';

/** `faultline cluster up|status|down`: the embedded local ensemble (needs root). */
export function registerCluster(program: Command): void {
  const cluster = program
    .command('cluster')
    .description(
      'a local ensemble: network-namespace nodes with their own sshd, or containers (--driver docker); run as root',
    );

  cluster
    .command('up')
    .description('build the ensemble, or repair a half-built one; waits until every sshd answers')
    .option('--nodes <count>', "number of nodes (default 5, or the existing ensemble's)")
    .option(
      '--name <name>',
      'ensemble name: several coexist (1-8 lower-case letters/digits; default fl, or fldock with --driver docker)',
    )
    .option('--subnet <cidr>', 'address range of its own (default 10.77.0.0/24)')
    .option('--json', 'print the status as JSON')
    .option('--driver <driver>', 'netns (default) or docker: nodes are containers on a Docker network')
    .action(
      async (flags: { nodes?: string; name?: string; subnet?: string; json?: boolean; driver?: Driver }) => {
        if (driverOf(flags.driver) === 'docker') {
          const { nodes, ...rest } = flags;
          await dockerClusterUp({ ...rest, ...(nodes !== undefined && { nodes: count(nodes) }) });
          return;
        }
        const started = Date.now();
        const status = await ensembleUp({
          name: flags.name ?? DEFAULT_ENSEMBLE,
          ...(flags.nodes !== undefined && { nodes: count(flags.nodes) }),
          ...(flags.subnet !== undefined && { subnet: flags.subnet }),
        });
        if (flags.json) print(status);
        else
          process.stdout.write(
            `${describe(status)}ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
          );
      },
    );

  cluster
    .command('status')
    .description("show the ensemble's nodes, addresses and whether their sshd answers")
    .option('--name <name>', 'ensemble name (default fl, or fldock with --driver docker)')
    .option('--json', 'print the status as JSON')
    .option('--driver <driver>', 'netns (default) or docker')
    .action(async (flags: { name?: string; json?: boolean; driver?: Driver }) => {
      if (driverOf(flags.driver) === 'docker') {
        await dockerClusterStatus(flags);
        return;
      }
      const status = await ensembleStatus(flags.name ?? DEFAULT_ENSEMBLE);
      if (flags.json) print(status);
      else process.stdout.write(describe(status));
      if (!status.exists || status.nodes.some((n) => !n.sshReachable)) process.exitCode = 1;
    });

  cluster
    .command('down')
    .description('remove everything `up` made: processes, namespaces, links, firewall rules, state')
    .option('--name <name>', 'ensemble name (default fl, or fldock with --driver docker)')
    .option('--driver <driver>', 'netns (default) or docker: removes containers and network')
    .action(async (flags: { name?: string; driver?: Driver }) => {
      if (driverOf(flags.driver) === 'docker') {
        await dockerClusterDown(flags);
        return;
      }
      const report = await ensembleDown(flags.name ?? DEFAULT_ENSEMBLE);
      process.stdout.write(
        `ensemble ${report.name}: removed ${report.removedNamespaces.length} namespaces, ` +
          `${report.removedLinks.length} links, ${report.removedFirewallRules} firewall rules, ` +
          `killed ${report.killedProcesses} processes\n`,
      );
    });
}

function count(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InputError(`--nodes must be a node count, not ${value}`, { field: '--nodes' });
  return n;
}

function print(status: EnsembleStatus): void {
  process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
}

function describe(s: EnsembleStatus): string {
  if (!s.exists) return `ensemble ${s.name}: not up (faultline cluster up --name ${s.name})\n`;
  const lines = [
    `ensemble ${s.name}: ${s.subnet} on bridge ${s.bridge} (controller ${s.hostAddress}), state in ${s.stateDir}`,
    ...s.nodes.map(
      (n) =>
        `  ${n.name.padEnd(4)} ${n.address.padEnd(15)} ${n.running ? `pid ${n.pid}` : 'down'}` +
        `${n.running && !n.sshReachable ? ' (sshd not answering)' : ''}`,
    ),
    `ssh: ssh -F ${s.sshConfigPath} n1`,
  ];
  return `${lines.join('\n')}\n`;
}
