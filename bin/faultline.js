#!/usr/bin/env node
// The installed command: runs the compiled CLI. It never compiles; `npm run build` makes dist/
// (and installing or packing the package runs it through `prepare`/`prepack`).
//
// CommonJS (see bin/package.json), unlike the rest of the package: an ES module entry point
// starts Node's ES module loader, which costs a cold `faultline check` about 20 ms, and `check`
// runs from a CommonJS bundle of its path (scripts/bundle-check.mjs), one file instead of
// forty-odd modules. The bundle is used only when it is at least as new as the compiled CLI
// (a bare `tsc` leaves it stale); every other command loads the compiled ES modules. The bundle
// loads with the V8 code cache the build stores beside it (code-cache.js): less to compile.
'use strict';
const { existsSync, statSync } = require('node:fs');
const { join, resolve, sep } = require('node:path');
const { pathToFileURL } = require('node:url');

const root = resolve(__dirname, '..');
const cli = join(root, 'dist', 'src', 'cli', 'bin.js');
if (!existsSync(cli)) {
  process.stderr.write(`faultline: ${cli} is missing: run \`npm run build\` in ${root}${sep}\n`);
  process.exit(254);
}
const checkBundle = join(root, 'dist', 'src', 'check-bundle.cjs');
if (process.argv[2] === 'check' && isFresh(checkBundle, cli)) {
  require('./code-cache.js').loadWithCodeCache(join(root, 'dist', 'src', 'check-bundle'));
  require(checkBundle).checkMain(process.argv);
} else {
  import(pathToFileURL(cli).href);
}

function isFresh(file, than) {
  const stat = statSync(file, { throwIfNoEntry: false });
  return stat !== undefined && stat.mtimeMs >= statSync(than).mtimeMs;
}
