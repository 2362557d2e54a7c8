import { SshRemote, type SshRemoteOptions } from '../control/ssh.js';
import { savedLayout, statePaths } from './ensemble.js';
import { DEFAULT_ENSEMBLE } from './layout.js';

/**
 * A `Remote` on the local ensemble `name` (default `fl`): nodes `n1…nN`, reached as root over
 * SSH at their bridge addresses, host keys checked against the ensemble's known_hosts.
 */
export async function localRemote(
  name: string = DEFAULT_ENSEMBLE,
  options: Pick<SshRemoteOptions, 'timeoutMs' | 'connectTimeoutMs' | 'connectAttempts'> = {},
): Promise<SshRemote> {
  const layout = await savedLayout(name);
  if (!layout) {
    throw new Error(
      `there is no local ensemble named ${name}: run \`faultline cluster up --name ${name}\` first, or pass --nodes`,
    );
  }
  const { privateKeyPath, knownHostsPath } = statePaths(layout);
  return new SshRemote({
    ...options,
    nodes: layout.nodes.map((n) => n.name),
    addresses: Object.fromEntries(layout.nodes.map((n) => [n.name, n.address])),
    username: 'root',
    privateKeyPath,
    knownHostsPath,
    // Only this ensemble's key: an agent's keys would be offered first and waste round trips.
    agent: '',
  });
}
