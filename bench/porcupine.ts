/**
 * faultline against Porcupine, whole process against whole process (start-up, imports, parse
 * and check all count), on every file of Porcupine's corpus (read in place from
 * ../shared/data/porcupine). Runs alternate — faultline, Porcupine, faultline, ... — so that
 * a busy machine disturbs both alike; the figure per file is the median of the ratios of
 * paired runs. Also measured: a bare `node -e 0`, the floor no Node.js process goes under.
 *
 * Porcupine is not part of faultline; build its checker once, outside the repository:
 *
 *     apt-get install -y --no-install-recommends golang-go
 *     git clone https://github.com/anishathalye/porcupine /tmp/porcupine-src
 *     mkdir -p /tmp/porcupine-main && cd /tmp/porcupine-main
 *     # main.go: package main; `porcupine-check etcd|kv <file>` parses the file with the
 *     # parseJepsenLog / parseKvLog functions and the etcdModel / kvModel of Porcupine's
 *     # porcupine_test.go (copied into main.go, importing the package with a dot import),
 *     # calls porcupine.CheckEvents, prints the verdict and exits 0 (ok) or 1 (illegal).
 *     # go.mod: module porcupinemain; require github.com/anishathalye/porcupine v0.0.0;
 *     #         replace github.com/anishathalye/porcupine => /tmp/porcupine-src
 *     GOFLAGS=-mod=mod go build -o porcupine-check .
 *
 *     npm run bench -- porcupine        PORCUPINE_CHECK=<binary> (default /tmp/porcupine-main/porcupine-check)
 *                                       PORCUPINE_RUNS=<pairs per file> (default 5), PORCUPINE_FILES=<regex>
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = [join(here, '..'), join(here, '..', '..')].find((d) =>
  existsSync(join(d, 'bin', 'faultline.js')),
)!;
const corpus = [join(root, '..', 'shared', 'data', 'porcupine')].find((d) => existsSync(d));
const porcupine = process.env.PORCUPINE_CHECK ?? '/tmp/porcupine-main/porcupine-check';

export interface FileRatio {
  name: string;
  faultlineMs: number;
  porcupineMs: number;
  /** Median of faultline / Porcupine over the paired runs. */
  ratio: number;
}

export interface PorcupineFigures {
  files: number;
  pairsPerFile: number;
  /** Files where faultline's median ratio is at most 1.0. */
  filesAtOrUnder1: number;
  worstRatio: number;
  worstFile: string;
  medianRatio: number;
  /** A bare `node -e 0`, and Porcupine's median whole-process time over the corpus. */
  nodeFloorMs: number;
  /**
   * The floor without NODE_EXTRA_CA_CERTS, when it is set: Node reads and parses that file of
   * certificates at every start-up, tens of milliseconds that Porcupine (Go) never pays.
   */
  nodeFloorWithoutExtraCaMs?: number;
  porcupineMedianMs: number;
  c50OkRatio: number;
  /** The files where Porcupine's own time is above the node floor: only there can 1.0x be reached. */
  aboveFloor: FileRatio[];
  /** faultline's median time over the files where Porcupine is under the node floor. */
  faultlineSmallFileMs: number;
  perFile: FileRatio[];
}

function timed(cmd: string, args: string[], env?: NodeJS.ProcessEnv): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: 'ignore', ...(env ? { env } : {}) });
  if (r.error) throw r.error;
  return Number(process.hrtime.bigint() - t) / 1e6;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d;

export async function run(): Promise<PorcupineFigures> {
  if (!corpus) throw new Error('corpus not found: ../shared/data/porcupine');
  if (!existsSync(porcupine)) throw new Error(`${porcupine} is missing: build it as this file's header says`);
  const runs = Number(process.env.PORCUPINE_RUNS ?? 5);
  const only = process.env.PORCUPINE_FILES ? new RegExp(process.env.PORCUPINE_FILES) : undefined;
  const files = ['etcd', 'kv']
    .flatMap((dir) =>
      readdirSync(join(corpus, dir))
        .filter((f) => f.endsWith('.log') || f.endsWith('.txt'))
        .map((f) => `${dir}/${f}`),
    )
    .filter((f) => !only || only.test(f))
    .sort();
  const cli = join(root, 'bin', 'faultline.js');
  execFileSync(process.execPath, [cli, '--version']); // fail early without dist/
  const perFile: FileRatio[] = [];
  for (const name of files) {
    const path = join(corpus, name);
    const kv = name.startsWith('kv/');
    const ours = [cli, 'check', path, '--model', kv ? 'kv' : 'cas-register'];
    const theirs = [kv ? 'kv' : 'etcd', path];
    timed(process.execPath, ours); // warm the page cache for both
    timed(porcupine, theirs);
    const f: number[] = [];
    const p: number[] = [];
    for (let i = 0; i < runs; i++) {
      f.push(timed(process.execPath, ours));
      p.push(timed(porcupine, theirs));
    }
    perFile.push({
      name,
      faultlineMs: round(median(f)),
      porcupineMs: round(median(p)),
      ratio: round(median(f.map((x, i) => x / p[i]!)), 2),
    });
  }
  const floor: number[] = [];
  for (let i = 0; i < 10; i++) floor.push(timed(process.execPath, ['-e', '0']));
  const worst = perFile.reduce((a, b) => (b.ratio > a.ratio ? b : a), perFile[0]!);
  const nodeFloorMs = round(median(floor));
  let nodeFloorWithoutExtraCaMs: number | undefined;
  if (process.env.NODE_EXTRA_CA_CERTS !== undefined) {
    const { NODE_EXTRA_CA_CERTS: _, ...env } = process.env;
    const bare: number[] = [];
    for (let i = 0; i < 10; i++) bare.push(timed(process.execPath, ['-e', '0'], env));
    nodeFloorWithoutExtraCaMs = round(median(bare));
  }
  const small = perFile.filter((x) => x.porcupineMs <= nodeFloorMs);
  return {
    files: perFile.length,
    pairsPerFile: runs,
    filesAtOrUnder1: perFile.filter((x) => x.ratio <= 1).length,
    worstRatio: worst.ratio,
    worstFile: worst.name,
    medianRatio: round(median(perFile.map((x) => x.ratio)), 2),
    nodeFloorMs,
    ...(nodeFloorWithoutExtraCaMs === undefined ? {} : { nodeFloorWithoutExtraCaMs }),
    porcupineMedianMs: round(median(perFile.map((x) => x.porcupineMs))),
    c50OkRatio: perFile.find((x) => x.name === 'kv/c50-ok.txt')?.ratio ?? Number.NaN,
    aboveFloor: perFile.filter((x) => x.porcupineMs > nodeFloorMs),
    faultlineSmallFileMs: small.length > 0 ? round(median(small.map((x) => x.faultlineMs))) : Number.NaN,
    perFile,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await run(), null, 2));
}
