/**
 * Which nodes a test drives and how to reach them, over SSH or Docker: the `--nodes`/`--ssh-*`/
 * `--transport` flags and a plan's `nodes`/`ssh`/`transport` settings. Without nodes, a local ensemble.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { SshRemote } from '../control/ssh.js';
import type { Remote } from '../control/types.js';
import { InputError } from '../errors.js';
import { containersRemote } from './docker-containers.js';
import { DEFAULT_DOCKER_ENSEMBLE, dockerEnsembleExists, dockerEnsembleRemote } from './docker-ensemble.js';
import { savedLayout } from './ensemble.js';
import { DEFAULT_ENSEMBLE } from './layout.js';
import { localRemote } from './local-remote.js';

/** The node and SSH settings, as strings the way flags give them (commander's camel-cased names). */
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
  /** `ssh` (default) or `docker`: nodes are then container names, or a docker ensemble's nodes. */
  transport?: string;
}

/**
 * The transport the flags ask for: `--transport`, else `docker` when no nodes are given and the
 * named ensemble is a docker one (no namespace ensemble by that name), else `ssh`.
 */
export async function transportOf(flags: NodeFlags): Promise<'ssh' | 'docker'> {
  if (flags.transport !== undefined) {
    if (flags.transport === 'ssh' || flags.transport === 'docker') return flags.transport;
    throw new InputError(`--transport must be ssh or docker, not ${flags.transport}`, {
      field: '--transport',
    });
  }
  if (flags.nodes !== undefined || flags.nodesFile !== undefined) return 'ssh';
  const name = flags.ensemble ?? DEFAULT_ENSEMBLE;
  if (name === DEFAULT_ENSEMBLE || (await savedLayout(name))) return 'ssh';
  return (await dockerEnsembleExists(name)) ? 'docker' : 'ssh';
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
  if ((await transportOf(flags)) === 'docker') {
    const options = timeoutMs === undefined ? {} : { timeoutMs };
    if (nodes) return containersRemote(nodes, options);
    return dockerEnsembleRemote(flags.ensemble ?? DEFAULT_DOCKER_ENSEMBLE, options);
  }
  if (!nodes)
    return localRemote(flags.ensemble ?? DEFAULT_ENSEMBLE, timeoutMs === undefined ? {} : { timeoutMs });
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
