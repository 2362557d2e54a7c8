#!/usr/bin/env node
// The installed command: runs the compiled CLI. It never compiles; `npm run build` makes dist/
// (and installing or packing the package runs it through `prepare`/`prepack`).
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/src/cli/bin.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write(
    `faultline: ${fileURLToPath(cli)} is missing: run \`npm run build\` in ${fileURLToPath(new URL('..', import.meta.url))}\n`,
  );
  process.exit(254);
}
// `check` runs from the bundle of its path (scripts/bundle-check.mjs): a cold one-shot check is
// start-up bound, and loading one file costs less than loading forty. The bundle is used only
// when it is at least as new as the compiled CLI (a bare `tsc` leaves it stale).
const checkBundle = new URL('../dist/src/check-bundle.js', import.meta.url);
if (process.argv[2] === 'check' && isFresh(checkBundle, cli)) {
  const { checkMain } = await import(checkBundle.href);
  await checkMain(process.argv);
} else {
  await import(cli.href);
}

function isFresh(file, than) {
  const stat = statSync(fileURLToPath(file), { throwIfNoEntry: false });
  return stat !== undefined && stat.mtimeMs >= statSync(fileURLToPath(than)).mtimeMs;
}
