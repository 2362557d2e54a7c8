/**
 * The options every command that drives nodes shares: which nodes, and how to reach them over
 * SSH. Without `--nodes`/`--nodes-file`, commands use the local ensemble.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { SshRemote } from '../control/ssh.js';
import type { Remote } from '../control/types.js';
import { ensembleStatus, ensembleUp } from '../ensemble/ensemble.js';
import { DEFAULT_ENSEMBLE } from '../ensemble/layout.js';
import { localRemote } from '../ensemble/local-remote.js';
import { InputError } from '../errors.js';

/** The parsed flags (commander's camel-cased names). */
export interface NodeFlags {
  nodes?: string;
  nodesFile?: string;
  username?: string;
  sshPrivateKey?: string;
  sshPort?: string;
  knownHosts?: string;
  acceptNewHostKeys?: boolean;
  /** Local ensemble to use when no nodes are given (default `fl`). */
  ensemble?: string;
  /** Per-call timeout, seconds. */
  sshTimeout?: string;
}

/**
 * Adds the node and SSH flags to `command`. They have no commander defaults, so a flag the user
 * did not give stays undefined and cannot override a plan's value; defaults apply in {@link remoteFromOptions}.
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

/** The node list from `--nodes` or `--nodes-file`, or undefined when neither is given. */
export async function nodesFromOptions(flags: NodeFlags): Promise<string[] | undefined> {
  if (flags.nodes !== undefined && flags.nodesFile !== undefined) {
    throw new InputError('give either --nodes or --nodes-file, not both', { field: '--nodes' });
  }
  if (flags.nodes !== undefined) {
    const nodes = flags.nodes
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean);
    return checkNodes(nodes, { field: '--nodes' });
  }
  if (flags.nodesFile !== undefined) {
    const text = await readFile(flags.nodesFile, 'utf8');
    const nodes: string[] = [];
    text.split('\n').forEach((raw, i) => {
      const line = raw.replace(/#.*/, '').trim();
      if (!line) return;
      if (/\s/.test(line)) {
        throw new InputError(`one node per line, found ${JSON.stringify(line)}`, {
          file: flags.nodesFile,
          line: i + 1,
          column: raw.indexOf(line) + 1,
        });
      }
      nodes.push(line);
    });
    return checkNodes(nodes, { file: flags.nodesFile });
  }
  return undefined;
}

function checkNodes(nodes: string[], where: { field?: string; file?: string }): string[] {
  if (nodes.length === 0) throw new InputError('no nodes given', where);
  const seen = new Set<string>();
  for (const node of nodes) {
    if (!/^[A-Za-z0-9._:[\]-]+$/.test(node))
      throw new InputError(`bad node name ${JSON.stringify(node)}`, where);
    if (seen.has(node)) throw new InputError(`node ${node} is listed twice`, where);
    seen.add(node);
  }
  return nodes;
}

function positiveNumber(value: string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new InputError(`${field} must be a positive number, not ${value}`, { field });
  return n;
}

/** `~/x` → the home folder's `x` (plan files are not expanded by a shell). */
function expandHome(path: string | undefined): string | undefined {
  if (path === '~') return homedir();
  return path?.startsWith('~/') ? join(homedir(), path.slice(2)) : path;
}

/** A Remote for the given flags: SSH to `--nodes`, or the local ensemble when no nodes are given. */
export async function remoteFromOptions(flags: NodeFlags): Promise<Remote> {
  const timeout = positiveNumber(flags.sshTimeout, '--ssh-timeout');
  const timeoutMs = timeout === undefined ? undefined : timeout * 1000;
  const nodes = await nodesFromOptions(flags);
  if (!nodes) return localRemote(flags.ensemble ?? 'fl', timeoutMs === undefined ? {} : { timeoutMs });
  const port = positiveNumber(flags.sshPort, '--ssh-port');
  if (port !== undefined && (!Number.isInteger(port) || port > 65535)) {
    throw new InputError(`--ssh-port must be a port number, not ${flags.sshPort}`, { field: '--ssh-port' });
  }
  const privateKeyPath = expandHome(flags.sshPrivateKey);
  const knownHostsPath = expandHome(flags.knownHosts);
  if (privateKeyPath !== undefined) await readFile(privateKeyPath); // a clear ENOENT now, not per node
  return new SshRemote({
    nodes,
    username: flags.username ?? 'root',
    ...(port !== undefined && { port }),
    ...(privateKeyPath !== undefined && { privateKeyPath }),
    ...(knownHostsPath !== undefined && { knownHostsPath }),
    acceptNewHostKeys: flags.acceptNewHostKeys === true,
    ...(timeoutMs !== undefined && { timeoutMs }),
  });
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
