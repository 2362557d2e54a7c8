/**
 * `npm run bench`: runs every benchmark module in bench/ (each exports `run()`), prints
 * their figures and writes them to results/bench/<timestamp>.json.
 * `npm run bench -- codecs elle` runs only the named ones.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface BenchModule {
  run: () => Promise<unknown>;
}

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const names = readdirSync(here)
  .filter((f) => f.endsWith('.js') && f !== 'run.js')
  .map((f) => f.slice(0, -3))
  .filter((n) => wanted.length === 0 || wanted.includes(n));

const figures: Record<string, unknown> = {};
let failed = false;
for (const name of names) {
  const mod = (await import(join(here, `${name}.js`))) as Partial<BenchModule>;
  if (typeof mod.run !== 'function') continue;
  console.log(`\n== ${name}`);
  try {
    figures[name] = await mod.run();
    console.log(JSON.stringify(figures[name], null, 2));
  } catch (err) {
    failed = true;
    figures[name] = { error: String(err) };
    console.error(`${name} failed:`, err);
  }
}

const out = join(here, '..', '..', 'results', 'bench');
mkdirSync(out, { recursive: true });
const file = join(out, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, `${JSON.stringify({ time: new Date().toISOString(), figures }, null, 2)}\n`);
console.log(`\nfigures written to ${file}`);
process.exitCode = failed ? 1 : 0;
