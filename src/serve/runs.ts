/**
 * The runs under a results folder, summarised from their small files only (results.json,
 * test.json): never a history. Summaries are cached by the files' modification times, so
 * listing again costs two stats per run. Everything is read asynchronously, through
 * {@link openRegularInside}: a run folder or file leading out of the results folder is not
 * there, and a run whose files are malformed is listed as unreadable rather than hiding
 * the others.
 */
import type { Dirent, Stats } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { Validity } from '../../checkers/result.js';
import { directoryInside, openRegularInside, readTextInside } from './inside-root.js';

/** Latency quantiles in ms (`null` where JSON could not hold the number). */
export interface Quantiles {
  count: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  p999: number | null;
  max: number | null;
}

/** One run, as the browser lists it. */
export interface RunSummary {
  /** `<test>/<timestamp>`: the run folder relative to the results folder. */
  id: string;
  test: string;
  /** The folder name, e.g. `20261127T210649.123Z`. */
  timestamp: string;
  startedAt: string | null;
  verdict: Validity | null;
  durationS: number | null;
  /** Client operations invoked. */
  ops: number | null;
  /** What went wrong, in short: `linearizable`, `list-append: G-single, G2-item`, `set: 3 lost`. */
  anomalies: string[];
  interrupted: boolean;
  error: string | null;
  perf: PerfFigures | null;
  hasReport: boolean;
  /** Why the run's results.json or test.json could not be read (`null`: they could). */
  unreadable: string | null;
}

/** The figures a comparison needs, from the perf checker's result. */
export interface PerfFigures {
  okPerSecond: number;
  availability: number | null;
  counts: { ok: number; fail: number; info: number };
  latency: Quantiles;
  byState: Record<string, Quantiles>;
  longestOutageS: number | null;
  recoveries: { kind: string; recoverS: number | null }[];
}

/** A safe path segment of a run id (no separators, no dot-only names). */
export const SEGMENT = /^(?!\.{1,2}$)[A-Za-z0-9._-]+$/;

/** The largest results.json or test.json the listing reads. */
const MAX_SUMMARY_BYTES = 64 << 20;

interface Cached {
  resultsMtime: number;
  testMtime: number;
  summary: RunSummary;
}

/** Lists and summarises runs, caching summaries by modification time. */
export class RunIndex {
  private readonly cache = new Map<string, Cached>();

  constructor(readonly root: string) {}

  /**
   * The run folder of an id (its real path, inside the results folder), or undefined when
   * the id is malformed, names no folder, or leads out of the results folder.
   */
  async dirOf(id: string): Promise<string | undefined> {
    const parts = id.split('/');
    if (parts.length !== 2 || !parts.every((p) => SEGMENT.test(p))) return undefined;
    return directoryInside(this.root, join(this.root, parts[0]!, parts[1]!));
  }

  /** Every run, newest first. A run that cannot be summarised is listed as unreadable. */
  async list(): Promise<RunSummary[]> {
    const out: RunSummary[] = [];
    for (const test of await dirs(this.root)) {
      for (const ts of await dirs(join(this.root, test))) {
        const id = `${test}/${ts}`;
        const s = await this.summary(id).catch((err: unknown) => unreadableRun(id, (err as Error).message));
        if (s) out.push(s);
      }
    }
    return out.sort((a, b) => (b.startedAt ?? b.timestamp).localeCompare(a.startedAt ?? a.timestamp));
  }

  /** One run's summary, or undefined when the folder holds no run. */
  async summary(id: string): Promise<RunSummary | undefined> {
    const dir = await this.dirOf(id);
    if (!dir) return undefined;
    const [results, facts, report] = await Promise.all(
      ['results.json', 'test.json', 'report.html'].map((f) => regularStats(this.root, join(dir, f))),
    );
    if (results === 'absent' && facts === 'absent') return undefined;
    if (results === 'refused' || facts === 'refused') {
      const name = results === 'refused' ? 'results.json' : 'test.json';
      return unreadableRun(id, `${name}: not a regular file inside the results folder`);
    }
    const resultsMtime = results === 'absent' ? 0 : results.mtimeMs;
    const testMtime = facts === 'absent' ? 0 : facts.mtimeMs;
    const hasReport = typeof report === 'object';
    const hit = this.cache.get(id);
    if (hit && hit.resultsMtime === resultsMtime && hit.testMtime === testMtime) {
      if (hit.summary.hasReport !== hasReport) hit.summary = { ...hit.summary, hasReport };
      return hit.summary;
    }
    const summary = { ...(await this.read(id, dir)), hasReport };
    this.cache.set(id, { resultsMtime, testMtime, summary });
    return summary;
  }

  private async read(id: string, dir: string): Promise<RunSummary> {
    try {
      const [results, facts] = await Promise.all([
        readJson(this.root, dir, 'results.json'),
        readJson(this.root, dir, 'test.json'),
      ]);
      return summarise(id, results, facts);
    } catch (err) {
      return unreadableRun(id, (err as Error).message);
    }
  }
}

/** A run listed only by its id, with why it could not be read. */
function unreadableRun(id: string, why: string): RunSummary {
  const [test, timestamp] = id.split('/') as [string, string];
  return {
    id,
    test,
    timestamp,
    startedAt: null,
    verdict: null,
    durationS: null,
    ops: null,
    anomalies: [],
    interrupted: false,
    error: null,
    perf: null,
    hasReport: false,
    unreadable: why,
  };
}

/** Folders (not symlinks: `latest` would list a run twice) with safe names. */
async function dirs(path: string): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(path, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.filter((e) => e.isDirectory() && SEGMENT.test(e.name)).map((e) => e.name);
}

/** The stats of a regular file inside the root; else whether nothing is there or something refused is. */
async function regularStats(root: string, path: string): Promise<Stats | 'absent' | 'refused'> {
  const file = await openRegularInside(root, path);
  if (file) {
    await file.handle.close().catch(() => undefined);
    return file.stats;
  }
  return (await lstat(path).then(
    () => true,
    () => false,
  ))
    ? 'refused'
    : 'absent';
}

/** A JSON object file of a run, or null when it is not there; throws naming the file when malformed. */
async function readJson(root: string, dir: string, name: string): Promise<unknown> {
  const text = await readTextInside(root, dir, name, MAX_SUMMARY_BYTES).catch(() => {
    throw new Error(`${name}: larger than ${MAX_SUMMARY_BYTES} bytes`);
  });
  if (text === undefined) return null;
  try {
    return JSON.parse(text);
  } catch (err) {
    const at = /position \d+/.exec((err as Error).message)?.[0];
    throw new Error(`${name}: not valid JSON${at ? ` (at ${at})` : ''}`);
  }
}

const finite = z.number().finite();
const quantiles = z.looseObject({
  count: finite,
  p50: finite.nullable(),
  p90: finite.nullable(),
  p99: finite.nullable(),
  p999: finite.nullable(),
  max: finite.nullable(),
});
const perfSchema = z.looseObject({
  start: finite,
  end: finite,
  counts: z.looseObject({ ok: finite, fail: finite, info: finite }),
  latency: z.looseObject({ overall: quantiles, byState: z.record(z.string(), quantiles) }),
  availability: z.looseObject({ overall: finite.nullable().optional() }).optional(),
  longestOutage: z.looseObject({ durationS: finite }).nullable().optional(),
  recoveries: z.array(z.looseObject({ kind: z.string(), recoverS: finite.nullable() })).optional(),
});
const validity = z.union([z.literal(true), z.literal(false), z.literal('unknown')]);
const resultsSchema = z
  .looseObject({
    valid: validity.optional(),
    interrupted: z.boolean().optional(),
    error: z.string().optional(),
    stats: z.looseObject({ invoke: finite.optional(), durationS: finite.optional() }).optional(),
    results: z.record(z.string(), z.looseObject({ valid: validity.optional() })).optional(),
  })
  .nullable();
const factsSchema = z
  .looseObject({
    name: z.string().optional(),
    startedAt: z.string().optional(),
    durationS: finite.optional(),
  })
  .nullable();

/** `results.json: field results.perf.counts.ok: Invalid input: expected number, received string`. */
function parsed<T>(schema: z.ZodType<T>, value: unknown, file: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = issue.path.map(String).join('.');
  throw new Error(`${file}: ${field ? `field ${field}: ` : ''}${issue.message}`);
}

/**
 * A run's summary from its results.json and test.json as parsed (either may be null when
 * missing); throws an Error naming file and field when one does not have the expected shape.
 */
export function summarise(id: string, resultsJson: unknown, factsJson: unknown): RunSummary {
  const results = parsed(resultsSchema, resultsJson, 'results.json');
  const facts = parsed(factsSchema, factsJson, 'test.json');
  const [test, timestamp] = id.split('/') as [string, string];
  const checkers = results?.results ?? {};
  const perf =
    checkers.perf === undefined ? undefined : parsed(perfSchema, checkers.perf, 'results.json perf');
  const counts = perf?.counts;
  const span = perf ? perf.end - perf.start : 0;
  return {
    id,
    test: facts?.name ?? test,
    timestamp,
    startedAt: facts?.startedAt ?? null,
    verdict: results?.valid ?? null,
    durationS: facts?.durationS ?? results?.stats?.durationS ?? null,
    ops: results?.stats?.invoke ?? (counts ? counts.ok + counts.fail + counts.info : null),
    anomalies: Object.entries(checkers)
      .filter(([, r]) => r.valid !== true)
      .map(([name, r]) => anomalyText(name, r)),
    interrupted: results?.interrupted === true,
    error: results?.error ?? null,
    perf: perf
      ? {
          okPerSecond: span > 0 ? perf.counts.ok / span : 0,
          availability: perf.availability?.overall ?? null,
          counts: perf.counts,
          latency: perf.latency.overall,
          byState: perf.latency.byState,
          longestOutageS: perf.longestOutage?.durationS ?? null,
          recoveries: (perf.recoveries ?? []).map((r) => ({ kind: r.kind, recoverS: r.recoverS })),
        }
      : null,
    hasReport: false,
    unreadable: null,
  };
}

function anomalyText(name: string, r: Record<string, unknown>): string {
  const types = r['anomaly-types'];
  if (Array.isArray(types) && types.length > 0) return `${name}: ${types.join(', ')}`;
  if (typeof r.lostCount === 'number' && r.lostCount > 0) return `${name}: ${r.lostCount} lost`;
  if (typeof r.violationCount === 'number' && r.violationCount > 0)
    return `${name}: ${r.violationCount} overlaps`;
  if (typeof r.failedKeys === 'number') return `${name}: ${r.failedKeys} keys`;
  if (r.valid === 'unknown') return `${name}: unknown`;
  return name;
}
