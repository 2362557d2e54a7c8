// Makes the V8 code cache of the `check` bundle (dist/src/check-bundle*.cjs → <file>.cache) that
// bin/faultline.js loads it with. Run by scripts/bundle-check.mjs, in a process of its own: it
// loads the bundle as the CLI does (bin/code-cache.js), runs a few typical checks so that the
// functions V8 compiles lazily are compiled too, then stores each file's cached data. A check
// that does not give its expected exit code fails the build: the inputs below no longer fit.
'use strict';
const { mkdtempSync, readdirSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { cacheOf, loadWithCodeCache } = require('../bin/code-cache.js');

const outDir = join(__dirname, '..', 'dist', 'src');
const prefix = join(outDir, 'check-bundle');

/** A cas-register Jepsen log (as Jepsen's etcd test wrote them); not linearizable: 2 is never written. */
const CAS_LOG = [
  [0, ':invoke', ':write', '1'],
  [1, ':invoke', ':read', 'nil'],
  [0, ':ok', ':write', '1'],
  [2, ':invoke', ':cas', '[1 3]'],
  [1, ':ok', ':read', '1'],
  [2, ':ok', ':cas', '[1 3]'],
  [3, ':invoke', ':write', '4'],
  [0, ':invoke', ':read', 'nil'],
  [3, ':info', ':write', ':timed-out'],
  [0, ':ok', ':read', '2'],
  [1, ':invoke', ':cas', '[4 0]'],
  [1, ':fail', ':cas', '[4 0]'],
]
  .map(([p, type, f, v]) => `INFO  jepsen.util - ${p}\t${type}\t${f}\t${v}`)
  .join('\n');

/** A kv history, EDN lines (Porcupine's kv tests' format); linearizable. */
const KV_EDN = [
  '{:process 0, :type :invoke, :f :put, :key "a", :value "x 0 0 y"}',
  '{:process 1, :type :invoke, :f :append, :key "a", :value "x 1 0 y"}',
  '{:process 0, :type :ok, :f :put, :key "a", :value "x 0 0 y"}',
  '{:process 2, :type :invoke, :f :get, :key "b", :value nil}',
  '{:process 1, :type :ok, :f :append, :key "a", :value "x 1 0 y"}',
  '{:process 2, :type :ok, :f :get, :key "b", :value ""}',
  '{:process 0, :type :invoke, :f :get, :key "a", :value nil}',
  '{:process 0, :type :ok, :f :get, :key "a", :value "x 0 0 yx 1 0 y"}',
].join('\n');

/** An Elle list-append history (Jepsen EDN); valid. */
const LIST_APPEND_EDN = [
  '{:type :invoke, :f :txn, :value [[:append 1 1] [:r 2 nil]], :process 0, :time 1, :index 0}',
  '{:type :invoke, :f :txn, :value [[:append 2 1] [:r 1 nil]], :process 1, :time 2, :index 1}',
  '{:type :ok, :f :txn, :value [[:append 1 1] [:r 2 []]], :process 0, :time 3, :index 2}',
  '{:type :ok, :f :txn, :value [[:append 2 1] [:r 1 [1]]], :process 1, :time 4, :index 3}',
  '{:type :invoke, :f :txn, :value [[:r 1 nil] [:append 1 2] [:r 2 nil]], :process 0, :time 5, :index 4}',
  '{:type :ok, :f :txn, :value [[:r 1 [1]] [:append 1 2] [:r 2 [1]]], :process 0, :time 6, :index 5}',
].join('\n');

/** [file name, its text, the check's arguments, its expected exit code] */
const CHECKS = [
  ['cas.log', CAS_LOG, ['--model', 'cas-register'], 1],
  ['kv.edn', KV_EDN, ['--model', 'kv'], 0],
  ['list-append.edn', LIST_APPEND_EDN, ['--checker', 'list-append'], 0],
];

async function main() {
  for (const f of readdirSync(outDir))
    if (f.startsWith('check-bundle') && f.endsWith('.cache')) rmSync(join(outDir, f));
  const scripts = new Map();
  if (!loadWithCodeCache(prefix, (filename, script) => scripts.set(filename, script))) {
    console.error(`bundle-check-cache: Node ${process.version} cannot load the bundle so; no code cache`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'faultline-code-cache-'));
  const exit = process.exit;
  try {
    const { checkMain } = require(`${prefix}.cjs`);
    for (const [name, text, args, expected] of CHECKS) {
      const file = join(dir, name);
      writeFileSync(file, `${text}\n`);
      // checkMain ends with process.exit(code): keep the code and go on to the next check.
      let code;
      process.exit = (c) => {
        code = c;
      };
      process.exitCode = undefined;
      await checkMain([process.argv[0], 'faultline', 'check', file, ...args]);
      process.exit = exit;
      if (code !== expected)
        throw new Error(`check ${name} ${args.join(' ')} exited ${code}, not ${expected}`);
    }
  } finally {
    process.exit = exit;
    process.exitCode = undefined;
    rmSync(dir, { recursive: true, force: true });
  }
  for (const [filename, script] of scripts) writeFileSync(`${filename}.cache`, cacheOf(script));
}

main().catch((err) => {
  console.error(`bundle-check-cache: ${err.stack ?? err}`);
  process.exit(1);
});
