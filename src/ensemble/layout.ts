/**
 * Names and addresses of a local ensemble: pure functions, so `up`, `down` and `status` agree
 * on what belongs to an ensemble even when its state folder is gone.
 */
import { join } from 'node:path';
import { InputError } from '../errors.js';

/** The ensemble used when no name is given. */
export const DEFAULT_ENSEMBLE = 'fl';
export const DEFAULT_SUBNET = '10.77.0.0/24';
export const DEFAULT_NODE_COUNT = 5;

/** Interface names are limited to 15 bytes: `<name>-br` and `<name>-n<i>` must fit. */
const NAME = /^[a-z][a-z0-9]{0,7}$/;

export interface NodeLayout {
  /** Host name inside the node and the name `Remote` uses: `n1`, `n2`, … */
  name: string;
  /** Network namespace (`ip netns`) name, e.g. `fl-n1`; also the host end of its veth. */
  netns: string;
  hostVeth: string;
  address: string;
  /** Per-node folder in the state directory (host key, sshd config, hosts file, private dirs). */
  dir: string;
}

export interface EnsembleLayout {
  name: string;
  /** CIDR, e.g. `10.77.0.0/24`. */
  subnet: string;
  prefixLength: number;
  bridge: string;
  /** The controller's address on the bridge (the subnet's .1). */
  hostAddress: string;
  stateDir: string;
  nodes: NodeLayout[];
}

/** Where ensembles keep their state: `$FAULTLINE_STATE_DIR` or `/var/lib/faultline/ensembles`. */
export function ensemblesRoot(): string {
  return process.env.FAULTLINE_STATE_DIR ?? '/var/lib/faultline/ensembles';
}

export function validateName(name: string): string {
  if (!NAME.test(name)) {
    throw new InputError(
      `ensemble name ${JSON.stringify(name)} must be 1-8 lower-case letters or digits, starting with a letter`,
      { field: 'name' },
    );
  }
  return name;
}

/** Parses `a.b.c.d/p` into the network address (as a 32-bit number) and the prefix length. */
export function parseSubnet(cidr: string): { network: number; prefixLength: number } {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  const octets = match?.slice(1, 5).map(Number) ?? [];
  const prefixLength = Number(match?.[5]);
  if (!match || octets.some((o) => o > 255) || prefixLength < 8 || prefixLength > 28) {
    throw new InputError(
      `subnet ${JSON.stringify(cidr)} must be an IPv4 CIDR such as 10.77.0.0/24 (prefix 8-28)`,
      {
        field: 'subnet',
      },
    );
  }
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefixLength);
  return { network: address - (address % size), prefixLength };
}

export function formatAddress(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/** The full layout of ensemble `name` with `nodeCount` nodes on `subnet` (node i at .10+i). */
export function ensembleLayout(
  name: string,
  nodeCount: number,
  subnet: string,
  root = ensemblesRoot(),
): EnsembleLayout {
  validateName(name);
  const { network, prefixLength } = parseSubnet(subnet);
  if (!Number.isInteger(nodeCount) || nodeCount < 1 || nodeCount > 99) {
    throw new InputError(`--nodes must be an integer from 1 to 99, not ${nodeCount}`, { field: 'nodes' });
  }
  const size = 2 ** (32 - prefixLength);
  if (10 + nodeCount >= size - 1) {
    throw new InputError(`subnet ${subnet} is too small for ${nodeCount} nodes (they use .11 upwards)`, {
      field: 'subnet',
    });
  }
  const stateDir = join(root, name);
  const nodes = Array.from({ length: nodeCount }, (_, i) => {
    const node = `n${i + 1}`;
    return {
      name: node,
      netns: `${name}-${node}`,
      hostVeth: `${name}-${node}`,
      address: formatAddress(network + 11 + i),
      dir: join(stateDir, 'nodes', node),
    };
  });
  return {
    name,
    subnet: `${formatAddress(network)}/${prefixLength}`,
    prefixLength,
    bridge: `${name}-br`,
    hostAddress: formatAddress(network + 1),
    stateDir,
    nodes,
  };
}

/** True when `ifname` or a namespace name belongs to ensemble `name` (names carry no dash, so `fl-` ≠ `fldb-`). */
export function belongsTo(name: string, ifname: string): boolean {
  return ifname.startsWith(`${name}-`);
}
