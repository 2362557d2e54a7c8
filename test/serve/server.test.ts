/**
 * `faultline serve` as an attacker meets it: a real server on 127.0.0.1 (ephemeral port)
 * over a results folder with symlinks out, FIFOs, a directory where a file should be and
 * malformed results.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../src/serve/index.js';
import { get, makeRun } from './fixtures.js';

const SECRET = 'root:SECRET-HASH-4f1c:19000:0:99999:7:::';
const root = mkdtempSync(join(tmpdir(), 'faultline-serve-root-'));
const outside = mkdtempSync(join(tmpdir(), 'faultline-serve-outside-'));
let server: RunningServer;
let fifoWriter: ChildProcess | undefined;

const fifos: string[] = [];
function fifo(path: string): void {
  execFileSync('mkfifo', [path]);
  fifos.push(path);
}

beforeAll(async () => {
  writeFileSync(join(outside, 'shadow'), `${SECRET}\n`);
  writeFileSync(join(outside, 'victim.html'), 'untouched');
  // A good run whose faultline.log is a symlink to the secret.
  const good = makeRun(root, 't', '20261127T010000.000Z');
  symlinkSync(join(outside, 'shadow'), join(good, 'faultline.log'));
  symlinkSync(good, join(root, 't', 'latest'));
  // A run folder symlinked out of the results folder.
  makeRun(outside, 'x', 'run');
  writeFileSync(join(outside, 'x', 'run', 'report.html'), SECRET);
  symlinkSync(join(outside, 'x', 'run'), join(root, 't', '20261127T020000.000Z'));
  // A test folder symlinked out.
  symlinkSync(join(outside, 'x'), join(root, 'evil'));
  // A run whose results.json is a symlink to a JSON file outside.
  const linked = makeRun(root, 'linked', '20261127T030000.000Z');
  writeFileSync(join(outside, 'results.json'), JSON.stringify({ valid: true, secret: SECRET }));
  rmSync(join(linked, 'results.json'));
  symlinkSync(join(outside, 'results.json'), join(linked, 'results.json'));
  // A run without report.html whose temp name is a symlink planted at a file outside.
  const noReport = makeRun(root, 'noreport', '20261127T040000.000Z');
  symlinkSync(join(outside, 'victim.html'), join(noReport, 'report.html.tmp'));
  // A directory named faultline.log; FIFOs as history.jsonl and results.json.
  const odd = makeRun(root, 'odd', '20261127T050000.000Z');
  mkdirSync(join(odd, 'faultline.log'));
  rmSync(join(odd, 'history.jsonl'));
  fifo(join(odd, 'history.jsonl'));
  const fifoResults = makeRun(root, 'fiforesults', '20261127T060000.000Z');
  rmSync(join(fifoResults, 'results.json'));
  fifo(join(fifoResults, 'results.json'));
  // Malformed results: not JSON, and JSON of the wrong shape.
  makeRun(root, 'notjson', '20261127T070000.000Z');
  writeFileSync(join(root, 'notjson', '20261127T070000.000Z', 'results.json'), '{"valid": tru');
  makeRun(root, 'badshape', '20261127T080000.000Z', {
    results: {
      valid: true,
      results: {
        perf: {
          valid: true,
          start: 0,
          end: 1,
          counts: { ok: 1, fail: 0, info: 0 },
          latency: {},
          recoveries: 5,
        },
      },
    },
  });
  // Should a reader ever open a FIFO, this writer (ours, killed after) lets it finish, so a
  // server that blocks on one fails these tests instead of hanging them.
  // Its own process group, so that it and any writer it started are ended together; each
  // writer gives up after 60 s anyway, should this process die before afterAll.
  fifoWriter = spawn(
    'sh',
    ['-c', `sleep 8; for f in ${fifos.join(' ')}; do timeout 60 sh -c "echo '{}' > $f" & done; wait`],
    {
      stdio: 'ignore',
      detached: true,
    },
  );
  server = await startServer(root, { port: 0 });
});

afterAll(async () => {
  if (fifoWriter?.pid) process.kill(-fifoWriter.pid, 'SIGKILL');
  await server?.close();
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

describe('faultline serve: only what resolves inside the results folder', () => {
  it('does not serve a file symlinked out of the results folder (faultline.log → a secret)', async () => {
    const r = await get(server.url, '/run/t/20261127T010000.000Z/faultline.log');
    expect(r.status).toBe(404);
    expect(r.body).not.toContain('SECRET');
    // The same run's own files are served, also through the `latest` link inside the root.
    expect((await get(server.url, '/run/t/20261127T010000.000Z/results.json')).status).toBe(200);
    expect((await get(server.url, '/run/t/latest/history.jsonl')).status).toBe(200);
  });

  it('does not list or serve a run folder or test folder symlinked out of it', async () => {
    for (const path of [
      '/run/t/20261127T020000.000Z/results.json',
      '/run/t/20261127T020000.000Z/report.html',
      '/zip/t/20261127T020000.000Z',
      '/run/evil/run/results.json',
      '/run/evil/run/report.html',
      '/zip/evil/run',
      '/compare?run=t/20261127T020000.000Z&run=t/20261127T010000.000Z',
    ]) {
      const r = await get(server.url, path);
      expect(r.status, path).toBe(404);
      expect(r.body, path).not.toContain('SECRET');
    }
    const ids = ((await (await fetch(`${server.url}api/runs`)).json()) as { id: string }[]).map((r) => r.id);
    expect(ids).not.toContain('t/20261127T020000.000Z');
    expect(ids.some((id) => id.startsWith('evil/'))).toBe(false);
  });

  it('does not read a results.json symlinked out of the folder: the run is listed as unreadable', async () => {
    const r = await get(server.url, '/run/linked/20261127T030000.000Z/results.json');
    expect(r.status).toBe(404);
    expect(r.body).not.toContain('SECRET');
    const runs = (await (await fetch(`${server.url}api/runs`)).json()) as {
      id: string;
      unreadable: string;
    }[];
    const linked = runs.find((x) => x.id === 'linked/20261127T030000.000Z');
    expect(linked?.unreadable).toMatch(/results\.json: not a regular file inside/);
    expect(JSON.stringify(runs)).not.toContain('SECRET');
  });

  it('zips only regular files inside the results folder', async () => {
    const res = await fetch(`${server.url}zip/t/20261127T010000.000Z`);
    expect(res.status).toBe(200);
    const files = unzipSync(new Uint8Array(await res.arrayBuffer()));
    const names = Object.keys(files).map((n) => n.split('/').slice(1).join('/'));
    expect(names.sort()).toEqual(['history.jsonl', 'results.json', 'test.json']);
    const odd = unzipSync(
      new Uint8Array(await (await fetch(`${server.url}zip/odd/20261127T050000.000Z`)).arrayBuffer()),
    );
    expect(
      Object.keys(odd)
        .map((n) => n.split('/').slice(1).join('/'))
        .sort(),
    ).toEqual(['results.json', 'test.json']);
  });
});

describe('faultline serve: a GET never writes', () => {
  it('renders a missing report in memory, writing nothing (not even through a planted temp symlink)', async () => {
    const dir = join(root, 'noreport', '20261127T040000.000Z');
    const before = snapshot(dir);
    const r = await get(server.url, '/run/noreport/20261127T040000.000Z/report.html');
    expect(r.status).toBe(200);
    expect(r.body).toMatch(/^<!doctype html>/i);
    expect(snapshot(dir)).toEqual(before);
    expect(readFileSync(join(outside, 'victim.html'), 'utf8')).toBe('untouched');
  });
});

describe('faultline serve: Host header', () => {
  it('answers localhost, 127.0.0.1 and [::1], and refuses any other name (DNS rebinding)', async () => {
    const port = new URL(server.url).port;
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, 'LOCALHOST']) {
      expect((await get(server.url, '/api/runs', host)).status, host).toBe(200);
    }
    for (const host of [`evil.example:${port}`, 'localhost.evil.example', '127.0.0.1.nip.io', '10.0.0.1']) {
      const r = await get(server.url, '/api/runs', host);
      expect(r.status, host).toBe(421);
      expect(r.body).not.toContain('20261127T010000');
    }
  });

  it('refuses a request without a Host header', async () => {
    const u = new URL(server.url);
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(u.port), u.hostname, () => socket.end('GET /api/runs HTTP/1.0\r\n\r\n'));
      let text = '';
      socket.on('data', (d) => {
        text += d.toString();
      });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.[01] (421|400)/);
  });
});

describe('faultline serve: no request can freeze or kill it', () => {
  it('refuses a directory named faultline.log and keeps serving', async () => {
    expect((await get(server.url, '/run/odd/20261127T050000.000Z/faultline.log')).status).toBe(404);
    expect((await get(server.url, '/api/runs')).status).toBe(200);
  });

  it('refuses a FIFO as history.jsonl (served or rendered into a report) without waiting on it', async () => {
    const served = await get(server.url, '/run/odd/20261127T050000.000Z/history.jsonl');
    expect(served.status).toBe(404);
    const report = await get(server.url, '/run/odd/20261127T050000.000Z/report.html');
    expect(report.status).toBe(404);
    expect(report.body).toContain('no history.jsonl or history.edn');
    expect((await get(server.url, '/')).status).toBe(200);
  });

  it('lists a run whose results.json is a FIFO as unreadable, without reading it', async () => {
    const runs = (await (await fetch(`${server.url}api/runs`)).json()) as {
      id: string;
      unreadable: string;
    }[];
    expect(runs.find((x) => x.id === 'fiforesults/20261127T060000.000Z')?.unreadable).toMatch(
      /not a regular file/,
    );
  });

  it('lists malformed runs as unreadable, naming file and field, and still shows the others', async () => {
    const page = await get(server.url, '/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('unreadable');
    const res = await fetch(`${server.url}api/runs`);
    expect(res.status).toBe(200);
    const runs = (await res.json()) as { id: string; unreadable: string | null; verdict: unknown }[];
    const by = new Map(runs.map((x) => [x.id, x]));
    expect(by.get('notjson/20261127T070000.000Z')?.unreadable).toMatch(/^results\.json: not valid JSON/);
    expect(by.get('badshape/20261127T080000.000Z')?.unreadable).toMatch(
      /^results\.json: field results\.perf\.latency\.(overall|byState): expected an object/,
    );
    expect(by.get('t/20261127T010000.000Z')).toMatchObject({ unreadable: null, verdict: true });
    // A comparison with an unreadable run still renders.
    const cmp = await get(
      server.url,
      '/compare?run=badshape/20261127T080000.000Z&run=t/20261127T010000.000Z',
    );
    expect(cmp.status).toBe(200);
  });
});

/** Names, sizes and modification times of everything in a folder. */
function snapshot(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .map((n) => {
      const s = statSync(join(dir, n), { throwIfNoEntry: false });
      return `${n} ${s?.size} ${s?.mtimeMs}`;
    });
}
