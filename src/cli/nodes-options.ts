/**
 * The command-line flags every command that drives nodes shares: which nodes, and how to reach
 * them over SSH. What they mean (and the Remote they make) lives in src/ensemble/connect.ts.
 */
import type { Command } from 'commander';

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
    .option('--ensemble <name>', 'local ensemble to use without --nodes (default fl)');
}
