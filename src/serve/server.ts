/**
 * `faultline serve`: a small results browser on node:http. Routes:
 * - `/` — runs newest first, filters `?test=` and `?verdict=`;
 * - `/api/runs` — the same, as JSON;
 * - `/run/<test>/<timestamp>/report.html` — a run's report (written on first view if missing);
 * - `/run/<test>/<timestamp>/<file>` — its history, results, facts and log;
 * - `/zip/<test>/<timestamp>` — the whole run folder as a zip;
 * - `/compare?run=A&run=B` — two runs side by side.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { REPORT_FILE, writeReport } from '../report/write.js';
import { comparePage, errorPage, listPage } from './pages.js';
import { RunIndex, type RunSummary, SEGMENT } from './runs.js';
import { zipRunFolder } from './zip.js';

/** Options of {@link startServer}. */
export interface ServeOptions {
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1: the browser is for this machine unless asked otherwise. */
  host?: string;
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

/** Starts the results browser on `root` (a results folder). */
export async function startServer(root: string, options: ServeOptions = {}): Promise<RunningServer> {
  const index = new RunIndex(root);
  const server = createServer((req, res) => {
    handle(index, req, res).catch((err) => {
      if (!res.headersSent)
        send(res, 500, 'text/html; charset=utf-8', errorPage(500, (err as Error).message));
      else res.destroy(err as Error);
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    server,
    url: `http://${shown}:${port}/`,
    index,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
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

async function handle(index: RunIndex, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return html(res, errorPage(405, 'only GET'), 405);
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname.split('/').map(safeDecode);
  if (url.pathname === '/' || url.pathname === '/index.html') {
    const all = index.list();
    const filters = {
      test: url.searchParams.get('test') ?? '',
      verdict: url.searchParams.get('verdict') ?? '',
    };
    return html(res, listPage(filter(all, filters), filters, all.length));
  }
  if (url.pathname === '/api/runs') {
    const all = index.list();
    const filters = {
      test: url.searchParams.get('test') ?? '',
      verdict: url.searchParams.get('verdict') ?? '',
    };
    return send(res, 200, 'application/json; charset=utf-8', JSON.stringify(filter(all, filters)));
  }
  if (url.pathname === '/compare') {
    const ids = url.searchParams.getAll('run');
    if (ids.length !== 2) return html(res, errorPage(400, 'select exactly two runs to compare'), 400);
    const [a, b] = ids.map((id) => index.summary(id));
    if (!a || !b) return html(res, errorPage(404, 'no such run'), 404);
    return html(res, comparePage(a, b));
  }
  // /run/<test>/<ts>/<file> and /zip/<test>/<ts>
  if (path[1] === 'run' && path.length >= 4 && path.length <= 5) {
    const id = `${path[2]}/${path[3]}`;
    const dir = index.dirOf(id);
    if (!dir) return html(res, errorPage(404, 'no such run'), 404);
    const file = path[4] || '';
    if (file === '') {
      res.writeHead(302, { location: `${url.pathname.replace(/\/?$/, '/')}${REPORT_FILE}` });
      return void res.end();
    }
    const type = RUN_FILES[file];
    if (!type) return html(res, errorPage(404, 'no such file'), 404);
    const full = join(dir, file);
    if (file === REPORT_FILE && !existsSync(full)) await writeReport(dir);
    if (!existsSync(full)) return html(res, errorPage(404, `this run has no ${file}`), 404);
    res.writeHead(200, {
      'content-type': type,
      'content-length': statSync(full).size,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(full).pipe(res);
    return;
  }
  if (path[1] === 'zip' && path.length === 4) {
    const id = `${path[2]}/${path[3]}`;
    const dir = index.dirOf(id);
    if (!dir) return html(res, errorPage(404, 'no such run'), 404);
    const name = `${path[2]}-${path[3]}`.replace(/[^A-Za-z0-9._-]/g, '-');
    res.writeHead(200, {
      'content-type': 'application/zip',
      'content-disposition': `attachment; filename="${name}.zip"`,
      'cache-control': 'no-store',
    });
    if (req.method === 'HEAD') return void res.end();
    await zipRunFolder(dir, name, res);
    return;
  }
  html(res, errorPage(404, 'not found'), 404);
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
