import type { Command } from 'commander';
import { InputError } from '../errors.js';
import { resultsRoot } from '../run/store.js';
import { isLoopback } from '../serve/host-check.js';
import { startServer } from '../serve/server.js';

interface ServeFlags {
  port: string;
  host: string;
  allowHost: string[];
}

/**
 * The warning printed when the browser is bound beyond loopback: it has no login, so
 * whoever reaches the address reads every run (node logs, plans, histories).
 */
export function exposureWarning(host: string): string | undefined {
  if (isLoopback(host)) return undefined;
  return (
    `faultline: warning: --host ${host} serves every run to whoever can reach this address ` +
    '(no login, no TLS); bind 127.0.0.1 and use an SSH tunnel instead unless this network is yours'
  );
}

/** `faultline serve [--port 8080] [--host 127.0.0.1] [results-dir]`: browse and compare runs. */
export function registerServe(program: Command): void {
  program
    .command('serve [results-dir]')
    .description('browse runs: verdicts, reports, comparisons and zips (this machine only unless --host)')
    .option('--port <port>', 'port to listen on (0: any free port)', '8080')
    .option(
      '--host <address>',
      'IP address to bind; anything but 127.0.0.1, ::1 or localhost exposes the results and prints a warning',
      '127.0.0.1',
    )
    .option(
      '--allow-host <name>',
      'also answer requests for this Host name (repeatable; for a DNS name when bound beyond loopback)',
      (name: string, names: string[]) => [...names, name],
      [] as string[],
    )
    .action(async (dir: string | undefined, flags: ServeFlags) => {
      const port = Number(flags.port);
      if (!/^\d+$/.test(flags.port) || !Number.isInteger(port) || port < 0 || port > 65535) {
        throw new InputError('expected a port number 0-65535', { field: '--port' });
      }
      const root = resultsRoot(dir);
      const running = await startServer(root, { port, host: flags.host, allowedHosts: flags.allowHost });
      const warning = exposureWarning(flags.host);
      if (warning) process.stderr.write(`${warning}\n`);
      process.stdout.write(`faultline: serving ${root} at ${running.url}\n`);
      // Runs until interrupted.
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          void running.close().then(resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
