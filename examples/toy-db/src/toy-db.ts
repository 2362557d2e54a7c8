/**
 * The db adapter: installs server.py on each node, runs it as a daemon (so faultline can kill,
 * pause and restart it), waits until every node answers /health. The first node is the
 * primary: clients talk to it; the others run standbys.
 */
import { fileURLToPath } from 'node:url';
import {
  awaitAllHealthy,
  DaemonDb,
  type DaemonPaths,
  type DbContext,
  offer,
  offers,
  startDaemon,
} from 'faultline';
import { COUNTER_CLIENT } from './counter-workload.js';
import { HttpCounterClient } from './http-client.js';

const SERVER = fileURLToPath(new URL('../server.py', import.meta.url));

interface ToyOptions {
  clientPort: number;
}

class ToyDb extends DaemonDb<ToyOptions, DaemonPaths> {
  readonly name = 'toy';
  readonly clients = offers(offer(COUNTER_CLIENT, (ctx) => new HttpCounterClient(ctx)));
  protected readonly comm = 'python3';

  options(ctx: DbContext): ToyOptions {
    const port = ctx.options.port ?? 8040;
    if (typeof port !== 'number') throw new Error('dbOptions.port must be a number');
    return { clientPort: port };
  }

  paths(_ctx: DbContext, node: string): DaemonPaths {
    const home = `/tmp/faultline-toy-db/${node.replace(/[^A-Za-z0-9._-]/g, '_')}`;
    return { home, data: `${home}/data`, log: `${home}/server.log`, pidFile: `${home}/server.pid` };
  }

  async install(ctx: DbContext, node: string): Promise<void> {
    const { home, data } = this.paths(ctx, node);
    await ctx.remote.exec(node, ['mkdir', '-p', home, data]);
    await ctx.remote.upload(node, SERVER, `${home}/server.py`);
  }

  async start(ctx: DbContext, node: string): Promise<void> {
    const { home, log } = this.paths(ctx, node);
    await startDaemon(ctx.remote, node, this.ref(ctx, node), {
      argv: ['/usr/bin/python3', `${home}/server.py`, String(this.options(ctx).clientPort)],
      logFile: log,
      cwd: home,
    });
  }

  async awaitHealthy(ctx: DbContext, timeoutMs: number): Promise<void> {
    await awaitAllHealthy(
      this.name,
      ctx.nodes,
      async (node, probeMs) => {
        try {
          const r = await fetch(`http://${this.endpoint(ctx, node)}/health`, {
            signal: AbortSignal.timeout(probeMs),
          });
          return r.ok ? null : `HTTP ${r.status}`;
        } catch (err) {
          return String((err as Error).cause ?? err);
        }
      },
      timeoutMs,
    );
  }

  async primaries(ctx: DbContext): Promise<string[]> {
    return ctx.nodes.slice(0, 1);
  }
}

export const db = new ToyDb();
