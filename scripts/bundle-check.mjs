#!/usr/bin/env node
// Bundles the `faultline check` path (dist/src/cli/check-main.js and what it imports) into a few
// CommonJS files under dist/src, which bin/faultline.js requires for `check`: a cold one-shot
// check is start-up bound, and Node's ES module loader pays per file (resolve, stat, read,
// link) for the forty-odd modules of that path, and about 20 ms just to start. Run after tsc
// (`npm run build`). Packages other than commander and edn-data stay external, loaded by Node
// as usual; the registry of all checkers becomes a lazy chunk, as it is a lazy import. Then
// scripts/bundle-check-cache.cjs stores each file's V8 code cache beside it (<file>.cache).
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = join(root, 'dist', 'src');
const ENTRY = 'check-bundle';
/** Packages bundled in: the ones the check path loads on every run. */
const INLINE = new Set(['commander', 'edn-data']);

/** A module's `new URL('./x', import.meta.url)` names a file beside the module: keep it so from outDir. */
const relocateFileUrls = {
  name: 'relocate-file-urls',
  transform(code, id) {
    if (!id.startsWith(root) || !code.includes('import.meta.url')) return null;
    return code.replace(/new URL\((['"])(\.\.?\/[^'"]+)\1,\s*import\.meta\.url\)/g, (_, quote, rel) => {
      const target = join(dirname(id), rel);
      const fromOut = relative(outDir, target).split(sep).join('/');
      return `new URL(${quote}${fromOut.startsWith('.') ? fromOut : `./${fromOut}`}${quote}, import.meta.url)`;
    });
  },
};

/**
 * Commander requires child_process (which loads net, dgram, ...) at start-up, for executable
 * sub-commands only, which `check` has none of: require it on first use instead.
 */
const deferChildProcess = {
  name: 'defer-child-process',
  transform(code, id) {
    if (!id.includes(`${sep}commander${sep}`)) return null;
    const eager = "const childProcess = require('node:child_process');";
    if (!code.includes(eager)) return null;
    return code.replace(
      eager,
      "const childProcess = { spawn: (...args) => require('node:child_process').spawn(...args) };",
    );
  },
};

for (const f of readdirSync(outDir)) if (f.startsWith(ENTRY)) rmSync(join(outDir, f));
const bundle = await rolldown({
  input: { [ENTRY]: join(outDir, 'cli', 'check-main.js') },
  platform: 'node',
  logLevel: 'warn',
  external: (id) => /^(@|[a-z])/.test(id) && !id.startsWith('node:') && !INLINE.has(packageOf(id)),
  plugins: [relocateFileUrls, deferChildProcess],
});
await bundle.write({
  dir: outDir,
  format: 'cjs',
  entryFileNames: '[name].cjs',
  chunkFileNames: `${ENTRY}-[name].cjs`,
  // `import('node:worker_threads')` becomes a require: bin/code-cache.js compiles the bundle
  // with vm.Script, whose import() would go through an experimental hook (and warn).
  dynamicImportInCjs: false,
});
await bundle.close();

// The V8 code cache of these files, which bin/faultline.js loads them with (in a process of its own).
execFileSync(process.execPath, [join(root, 'scripts', 'bundle-check-cache.cjs')], {
  stdio: ['ignore', 'ignore', 'inherit'],
});

function packageOf(id) {
  const parts = id.split('/');
  return id.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}
