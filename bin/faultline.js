#!/usr/bin/env node
// The installed command: runs the compiled CLI. It never compiles; `npm run build` makes dist/
// (and installing or packing the package runs it through `prepare`/`prepack`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/src/cli/bin.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write(
    `faultline: ${fileURLToPath(cli)} is missing: run \`npm run build\` in ${fileURLToPath(new URL('..', import.meta.url))}\n`,
  );
  process.exit(254);
}
await import(cli.href);
