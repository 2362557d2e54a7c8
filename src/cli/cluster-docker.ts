/** `faultline cluster up|status|down --driver docker`: ensembles of containers (src/ensemble/docker-ensemble.ts). */
import {
  DEFAULT_DOCKER_ENSEMBLE,
  type DockerEnsembleStatus,
  dockerEnsembleDown,
  dockerEnsembleStatus,
  dockerEnsembleUp,
} from '../ensemble/docker-ensemble.js';
import { InputError } from '../errors.js';

export type Driver = 'netns' | 'docker';

/** The `--driver` value, checked: `netns` (the default) or `docker`. */
export function driverOf(value: string | undefined): Driver {
  if (value === undefined || value === 'netns' || value === 'docker') return value ?? 'netns';
  throw new InputError(`--driver must be netns or docker, not ${value}`, { field: '--driver' });
}

export async function dockerClusterUp(flags: {
  name?: string;
  nodes?: number;
  subnet?: string;
  json?: boolean;
}): Promise<void> {
  const started = Date.now();
  const status = await dockerEnsembleUp({
    name: flags.name ?? DEFAULT_DOCKER_ENSEMBLE,
    ...(flags.nodes !== undefined && { nodes: flags.nodes }),
    ...(flags.subnet !== undefined && { subnet: flags.subnet }),
    say: (line) => process.stderr.write(`${line}\n`),
  });
  if (flags.json) print(status);
  else process.stdout.write(`${describe(status)}ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

export async function dockerClusterStatus(flags: { name?: string; json?: boolean }): Promise<void> {
  const status = await dockerEnsembleStatus(flags.name ?? DEFAULT_DOCKER_ENSEMBLE);
  if (flags.json) print(status);
  else process.stdout.write(describe(status));
  if (!status.exists || status.nodes.some((n) => !n.execReachable)) process.exitCode = 1;
}

export async function dockerClusterDown(flags: { name?: string }): Promise<void> {
  const report = await dockerEnsembleDown(flags.name ?? DEFAULT_DOCKER_ENSEMBLE);
  process.stdout.write(
    `docker ensemble ${report.name}: removed ${report.removedContainers.length} containers, ` +
      `${report.removedNetworks.length} networks (and their firewall rules)\n`,
  );
}

function print(status: DockerEnsembleStatus): void {
  process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
}

function describe(s: DockerEnsembleStatus): string {
  if (!s.exists)
    return `docker ensemble ${s.name}: not up (faultline cluster up --driver docker --name ${s.name})\n`;
  const lines = [
    `docker ensemble ${s.name}: ${s.subnet} on network ${s.network} (bridge ${s.bridge}), image ${s.image}`,
    ...s.nodes.map(
      (n) =>
        `  ${n.name.padEnd(4)} ${n.address.padEnd(15)} ${n.state.padEnd(8)} ${n.container}` +
        `${n.state === 'running' && !n.execReachable ? ' (docker exec fails)' : ''}`,
    ),
    `shell: docker exec -it ${s.nodes[0]?.container ?? `faultline-${s.name}-n1`} bash`,
    `test:  faultline test --ensemble ${s.name} …`,
  ];
  return `${lines.join('\n')}\n`;
}
