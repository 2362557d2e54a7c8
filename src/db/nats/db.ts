import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
// Only symbols of faultline's public API (src/index.ts), imported from the modules that define
// them: this adapter is registered in the public `DBS`, so importing the package root from here
// would be an import cycle. test/db/nats-public-api.test.ts holds it to that.
import { InputError } from '../../errors.js';
import { startDaemon } from '../daemon.js';
import { DaemonDb } from '../daemon-db.js';
import { awaitAllHealthy } from '../health.js';
import type { DbContext } from '../types.js';
import { NATS_CLIENTS } from './clients.js';
import {
  knowsSyncInterval,
  type NatsOptions,
  type NatsPaths,
  natsConf,
  natsPaths,
  parseNatsOptions,
  parseNatsVersion,
} from './config.js';
import { httpGet, type JetStreamView, oneLine, parseHealthz, parseJsz } from './monitor.js';

// Installs nats-server from Debian unless present; a fresh install on a systemd host would
// start the packaged service on our ports, so it is stopped and disabled.
const INSTALL_SCRIPT = `
set -eu
command -v nats-server >/dev/null && exit 0
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q nats-server >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q nats-server >/dev/null; }
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then systemctl disable --now nats-server >/dev/null 2>&1 || true; fi
`;

// Puts an uploaded binary in place unless the same one (by sha256) already is.
const PLACE_BINARY_SCRIPT = `
set -eu
upload=$1 server=$2 sha=$3
mkdir -p -- "$(dirname -- "$server")"
mv -f -- "$upload" "$server"
chmod 0755 -- "$server"
echo "$sha" >"$server.sha256"
`;

const CONFIGURE_SCRIPT = `
set -eu
home=$1 data=$2 conf=$3 text=$4
mkdir -p -- "$home" "$data"
printf '%s' "$text" >"$conf"
`;

/**
 * NATS with JetStream clustered (Raft), one server per node: Debian's nats-server 2.9 by
 * default, or an uploaded binary (`binary`). Everything lives under `<dir>/<node>/nats/`:
 * `nats-server.conf`, `data/` (the JetStream store: streams, KV buckets, the Raft logs),
 * `nats-server.log`, `nats-server.pid`. Health and leadership come from each server's HTTP
 * monitoring port. Streams and buckets are made by the clients, with `replicas` replicas.
 */
export class NatsDb extends DaemonDb<NatsOptions, NatsPaths> {
  readonly name = 'nats';
  /** The fatal level, Go runtime crashes, and corrupt stream data. */
  readonly logPatterns = ['\\[FTL\\]', '^panic: ', '^fatal error: ', '\\[ERR\\].*[Cc]orrupt'];
  protected readonly comm = 'nats-server';
  readonly clients = NATS_CLIENTS;
  private readonly versions = new Map<string, string>();

  options(ctx: DbContext): NatsOptions {
    return parseNatsOptions(ctx);
  }

  paths(ctx: DbContext, node: string): NatsPaths {
    return natsPaths(this.options(ctx), node);
  }

  /** Installs nats-server on the node when missing (apt), or uploads the configured binary. */
  async install(ctx: DbContext, node: string): Promise<void> {
    const options = this.options(ctx);
    const paths = this.paths(ctx, node);
    if (options.binary) {
      const sha = createHash('sha256')
        .update(await readFile(options.binary))
        .digest('hex');
      const have = await ctx.remote.exec(node, ['cat', `${paths.server}.sha256`], { allowFailure: true });
      if (have.code === 0 && have.stdout.trim() === sha) return;
      await ctx.remote.exec(node, ['mkdir', '-p', paths.home]);
      const upload = `${paths.home}/nats-server.upload`;
      await ctx.remote.upload(node, options.binary, upload);
      await this.must(
        ctx,
        node,
        PLACE_BINARY_SCRIPT,
        [upload, paths.server, sha],
        'placing nats-server',
        60_000,
      );
      this.versions.delete(`${ctx.remote.address(node)} ${paths.server}`);
    } else if (options.install) {
      await this.must(ctx, node, INSTALL_SCRIPT, [], 'installing nats-server', 600_000);
    }
  }

  /** Writes the node's configuration and starts the server unless it runs. */
  async start(ctx: DbContext, node: string): Promise<void> {
    const options = this.options(ctx);
    const paths = this.paths(ctx, node);
    if (options.syncInterval !== undefined) {
      const version = await this.version(ctx, node);
      if (!knowsSyncInterval(version)) {
        throw new InputError(
          `nats: sync_interval needs nats-server 2.10 or later; ${node} runs ${version} (set the binary option)`,
          { field: 'options.syncInterval' },
        );
      }
    }
    const conf = natsConf(options, ctx.nodes, node, ctx.remote);
    await this.must(
      ctx,
      node,
      CONFIGURE_SCRIPT,
      [paths.home, paths.data, paths.conf, conf],
      'configuring',
      60_000,
    );
    await startDaemon(ctx.remote, node, this.ref(ctx, node), {
      argv: [paths.server, '-c', paths.conf],
      logFile: paths.log,
      cwd: paths.home,
    });
  }

  /** What the node's monitoring port says about JetStream, or null when it does not answer. */
  async view(ctx: DbContext, node: string, timeoutMs = 1000): Promise<JetStreamView | null> {
    try {
      const { status, body } = await httpGet(`${this.monitorUrl(ctx, node)}/jsz?streams=true`, timeoutMs);
      return status === 200 ? parseJsz(body) : null;
    } catch {
      return null;
    }
  }

  /** Every node's view, all at once. */
  async views(ctx: DbContext, timeoutMs = 1000): Promise<Map<string, JetStreamView | null>> {
    const entries = await Promise.all(
      ctx.nodes.map(async (node) => [node, await this.view(ctx, node, timeoutMs)] as const),
    );
    return new Map(entries);
  }

  /** Every node says it is healthy (`/healthz`, JetStream current) and knows a meta leader. */
  async awaitHealthy(ctx: DbContext, timeoutMs: number): Promise<void> {
    await awaitAllHealthy(this.name, ctx.nodes, (node, budget) => this.probe(ctx, node, budget), timeoutMs);
  }

  private async probe(ctx: DbContext, node: string, budgetMs: number): Promise<string | null> {
    let why: string | null;
    try {
      const { status, body } = await httpGet(`${this.monitorUrl(ctx, node)}/healthz`, budgetMs);
      why = parseHealthz(status, body);
      if (why === null) {
        const view = await this.view(ctx, node, budgetMs);
        if (!view) why = 'no answer to /jsz';
        else if (!view.metaLeader) why = 'no JetStream meta leader yet';
      }
    } catch (e) {
      // fetch hides why in `cause` (ECONNREFUSED, a timeout).
      const cause = e instanceof Error && e.cause instanceof Error ? e.cause : e;
      why = oneLine(cause instanceof Error ? cause.message : String(cause));
    }
    if (why === null) return null;
    const pid = await this.pid(ctx, node).catch(() => undefined);
    if (pid === null) return `nats not running; ${why}`;
    return pid === undefined ? why : `nats-server pid ${pid} runs but is not healthy: ${why}`;
  }

  /**
   * The nodes that believe they lead, each by its own monitoring port: of the streams (the
   * default; the meta leader while no stream exists), of the JetStream meta group, or both.
   */
  async primaries(ctx: DbContext): Promise<string[]> {
    const which = this.options(ctx).primaries;
    const views = await this.views(ctx);
    const anyStreams = [...views.values()].some((v) => v && v.streamLeaders.size > 0);
    const meta = which !== 'streams' || !anyStreams;
    const streams = which !== 'meta';
    return [...views]
      .filter(([node, view]) => {
        if (!view) return false;
        if (meta && view.metaLeader === node) return true;
        return streams && [...view.streamLeaders.values()].includes(node);
      })
      .map(([node]) => node);
  }

  /** The JetStream store's message blocks (streams, KV buckets and the Raft logs all keep `*.blk`). */
  async dataFiles(ctx: DbContext, node: string): Promise<string[]> {
    const result = await ctx.remote.exec(
      node,
      ['find', this.paths(ctx, node).data, '-type', 'f', '-name', '*.blk'],
      { allowFailure: true },
    );
    return result.stdout.split('\n').filter(Boolean).sort();
  }

  /** E.g. `2.9.10`. */
  async version(ctx: DbContext, node: string): Promise<string> {
    const server = this.paths(ctx, node).server;
    const key = `${ctx.remote.address(node)} ${server}`;
    const known = this.versions.get(key);
    if (known) return known;
    const result = await ctx.remote.exec(node, [server, '--version']);
    const version = parseNatsVersion(result.stdout + result.stderr);
    if (!version)
      throw new Error(`${node}: cannot read the nats-server version from: ${result.stdout.trim()}`);
    this.versions.set(key, version);
    return version;
  }

  private monitorUrl(ctx: DbContext, node: string): string {
    return `http://${ctx.remote.address(node)}:${this.options(ctx).monitorPort}`;
  }
}

/** The NATS JetStream adapter. */
export const nats = new NatsDb();
