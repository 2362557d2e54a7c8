// Loads the `check` bundle's files (dist/src/check-bundle*.cjs) with the V8 code cache that
// `npm run build` stores beside each (<file>.cache, made by scripts/bundle-check-cache.cjs):
// compiling the bundle is most of a cold check's own start-up. Run time only reads caches.
//
// Each file is compiled as Node's CommonJS loader would (same wrapper parameters, filename, line
// numbers and `require`), but through vm.Script, which takes cached data. A cache that is
// missing, older than its file, made by another Node or rejected by V8 (other V8 flags, say)
// leaves an ordinary compile. V8 checks a cache's header, not its contents: a cache damaged
// inside would crash the process; rebuilding or deleting it mends that.
'use strict';
const Module = require('node:module');
const { readFileSync, statSync } = require('node:fs');
const vm = require('node:vm');

/** Node's CommonJS wrapper, its header on a line of its own so that line numbers stay the file's. */
const HEADER = '(function (exports, require, module, __filename, __dirname) {\n';
const FOOTER = '\n})';

/**
 * What a cache file starts with: the Node that made it. V8 checks its own version only, which
 * Node's patch releases keep (and the platform is not in it). 64 bytes keep V8's data aligned.
 */
const PREFIX = Buffer.from(
  `${`faultline code cache ${process.version} ${process.platform} ${process.arch}`.padEnd(63)}\n`,
);

/**
 * Loads every `.cjs` file whose path starts with `prefix` through vm.Script, with its cache when
 * it is usable; `onScript(filename, script)` sees each script (the build makes the caches so).
 * Returns false, changing nothing, on a Node before 20.12: there vm.Script cannot give a
 * module's import() to Node's loader.
 */
function loadWithCodeCache(prefix, onScript) {
  // The bundle has no import() (scripts/bundle-check.mjs makes them requires): in case one
  // comes back, it still works (if with an experimental warning) rather than throwing.
  const importModuleDynamically = vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER;
  if (importModuleDynamically === undefined) return false;
  // Node has no '.cjs' handler of its own: it loads .cjs files with the '.js' one.
  const other = Module._extensions['.cjs'] ?? Module._extensions['.js'];
  Module._extensions['.cjs'] = function loadCjs(module, filename) {
    if (!filename.startsWith(prefix)) return other(module, filename);
    const script = new vm.Script(HEADER + readFileSync(filename, 'utf8') + FOOTER, {
      filename,
      lineOffset: -1,
      cachedData: usableCache(filename),
      importModuleDynamically,
    });
    onScript?.(filename, script);
    const wrapper = script.runInThisContext({ displayErrors: true });
    wrapper.call(
      module.exports,
      module.exports,
      Module.createRequire(filename),
      module,
      filename,
      module.path,
    );
  };
  return true;
}

/** The contents of a cache file for `script`, as run so far (with the functions it compiled). */
function cacheOf(script) {
  return Buffer.concat([PREFIX, script.createCachedData()]);
}

/** `<file>.cache`'s data, if this Node made it and it is at least as new as the file. */
function usableCache(filename) {
  const cache = `${filename}.cache`;
  const stat = statSync(cache, { throwIfNoEntry: false });
  if (stat === undefined || stat.mtimeMs < statSync(filename).mtimeMs) return undefined;
  const data = readFileSync(cache);
  return data.length > PREFIX.length && PREFIX.equals(data.subarray(0, PREFIX.length))
    ? data.subarray(PREFIX.length)
    : undefined;
}

module.exports = { loadWithCodeCache, cacheOf };
