/**
 * A DockerRemote on containers the user already runs (a compose cluster): each node is a
 * container name; clients reach it at its address on its (first) Docker network.
 */
import { DockerRemote, type DockerRemoteOptions } from '../control/docker.js';
import { InputError } from '../errors.js';

/** Looks up each container's address; a container Docker does not know is bad input naming it. */
export async function containersRemote(
  containers: readonly string[],
  options: Pick<DockerRemoteOptions, 'timeoutMs' | 'socketPath'> = {},
): Promise<DockerRemote> {
  const { $ } = await import('zx');
  const format = '{{.Name}}\t{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}';
  const addresses: Record<string, string> = {};
  for (const container of containers) {
    const r = await $({
      quiet: true,
      nothrow: true,
    })`docker inspect --type container --format ${format} ${container}`;
    if (r.exitCode !== 0) {
      throw new InputError(`no container named ${container}: ${r.stderr.trim() || 'docker inspect failed'}`, {
        field: '--nodes',
      });
    }
    const address = r.stdout.split('\t')[1]?.trim().split(' ')[0];
    if (address) addresses[container] = address;
  }
  return new DockerRemote({ ...options, nodes: containers, addresses });
}
