import type { Command } from 'commander';
import { InputError } from '../errors.js';
import { resultsRoot } from '../run/store.js';
import { startServer } from '../serve/server.js';

interface ServeFlags {
  port: string;
  host: string;
}

/** `faultline serve [--port 8080] [--host 127.0.0.1] [results-dir]`: browse and compare runs. */
export function registerServe(program: Command): void {
  program
    .command('serve [results-dir]')
    .description('browse runs: verdicts, reports, comparisons and zips (binds 127.0.0.1 by default)')
    .option('--port <port>', 'port to listen on', '8080')
    .option('--host <address>', 'address to bind (127.0.0.1: this machine only)', '127.0.0.1')
    .action(async (dir: string | undefined, flags: ServeFlags) => {
      const port = Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new InputError('expected a port number 0-65535', { field: '--port' });
      }
      const root = resultsRoot(dir);
      const running = await startServer(root, { port, host: flags.host });
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
