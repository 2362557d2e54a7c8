/**
 * NATS JetStream's options in a plan (`db.options`), where a node keeps its things, and its
 * configuration file. Pure: nothing here talks to a node.
 */
import { z } from 'zod';
import type { Remote } from '../../control/types.js';
import { InputError } from '../../errors.js';
import { lossyDataDirOption } from '../lossyfs/options.js';
import type { DbContext } from '../types.js';

const port = z.number().int().min(1).max(65535);
const positiveInt = z.number().int().positive();

/** A NATS duration (`500ms`, `10s`, `2m`, `1h`). */
const natsDuration = z.string().regex(/^\d+(ms|s|m|h)$/, 'must be a duration such as 10s, 2m or 500ms');

/** NATS' options in a plan; all optional. */
export const natsOptionsSchema = z.strictObject({
  /** Root of the per-node directories on the nodes: `<dir>/<node>/nats/`. */
  dir: z.string().startsWith('/', 'must be an absolute path').optional(),
  /** Install Debian's nats-server over SSH when it is missing (default true). */
  install: z.boolean().default(true),
  /** Put the JetStream store on lossyfs, which can drop what was not fsynced (the power nemesis). */
  lossyDataDir: lossyDataDirOption,
  clientPort: port.default(4222),
  /** Route (cluster) port: servers connect to each other here. */
  clusterPort: port.default(6222),
  /** HTTP monitoring port (`/healthz`, `/jsz`): health and leadership are read from it. */
  monitorPort: port.default(8222),
  /**
   * JetStream's `sync_interval`: how often the file store fsyncs (`always`: on every write).
   * Unset, the server's own default applies (2 min since nats-server 2.10; 2.9 knows no such
   * setting and refuses it).
   */
  syncInterval: z.union([z.literal('always'), natsDuration]).optional(),
  /**
   * Replicas of the streams and KV buckets the clients create (R3, R5, ...); default: the
   * number of nodes, at most 5 (NATS' own limit).
   */
  replicas: positiveInt.max(5).optional(),
  /**
   * What `primaries` reports: `streams` (default) the leaders of the JetStream streams (the
   * meta leader while there are none), `meta` the JetStream meta leader, `all` both.
   */
  primaries: z.enum(['streams', 'meta', 'all']).default('streams'),
  /** A `nats-server` binary on the controller, uploaded to each node instead of Debian's package. */
  binary: z.string().min(1).optional(),
});

export type NatsOptions = z.output<typeof natsOptionsSchema>;

const parsed = new WeakMap<object, NatsOptions>();

/**
 * The plan's options for NATS, checked: an unknown key or a bad value is an {@link InputError}
 * naming the field (`options.<key>`), so that a typo does not fall back to a default.
 */
export function parseNatsOptions(ctx: Pick<DbContext, 'options'>): NatsOptions {
  const options: object = ctx.options ?? {};
  const known = parsed.get(options);
  if (known) return known;
  const result = natsOptionsSchema.safeParse(options);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field =
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((k) => `options.${k}`).join(', ')
        : ['options', ...issue.path.map(String)].join('.');
    throw new InputError(`nats: ${issue.message}`, { field });
  }
  parsed.set(options, result.data);
  return result.data;
}

/** A node name made safe as one path component. */
function nodeDirName(node: string): string {
  return node.replace(/[^A-Za-z0-9._-]/g, '_');
}

/** Where a NATS node keeps its things, on the node. */
export interface NatsPaths {
  home: string;
  /** The JetStream `store_dir`: what `wipe` removes. */
  data: string;
  conf: string;
  log: string;
  pidFile: string;
  /** The server binary the node runs. */
  server: string;
}

/**
 * Where nodes keep NATS unless the `dir` option says otherwise: under /opt/faultline, which the
 * local ensemble makes private to each node (as it does /var/lib/etcd and /var/lib/zookeeper).
 */
export const NATS_DEFAULT_DIR = '/opt/faultline/nats';

export function natsPaths(options: NatsOptions, node: string): NatsPaths {
  const home = `${options.dir ?? NATS_DEFAULT_DIR}/${nodeDirName(node)}/nats`;
  return {
    home,
    data: `${home}/data`,
    conf: `${home}/nats-server.conf`,
    log: `${home}/nats-server.log`,
    pidFile: `${home}/nats-server.pid`,
    server: options.binary ? `${home}/bin/nats-server` : 'nats-server',
  };
}

/** The replication factor of streams and buckets for `nodes` nodes with these options. */
export function natsReplicas(replicas: number | undefined, nodes: number): number {
  return Math.max(1, Math.min(replicas ?? nodes, nodes, 5));
}

/** A string as a NATS config string literal. */
function quoted(s: string): string {
  return JSON.stringify(s);
}

/**
 * The `nats-server.conf` of a node: JetStream on, its store under the node's data dir, and a
 * route to every other node (one cluster, named after nothing node-specific, so all agree).
 * The server name is the node's name: it is what the monitoring endpoints call leaders.
 */
export function natsConf(
  options: NatsOptions,
  nodes: readonly string[],
  node: string,
  remote: Pick<Remote, 'address'>,
): string {
  const paths = natsPaths(options, node);
  const routes = nodes
    .filter((n) => n !== node)
    .map((n) => `    ${quoted(`nats-route://${remote.address(n)}:${options.clusterPort}`)}`);
  const jetstream = [`  store_dir: ${quoted(paths.data)}`];
  if (options.syncInterval !== undefined) jetstream.push(`  sync_interval: ${quoted(options.syncInterval)}`);
  const lines = [
    `server_name: ${quoted(node)}`,
    `host: "0.0.0.0"`,
    `port: ${options.clientPort}`,
    `client_advertise: ${quoted(`${remote.address(node)}:${options.clientPort}`)}`,
    `http_port: ${options.monitorPort}`,
    'logtime: true',
    'jetstream {',
    ...jetstream,
    '}',
    'cluster {',
    '  name: "faultline"',
    `  host: "0.0.0.0"`,
    `  port: ${options.clusterPort}`,
    `  advertise: ${quoted(`${remote.address(node)}:${options.clusterPort}`)}`,
    '  routes: [',
    ...routes,
    '  ]',
    '}',
  ];
  return `${lines.join('\n')}\n`;
}

/** `nats-server: v2.9.10` → `2.9.10`. */
export function parseNatsVersion(text: string): string | null {
  return /v?(\d+\.\d+\.\d+\S*)/.exec(text)?.[1] ?? null;
}

/** True when `version` (e.g. `2.9.10`) knows JetStream's `sync_interval` (2.10 and later). */
export function knowsSyncInterval(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map((p) => Number.parseInt(p, 10));
  return major > 2 || (major === 2 && minor >= 10);
}
