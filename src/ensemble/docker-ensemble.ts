/**
 * Ensembles of containers (`faultline cluster up --driver docker`): nodes `n1…nN` are containers
 * of the locally built Debian 12 image on a Docker network of their own, with NET_ADMIN for
 * iptables and packet faults. Docker's labels are the only state, so `up`, `status` and `down`
 * agree on what belongs to an ensemble; several coexist by name. Host-side work goes through zx.
 */
import { DockerRemote, type DockerRemoteOptions } from '../control/docker.js';
import { InputError } from '../errors.js';
import { ensureDockerd, requireDockerd } from './docker-daemon.js';
import { ensureNodeImage } from './docker-image.js';
import { formatAddress, parseSubnet, validateName } from './layout.js';

export const DEFAULT_DOCKER_ENSEMBLE = 'fldock';
export const DEFAULT_DOCKER_SUBNET = '10.117.0.0/24';
const DEFAULT_NODE_COUNT = 5;
/** Label on every container and network an ensemble owns. */
const LABEL = 'faultline.ensemble';

export interface DockerEnsembleOptions {
  name?: string;
  /** Node count (default 5, or the existing ensemble's). */
  nodes?: number;
  /** The network's range (default 10.117.0.0/24, or the existing network's); node i is at .10+i. */
  subnet?: string;
  say?: (line: string) => void;
}

export interface DockerNodeStatus {
  name: string;
  container: string;
  address: string;
  /** Docker's state: running, paused, exited, created, … */
  state: string;
  /** A `docker exec` of `true` succeeded. */
  execReachable: boolean;
}

export interface DockerEnsembleStatus {
  name: string;
  exists: boolean;
  driver: 'docker';
  network: string;
  bridge: string;
  subnet: string;
  image: string;
  nodes: DockerNodeStatus[];
}

export interface DockerEnsembleDownReport {
  name: string;
  removedContainers: string[];
  removedNetworks: string[];
}

/** Names of an ensemble's Docker objects. The bridge name fits Linux's 15 bytes (names are ≤ 8). */
export function dockerNames(name: string): {
  network: string;
  bridge: string;
  container: (node: string) => string;
} {
  validateName(name);
  return {
    network: `faultline-${name}`,
    bridge: `fld-${name}`,
    container: (node) => `faultline-${name}-${node}`,
  };
}

interface ContainerRow {
  container: string;
  node: string;
  state: string;
  address: string;
}

async function zx() {
  const { $ } = await import('zx');
  return { run: $({ quiet: true }), probe: $({ quiet: true, nothrow: true }) };
}

/** The ensemble's containers as Docker lists them, in node order. */
async function containersOf(name: string): Promise<ContainerRow[]> {
  const { run } = await zx();
  const ids = (await run`docker ps -a -q --filter ${`label=${LABEL}=${name}`}`).stdout
    .split('\n')
    .filter(Boolean);
  if (ids.length === 0) return [];
  const format =
    '{{.Name}}\t{{index .Config.Labels "faultline.node"}}\t{{.State.Status}}\t{{.State.Paused}}\t{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}';
  const lines = (await run`docker inspect --format ${format} ${ids}`).stdout.split('\n').filter(Boolean);
  return lines
    .map((line) => {
      const [container = '', node = '', status = '', paused = '', address = ''] = line.split('\t');
      return {
        container: container.replace(/^\//, ''),
        node,
        state: paused === 'true' ? 'paused' : status,
        address,
      };
    })
    .sort((a, b) => Number(a.node.slice(1)) - Number(b.node.slice(1)));
}

/** The ensemble's network subnet, or undefined when it has no network. */
async function networkSubnet(name: string): Promise<string | undefined> {
  const { probe } = await zx();
  const r =
    await probe`docker network inspect --format ${'{{range .IPAM.Config}}{{.Subnet}}{{end}}'} ${dockerNames(name).network}`;
  return r.exitCode === 0 ? r.stdout.trim() : undefined;
}

/** Builds the ensemble, or repairs it (restarts stopped nodes, resumes paused ones); waits until every node runs commands. */
export async function dockerEnsembleUp(options: DockerEnsembleOptions = {}): Promise<DockerEnsembleStatus> {
  const name = validateName(options.name ?? DEFAULT_DOCKER_ENSEMBLE);
  const names = dockerNames(name);
  await ensureDockerd();
  const image = await ensureNodeImage(options.say ? { say: options.say } : {});
  const { run } = await zx();
  const existing = await containersOf(name);
  let subnet = await networkSubnet(name);
  if (options.subnet !== undefined && subnet !== undefined && parseCidr(options.subnet) !== subnet) {
    throw new InputError(
      `docker ensemble ${name} already runs on ${subnet}, not ${options.subnet}: \`faultline cluster down --driver docker --name ${name}\` first`,
      { field: '--subnet' },
    );
  }
  if (subnet === undefined) {
    subnet = parseCidr(options.subnet ?? DEFAULT_DOCKER_SUBNET);
    await run`docker network create --driver bridge --subnet ${subnet} --gateway ${hostAddress(subnet)} --label ${`${LABEL}=${name}`} -o ${`com.docker.network.bridge.name=${names.bridge}`} ${names.network}`;
  }
  const count = options.nodes ?? (existing.length || DEFAULT_NODE_COUNT);
  if (!Number.isInteger(count) || count < 1 || count > 99) {
    throw new InputError(`--nodes must be an integer from 1 to 99, not ${count}`, { field: '--nodes' });
  }
  const { network } = parseSubnet(subnet);
  for (let i = 1; i <= count; i++) {
    const node = `n${i}`;
    const row = existing.find((r) => r.node === node);
    if (row?.state === 'paused') await run`docker unpause ${row.container}`;
    else if (row && row.state !== 'running') await run`docker start ${row.container}`;
    else if (!row) {
      await run`docker run -d --init --name ${names.container(node)} --hostname ${node} --network ${names.network} --ip ${formatAddress(network + 10 + i)} --network-alias ${node} --cap-add NET_ADMIN --label ${`${LABEL}=${name}`} --label ${`faultline.node=${node}`} ${image} sleep infinity`;
    }
  }
  const status = await dockerEnsembleStatus(name);
  const broken = status.nodes.filter((n) => !n.execReachable);
  if (broken.length > 0) {
    throw new Error(
      `docker ensemble ${name}: ${broken.map((n) => `${n.name} (${n.state})`).join(', ')} do not run commands`,
    );
  }
  return status;
}

/** What Docker says about the ensemble, and whether each node runs a command. */
export async function dockerEnsembleStatus(
  name: string = DEFAULT_DOCKER_ENSEMBLE,
): Promise<DockerEnsembleStatus> {
  const names = dockerNames(name);
  await requireDockerd();
  const rows = await containersOf(name);
  const subnet = await networkSubnet(name);
  const { probe } = await zx();
  const image = rows[0]
    ? (await probe`docker inspect --format {{.Config.Image}} ${rows[0].container}`).stdout.trim()
    : '';
  const nodes = await Promise.all(
    rows.map(async (row) => ({
      name: row.node,
      container: row.container,
      address: row.address,
      state: row.state,
      execReachable:
        row.state === 'running' && (await probe`docker exec ${row.container} true`).exitCode === 0,
    })),
  );
  return {
    name,
    exists: subnet !== undefined || rows.length > 0,
    driver: 'docker',
    network: names.network,
    bridge: names.bridge,
    subnet: subnet ?? '',
    image,
    nodes,
  };
}

/** Removes the ensemble's containers and network (Docker removes the network's firewall rules with it). */
export async function dockerEnsembleDown(
  name: string = DEFAULT_DOCKER_ENSEMBLE,
): Promise<DockerEnsembleDownReport> {
  const names = dockerNames(name);
  await requireDockerd();
  const { run, probe } = await zx();
  const rows = await containersOf(name);
  if (rows.length > 0) await run`docker rm -f -v ${rows.map((r) => r.container)}`;
  const networks = (await run`docker network ls -q --filter ${`label=${LABEL}=${name}`}`).stdout
    .split('\n')
    .filter(Boolean);
  const removedNetworks: string[] = [];
  if (networks.length > 0) {
    await run`docker network rm ${networks}`;
    removedNetworks.push(names.network);
  } else if ((await probe`docker network rm ${names.network}`).exitCode === 0) {
    removedNetworks.push(names.network);
  }
  return { name, removedContainers: rows.map((r) => r.container), removedNetworks };
}

/** A DockerRemote on the ensemble: nodes `n1…nN`, reached through their containers, served at their addresses. */
export async function dockerEnsembleRemote(
  name: string = DEFAULT_DOCKER_ENSEMBLE,
  options: Pick<DockerRemoteOptions, 'timeoutMs'> = {},
): Promise<DockerRemote> {
  const rows = await containersOf(name);
  if (rows.length === 0) {
    throw new Error(
      `there is no docker ensemble named ${name}: run \`faultline cluster up --driver docker --name ${name}\` first`,
    );
  }
  return new DockerRemote({
    ...options,
    nodes: rows.map((r) => r.node),
    containers: Object.fromEntries(rows.map((r) => [r.node, r.container])),
    addresses: Object.fromEntries(rows.map((r) => [r.node, r.address || r.node])),
  });
}

/** True when Docker knows an ensemble by this name (false as well when no daemon answers). */
export async function dockerEnsembleExists(name: string): Promise<boolean> {
  try {
    return (await containersOf(name)).length > 0;
  } catch {
    return false;
  }
}

function parseCidr(cidr: string): string {
  const { network, prefixLength } = parseSubnet(cidr);
  return `${formatAddress(network)}/${prefixLength}`;
}

function hostAddress(subnet: string): string {
  return formatAddress(parseSubnet(subnet).network + 1);
}
