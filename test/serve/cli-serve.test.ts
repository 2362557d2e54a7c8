/**
 * `faultline serve` flags: a port in use or a bad `--host` is bad input (an InputError,
 * which the CLI turns into exit 254), and binding beyond loopback is an explicit choice
 * with a warning and a wider, still checked, set of Host names.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exposureWarning, registerServe } from '../../src/cli/serve.js';
import { InputError } from '../../src/errors.js';
import { hostAllowed, isLoopback } from '../../src/serve/host-check.js';
import { startServer } from '../../src/serve/index.js';

const root = mkdtempSync(join(tmpdir(), 'faultline-serve-cli-'));
let busy: Server;
let busyPort: number;

beforeAll(async () => {
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  busyPort = (busy.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise((resolve) => busy.close(resolve));
  rmSync(root, { recursive: true, force: true });
});

/** Runs `faultline serve ...` through the real command definition. */
function serve(...args: string[]): Promise<unknown> {
  const program = new Command().exitOverride();
  registerServe(program);
  return program.parseAsync(['node', 'faultline', 'serve', ...args, root]);
}

describe('faultline serve: bad input is 254, not 255', () => {
  it('a port already in use is an InputError naming --port', async () => {
    const err = await serve('--port', String(busyPort)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).location.field).toBe('--port');
    expect((err as Error).message).toMatch(/already in use/);
  });

  it('a --host that is not an address of this machine, or not an address at all, is an InputError naming --host', async () => {
    for (const host of ['not an address', 'example.invalid', '300.1.1.1', '192.0.2.1']) {
      const err = await serve('--port', '0', '--host', host).catch((e: unknown) => e);
      expect(err, host).toBeInstanceOf(InputError);
      expect((err as InputError).location.field, host).toBe('--host');
    }
    await expect(startServer(root, { port: 0, host: 'nope!' })).rejects.toBeInstanceOf(InputError);
  });

  it('a port that is not a number is an InputError', async () => {
    for (const port of ['http', '-1', '65536', '1e3']) {
      await expect(serve('--port', port), port).rejects.toBeInstanceOf(InputError);
    }
  });
});

describe('faultline serve: binding beyond loopback', () => {
  it('warns for any address but loopback', () => {
    for (const h of ['127.0.0.1', '127.0.0.2', '::1', 'localhost']) {
      expect(isLoopback(h), h).toBe(true);
      expect(exposureWarning(h), h).toBeUndefined();
    }
    for (const h of ['0.0.0.0', '::', '192.168.1.10', '10.107.0.1']) {
      expect(exposureWarning(h), h).toMatch(/warning: --host .* serves every run/);
    }
  });

  it('bound beyond loopback, answers IP addresses, this host name and --allow-host names; still not other names', () => {
    const wide = hostAllowed('0.0.0.0', ['results.lab.example']);
    for (const h of [
      '192.168.1.10:8080',
      '[fe80::1]:8080',
      'localhost',
      `${hostname()}:8080`,
      'results.lab.example',
    ]) {
      expect(wide(h), h).toBe(true);
    }
    for (const h of ['evil.example', 'results.lab.example.evil.example', undefined]) {
      expect(wide(h), String(h)).toBe(false);
    }
    const local = hostAllowed('127.0.0.1');
    expect(local('192.168.1.10')).toBe(false);
    expect(local(`${hostname()}:8080`)).toBe(hostname().toLowerCase() === 'localhost');
  });
});
