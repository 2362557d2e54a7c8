/**
 * `faultline serve`: a small results browser on node:http. Routes:
 * - `/` — runs newest first, filters `?test=` and `?verdict=`;
 * - `/api/runs` — the same, as JSON;
 * - `/run/<test>/<timestamp>/report.html` — a run's report (rendered in memory if missing);
 * - `/run/<test>/<timestamp>/<file>` — its history, results, facts and log;
 * - `/zip/<test>/<timestamp>` — the whole run folder as a zip;
 * - `/compare?run=A&run=B` — two runs side by side.
 *
 * It runs as root next to the results, so: it only reads (a GET never writes); it serves
 * only regular files whose real path is inside the results folder ({@link InsideRoot});
 * it answers only the Host names of where it is bound ({@link hostAllowed}); and no request
 * can block it or bring it down (all reads asynchronous, every stream's errors handled).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { InputError } from '../errors.js';
import { REPORT_FILE, renderRunReport } from '../report/write.js';
import { hostAllowed, isBindableAddress } from './host-check.js';
import type { InsideRoot } from './inside-root.js';
import { comparePage, errorPage, listPage } from './pages.js';
import { RunIndex, type RunSummary, SEGMENT } from './runs.js';
import { zipRunFolder } from './zip.js';

/** Options of {@link startServer}. */
export interface ServeOptions {
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /**
   * Default 127.0.0.1: the browser is for this machine unless asked otherwise. An IP
   * address or `localhost`; anything beyond loopback is the caller's explicit choice.
   */
  host?: string;
  /** More Host header names to answer (say, a DNS name when bound beyond loopback). */
  allowedHosts?: readonly string[];
}

/** A running results browser. */
export interface RunningServer {
  server: Server;
  url: string;
  index: RunIndex;
  close(): Promise<void>;
}

/** Files of a run folder the browser serves, with their content types. */
const RUN_FILES: Record<string, string> = {
  'report.html': 'text/html; charset=utf-8',
  'results.json': 'application/json; charset=utf-8',
  'test.json': 'application/json; charset=utf-8',
  'history.jsonl': 'application/x-ndjson; charset=utf-8',
  'history.edn': 'application/edn; charset=utf-8',
  'faultline.log': 'text/plain; charset=utf-8',
};

/**
 * Starts the results browser on `root` (a results folder). A bad address, a port in use or
 * one this user may not bind is an {@link InputError}.
 */
export async function startServer(root: string, options: ServeOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8080;
  if (!isBindableAddress(host)) {
    throw new InputError(`expected an IP address or localhost, got ${JSON.stringify(host)}`, {
      field: '--host',
    });
  }
  const context: Context = {
    index: new RunIndex(root),
    allowed: hostAllowed(host, options.allowedHosts),
    rendering: new Map(),
  };
  const server = createServer((req, res) => {
    // A client that goes away mid-request or mid-answer must not become an unhandled error.
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    handle(context, req, res).catch((err: unknown) => {
      if (!res.headersSent) html(res, errorPage(500, (err as Error).message), 500);
      else res.destroy();
    });
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(listenError(err, host, port)));
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shown = address.address.includes(':') ? `[${address.address}]` : address.address;
  return {
    server,
    url: `http://${shown}:${address.port}/`,
    index: context.index,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Why listening failed, as bad input where the user's flags are the cause. */
function listenError(err: NodeJS.ErrnoException, host: string, port: number): Error {
  switch (err.code) {
    case 'EADDRINUSE':
      return new InputError(`port ${port} on ${host} is already in use`, { field: '--port' });
    case 'EACCES':
      return new InputError(`not allowed to listen on port ${port}`, { field: '--port' });
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new InputError(`${host} is not an address of this machine`, { field: '--host' });
    default:
      return err;
  }
}

interface Context {
  index: RunIndex;
  allowed: (host: string | undefined) => boolean;
  /** Reports being rendered, by run folder: concurrent requests share one rendering. */
  rendering: Map<string, Promise<string>>;
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(body);
}

function html(res: ServerResponse, body: string, status = 200): void {
  send(res, status, 'text/html; charset=utf-8', body);
}

async function handle(context: Context, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { index } = context;
  if (!context.allowed(req.headers.host)) {
    return html(res, errorPage(421, 'unexpected Host header; open this page as localhost or 127.0.0.1'), 421);
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return html(res, errorPage(405, 'only GET'), 405);
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname.split('/').map(safeDecode);
  const filters = {
    test: url.searchParams.get('test') ?? '',
    verdict: url.searchParams.get('verdict') ?? '',
  };
  if (url.pathname === '/' || url.pathname === '/index.html') {
    const all = await index.list();
    return html(res, listPage(filter(all, filters), filters, all.length));
  }
  if (url.pathname === '/api/runs') {
    const all = await index.list();
    return send(res, 200, 'application/json; charset=utf-8', JSON.stringify(filter(all, filters)));
  }
  if (url.pathname === '/compare') {
    const ids = url.searchParams.getAll('run');
    if (ids.length !== 2) return html(res, errorPage(400, 'select exactly two runs to compare'), 400);
    const [a, b] = await Promise.all(ids.map((id) => index.summary(id)));
    if (!a || !b) return html(res, errorPage(404, 'no such run'), 404);
    return html(res, comparePage(a, b));
  }
  // /run/<test>/<ts>/<file> and /zip/<test>/<ts>
  if (path[1] === 'run' && path.length >= 4 && path.length <= 5) {
    const inside = await index.inside();
    const dir = inside && (await index.dirOf(`${path[2]}/${path[3]}`, inside));
    if (!inside || !dir) return html(res, errorPage(404, 'no such run'), 404);
    const file = path[4] || '';
    if (file === '') {
      res.writeHead(302, { location: `${url.pathname.replace(/\/?$/, '/')}${REPORT_FILE}` });
      return void res.end();
    }
    const type = RUN_FILES[file];
    if (!type) return html(res, errorPage(404, 'no such file'), 404);
    return serveFile(context, inside, req, res, dir, file, type);
  }
  if (path[1] === 'zip' && path.length === 4) {
    const inside = await index.inside();
    const dir = inside && (await index.dirOf(`${path[2]}/${path[3]}`, inside));
    if (!inside || !dir) return html(res, errorPage(404, 'no such run'), 404);
    const name = `${path[2]}-${path[3]}`.replace(/[^A-Za-z0-9._-]/g, '-');
    res.writeHead(200, {
      'content-type': 'application/zip',
      'content-disposition': `attachment; filename="${name}.zip"`,
      'cache-control': 'no-store',
    });
    if (req.method === 'HEAD') return void res.end();
    await zipRunFolder(inside, dir, name, res).catch(() => res.destroy());
    return;
  }
  html(res, errorPage(404, 'not found'), 404);
}

/** One file of a run folder: a regular file inside the results folder, else 404. */
async function serveFile(
  context: Context,
  inside: InsideRoot,
  req: IncomingMessage,
  res: ServerResponse,
  dir: string,
  name: string,
  type: string,
): Promise<void> {
  const file = await inside.openRegular(join(dir, name));
  if (!file) {
    if (name === REPORT_FILE) return serveRenderedReport(context, res, dir);
    return html(res, errorPage(404, `this run has no ${name}`), 404);
  }
  const size = file.stats.size;
  res.writeHead(200, {
    'content-type': type,
    'content-length': size,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  if (req.method === 'HEAD' || size === 0) {
    await file.handle.close().catch(() => undefined);
    return void res.end();
  }
  // Up to the size announced: a file still growing (a live run's history) is cut there.
  const stream = file.handle.createReadStream({ start: 0, end: size - 1 });
  await pipeline(stream, res).catch(() => res.destroy());
}

/**
 * A run without report.html: the report rendered in memory (nothing is written). A run
 * that has no readable history gets a 404 naming why.
 */
async function serveRenderedReport(context: Context, res: ServerResponse, dir: string): Promise<void> {
  let pending = context.rendering.get(dir);
  if (!pending) {
    pending = renderRunReport(dir).finally(() => context.rendering.delete(dir));
    context.rendering.set(dir, pending);
  }
  try {
    html(res, await pending);
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    html(res, errorPage(404, `no report for this run: ${err.message}`), 404);
  }
}

function safeDecode(s: string): string {
  try {
    const d = decodeURIComponent(s);
    return d === '' || SEGMENT.test(d) ? d : '\u0000';
  } catch {
    return '\u0000';
  }
}

function filter(runs: readonly RunSummary[], f: { test: string; verdict: string }): RunSummary[] {
  const word = (v: RunSummary['verdict']): string =>
    v === true ? 'valid' : v === false ? 'invalid' : 'unknown';
  const needle = f.test.toLowerCase();
  return runs.filter(
    (r) =>
      (!needle || r.test.toLowerCase().includes(needle) || r.id.toLowerCase().includes(needle)) &&
      (!f.verdict || word(r.verdict) === f.verdict),
  );
}
