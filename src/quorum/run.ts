/**
 * `faultline quorum`: every case of the matrix, one run each, on the first N nodes of the
 * ensemble (grown for the run when N is larger, and shrunk back after), then the findings:
 * quorum.json, quorum.html and a table on stdout.
 */
import { join, relative } from 'node:path';
import { DBS } from '../db/index.js';
import { type Db, hasCapability } from '../db/types.js';
import { type NodeFlags, remoteFromOptions } from '../ensemble/connect.js';
import { DEFAULT_ENSEMBLE } from '../ensemble/layout.js';
import { ensembleSize, growEnsemble, shrinkEnsemble } from '../ensemble/resize.js';
import { EXIT, InputError } from '../errors.js';
import { RunStore, replaceFileInside, resultsRoot } from '../run/store.js';
import { VERSION } from '../version.js';
import { etcdIslands } from './islands.js';
import { buildMatrix, describeFault, type FaultFilter } from './matrix.js';
import { quorumPage } from './page.js';
import { type CaseOutcome, runCase } from './run-case.js';
import { type QuorumSummary, summarize } from './summary.js';
import { textTable } from './table.js';

export interface QuorumOptions {
  /** etcd, zookeeper, nats, or etcd-islands (the negative control). */
  db: string;
  sizes: number[];
  sites: number[][];
  keep: FaultFilter;
  /** Main phase of each case, s. */
  caseS: number;
  opTimeoutS: number;
  seed: number;
  nodeFlags: NodeFlags;
  resultsDir?: string;
  /** Table and verdict lines. */
  out: (line: string) => void;
  /** Progress lines. */
  log: (line: string) => void;
  signal?: AbortSignal;
}

export interface QuorumResult {
  dir: string;
  summary: QuorumSummary;
  exitCode: number;
}

/** The db called `name`; it must be killable (crashes are half the matrix). */
export function quorumDb(name: string): Db {
  const db = name === etcdIslands.name ? etcdIslands : DBS.find(name);
  if (!db) {
    throw new InputError(`unknown db "${name}" (known: ${[...DBS.names(), etcdIslands.name].join(', ')})`, {
      field: '--db',
    });
  }
  if (!hasCapability(db, 'kill')) throw new InputError(`db ${name} cannot be killed`, { field: '--db' });
  return db;
}

export async function runQuorum(options: QuorumOptions): Promise<QuorumResult> {
  const db = quorumDb(options.db);
  const cases = buildMatrix(options.sizes, options.sites, options.keep);
  if (cases.length === 0)
    throw new InputError('no case left: --faults excludes every fault', { field: '--faults' });
  const largest = Math.max(...cases.map((c) => c.size));
  const local = options.nodeFlags.nodes === undefined && options.nodeFlags.nodesFile === undefined;
  const ensemble = options.nodeFlags.ensemble ?? DEFAULT_ENSEMBLE;
  const found = local ? await ensembleSize(ensemble) : undefined;
  if (local && found === undefined) {
    throw new InputError(
      `there is no local ensemble ${ensemble}: run \`faultline cluster up --name ${ensemble}\``,
      {
        field: '--ensemble',
      },
    );
  }
  const started = new Date();
  const store = RunStore.create(resultsRoot(options.resultsDir), `quorum-${db.name}`, started);
  const log = (line: string): void => {
    store.log(line);
    options.log(line);
  };
  log(
    `quorum ${db.name}: ${cases.length} cases, sizes ${options.sizes.join(',')}, ${options.caseS} s each; run folder ${store.dir}`,
  );
  const outcomes: CaseOutcome[] = [];
  try {
    if (local && found !== undefined && largest > found) {
      log(`growing ensemble ${ensemble} from ${found} to ${largest} nodes for this run`);
      await growEnsemble(ensemble, largest);
    }
    const remote = await remoteFromOptions(options.nodeFlags);
    try {
      if (remote.nodes.length < largest) {
        throw new InputError(`size ${largest} needs ${largest} nodes; ${remote.nodes.length} given`, {
          field: '--sizes',
        });
      }
      for (const [i, c] of cases.entries()) {
        if (options.signal?.aborted) break;
        log(`case ${i + 1}/${cases.length} ${c.id}: ${describeFault(c)}`);
        const outcome = await runCase(c, {
          db,
          remote,
          nodes: remote.nodes.slice(0, c.size),
          seed: options.seed + i,
          timing: { caseS: options.caseS, opTimeoutS: options.opTimeoutS },
          root: join(store.dir, 'cases'),
          log: (line) => store.log(line),
          ...(options.signal ? { signal: options.signal } : {}),
        });
        outcomes.push(outcome);
        const m = outcome.measurement;
        log(
          `case ${c.id}: ${m.sides.map((s) => `${s.nodes.join(',')} writable ${s.writable}`).join('; ') || 'no live side'}` +
            `${m.splitBrain ? '; SPLIT-BRAIN' : ''}; linearizable ${outcome.linearizable}; ${outcome.durationS.toFixed(0)} s` +
            `${outcome.error ? `; ${outcome.error}` : ''}`,
        );
      }
    } finally {
      await remote.close();
    }
  } finally {
    if (local && found !== undefined && largest > found) {
      log(`shrinking ensemble ${ensemble} back to ${found} nodes`);
      await shrinkEnsemble(ensemble, found);
    }
  }

  const summary = summarize(outcomes, (dir) => relative(store.dir, dir));
  const durationS = (Date.now() - started.getTime()) / 1000;
  const facts = {
    db: db.name,
    sizes: options.sizes,
    sites: options.sites,
    caseS: options.caseS,
    seed: options.seed,
    startedAt: started.toISOString(),
    durationS,
    versions: [...new Set(outcomes.flatMap((o) => o.versions))],
  };
  const interrupted = options.signal?.aborted === true;
  replaceFileInside(
    store.dir,
    'quorum.json',
    `${JSON.stringify({ faultline: VERSION, ...facts, interrupted, ...summary }, null, 2)}\n`,
  );
  replaceFileInside(store.dir, 'quorum.html', quorumPage(summary, facts));
  store.linkLatest();
  options.out(textTable(summary));
  options.out(
    `quorum ${db.name}: ${summary.verdict}${interrupted ? ' (interrupted)' : ''}; ${(durationS / 60).toFixed(1)} min`,
  );
  options.out(`results: ${join(store.dir, 'quorum.html')}`);
  const exitCode =
    summary.verdict === 'invalid'
      ? EXIT.invalid
      : summary.verdict === 'unknown' || interrupted
        ? EXIT.unknown
        : EXIT.valid;
  return { dir: store.dir, summary, exitCode };
}
