import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { opToJsonl } from '../../src/history/codecs/index.js';
import type { Op } from '../../src/history/index.js';

/** A short valid register history: write 1, read 1. */
export function registerOps(): Op[] {
  const ev: [Op['type'], Op['f'], unknown][] = [
    ['invoke', 'write', 1],
    ['ok', 'write', 1],
    ['invoke', 'read', null],
    ['ok', 'read', 1],
  ];
  return ev.map(([type, f, value], index) => ({
    index,
    time: index * 1_000_000,
    type,
    process: 0,
    f,
    value,
  }));
}

/** A run folder `<root>/<test>/<ts>` with results.json, test.json and history.jsonl. */
export function makeRun(
  root: string,
  test: string,
  ts: string,
  files: { results?: unknown; facts?: unknown; history?: boolean } = {},
): string {
  const dir = join(root, test, ts);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'results.json'), JSON.stringify(files.results ?? { valid: true, results: {} }));
  writeFileSync(
    join(dir, 'test.json'),
    JSON.stringify(files.facts ?? { name: test, startedAt: `2026-11-27T0${ts.slice(10, 11)}:00:00Z` }),
  );
  if (files.history !== false) {
    writeFileSync(join(dir, 'history.jsonl'), `${registerOps().map(opToJsonl).join('\n')}\n`);
  }
  return dir;
}

/** A GET with a chosen Host header (fetch does not let a caller set it). */
export function get(
  url: string,
  path: string,
  host?: string,
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  const u = new URL(path, url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: u.hostname, port: u.port, path: u.pathname + u.search, headers: host ? { host } : {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            headers: res.headers,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}
