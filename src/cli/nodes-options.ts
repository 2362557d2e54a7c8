/**
 * The command-line flags every command that drives nodes shares: which nodes, and how to reach
 * them over SSH. What they mean (and the Remote they make) lives in src/ensemble/connect.ts.
 */
import type { Command } from 'commander';
import { type NodeFlags, transportOf } from '../ensemble/connect.js';
import {
  DEFAULT_DOCKER_ENSEMBLE,
  dockerEnsembleStatus,
  dockerEnsembleUp,
} from '../ensemble/docker-ensemble.js';
import { ensembleStatus, ensembleUp } from '../ensemble/ensemble.js';
import { DEFAULT_ENSEMBLE } from '../ensemble/layout.js';
import { InputError } from '../errors.js';

export { type NodeFlags, nodesFromOptions, remoteFromOptions } from '../ensemble/connect.js';

/**
 * Adds the node and SSH flags to `command`. They have no commander defaults, so a flag the user
 * did not give stays undefined and cannot override a plan's value; defaults apply in `remoteFromOptions` (src/ensemble/connect.ts).
 */
export function addNodeOptions(command: Command): Command {
  return command
    .option('--nodes <list>', 'comma-separated node host names or addresses (default: the local ensemble)')
    .option('--nodes-file <file>', 'a file with one node per line (# comments allowed)')
    .option('--username <user>', 'SSH user (default root); any other user runs commands with sudo -n')
    .option(
      '--ssh-private-key <file>',
      'private key file (default: ssh-agent via SSH_AUTH_SOCK, then ~/.ssh/id_*)',
    )
    .option('--ssh-port <port>', 'SSH port (default 22)')
    .option(
      '--known-hosts <file>',
      'known_hosts file to check host keys against (default ~/.ssh/known_hosts)',
    )
    .option(
      '--accept-new-host-keys',
      'record host keys of nodes not yet in known_hosts (changed keys are refused)',
    )
    .option('--ssh-timeout <seconds>', 'timeout of every remote call (default 30)')
    .option('--ensemble <name>', 'local ensemble to use without --nodes (default fl)')
    .option(
      '--transport <transport>',
      'ssh (default) or docker: --nodes are then container names, or --ensemble a docker ensemble',
    );
}

/**
 * Without `--nodes`/`--nodes-file` a test runs on a local ensemble. When that is the default
 * ensemble and it is not up, it is brought up, as `faultline start` does (said on stderr); any
 * other named ensemble must exist (bad input naming the command that makes it).
 */
export async function ensureLocalEnsemble(
  flags: NodeFlags,
  say: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<void> {
  if (flags.nodes !== undefined || flags.nodesFile !== undefined) return;
  if ((await transportOf(flags)) === 'docker') return ensureDockerEnsemble(flags, say);
  const name = flags.ensemble ?? DEFAULT_ENSEMBLE;
  const status = await ensembleStatus(name);
  if (status.exists && status.nodes.length > 0 && status.nodes.every((n) => n.sshReachable)) return;
  if (name !== DEFAULT_ENSEMBLE) {
    throw new InputError(
      `there is no local ensemble ${name} up: run \`faultline cluster up --name ${name}\` first, or pass --nodes`,
      { field: '--ensemble' },
    );
  }
  say(
    `faultline: no --nodes given and the local ensemble ${name} is not up: bringing it up ` +
      '(`faultline cluster down` removes it)',
  );
  await ensembleUp({ name });
}

/** The docker ensemble a test runs on: the default one is brought up when it is not; any other must be up. */
async function ensureDockerEnsemble(flags: NodeFlags, say: (line: string) => void): Promise<void> {
  const name = flags.ensemble ?? DEFAULT_DOCKER_ENSEMBLE;
  const status = await dockerEnsembleStatus(name).catch(() => undefined);
  if (status?.exists && status.nodes.length > 0 && status.nodes.every((n) => n.execReachable)) return;
  if (name !== DEFAULT_DOCKER_ENSEMBLE) {
    throw new InputError(
      `there is no docker ensemble ${name} up: run \`faultline cluster up --driver docker --name ${name}\` first`,
      { field: '--ensemble' },
    );
  }
  say(
    `faultline: no --nodes given and the docker ensemble ${name} is not up: bringing it up ` +
      '(`faultline cluster down --driver docker` removes it)',
  );
  await dockerEnsembleUp({ name, say });
}
