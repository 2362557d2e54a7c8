/**
 * A slow client downloading the zip of a big run must not make the server hold the run in
 * memory: with the client's reading paused, the server stops once the socket is full. The
 * assertions are on bytes (queued in the response, and Buffer memory), relative to the
 * run's size; the only waiting is for the server to stop producing.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../src/serve/index.js';
import { makeRun } from './fixtures.js';

const RUN_BYTES = 128 << 20;
const root = mkdtempSync(join(tmpdir(), 'faultline-zip-'));
let server: RunningServer;

beforeAll(async () => {
  const dir = makeRun(root, 'big', '20261127T010000.000Z');
  mkdirSync(join(dir, 'logs'));
  // Incompressible to deflate (its window is 32 KiB, the block repeats every 4 MiB), so the
  // zip is as big as the run; one block, so the test itself leaves little garbage behind.
  const block = randomBytes(4 << 20);
  for (const name of ['history.edn', 'logs/n1.log']) {
    const fd = openSync(join(dir, name), 'w');
    for (let written = 0; written < RUN_BYTES / 2; written += block.length) writeSync(fd, block);
    closeSync(fd);
  }
  server = await startServer(root, { port: 0 });
}, 120_000);

afterAll(async () => {
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('faultline serve: zip backpressure', () => {
  it('holds far less than the run in memory while the client does not read', async () => {
    let response: ServerResponse | undefined;
    server.server.prependListener('request', (_req, res: ServerResponse) => {
      response = res;
    });
    const baseline = process.memoryUsage().arrayBuffers;
    const u = new URL(server.url);
    const client = connect(Number(u.port), u.hostname);
    client.pause(); // never read: the socket fills and stays full
    client.write(`GET /zip/big/20261127T010000.000Z HTTP/1.1\r\nHost: 127.0.0.1:${u.port}\r\n\r\n`);

    let peakQueued = 0;
    let peakBuffers = 0;
    let produced = -1;
    let still = 0;
    // Until the server has produced nothing new for 40 looks in a row, or has produced it all.
    while (still < 40) {
      await sleep(25);
      const res = response;
      if (!res) continue;
      const queued = res.writableLength;
      const now = (res.socket?.bytesWritten ?? 0) + queued;
      peakQueued = Math.max(peakQueued, queued);
      peakBuffers = Math.max(peakBuffers, process.memoryUsage().arrayBuffers - baseline);
      still = now === produced ? still + 1 : 0;
      produced = now;
      if (produced >= RUN_BYTES || res.writableFinished) break;
    }
    client.destroy();
    console.log(
      `zip of a ${RUN_BYTES >> 20} MiB run, client paused: server produced ${(produced / 2 ** 20).toFixed(1)} MiB, ` +
        `peak queued in the response ${(peakQueued / 2 ** 20).toFixed(1)} MiB, ` +
        `peak Buffer growth ${(peakBuffers / 2 ** 20).toFixed(1)} MiB`,
    );
    expect(produced).toBeLessThan(RUN_BYTES / 4);
    expect(peakQueued).toBeLessThan(RUN_BYTES / 16);
    expect(peakBuffers).toBeLessThan(RUN_BYTES / 4);
    // The server stops zipping for the client that left, and keeps serving others.
    const res = await fetch(`${server.url}api/runs`);
    expect(res.status).toBe(200);
  });
});
