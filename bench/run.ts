/**
 * `npm run bench`: runs every benchmark module in bench/ (each exports `run()`), prints
 * their figures and writes them to results/bench/<timestamp>.json. Figures whose names say
 * which way is better (…PerSecond, …Ms, …MiB) are appended to the series store too
 * (results/series/microbench/), where `faultline trend --plan microbench` judges them.
 * `npm run bench -- codecs elle` runs only the named ones.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchEnvironment } from '../src/bench/environment.js';
import { recordBenchFigures } from '../src/bench/microbench.js';

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

const root = join(here, '..', '..', 'results');
const out = join(root, 'bench');
mkdirSync(out, { recursive: true });
const time = new Date().toISOString();
const file = join(out, `${time.replace(/[:.]/g, '-')}.json`);
writeFileSync(file, `${JSON.stringify({ time, figures }, null, 2)}\n`);
console.log(`\nfigures written to ${file}`);
const env = benchEnvironment();
// The series live with the cluster's ($FAULTLINE_RESULTS, as `faultline trend` reads them).
const seriesRoot = resolve(process.env.FAULTLINE_RESULTS ?? root);
const keys = recordBenchFigures(seriesRoot, figures, {
  time,
  run: relative(seriesRoot, file),
  commit: env.commit,
  faultline: env.faultline,
});
console.log(
  `${keys.length} figures appended to ${join(seriesRoot, 'series', 'microbench')} (judge: faultline trend --plan microbench)`,
);
process.exitCode = failed ? 1 : 0;
