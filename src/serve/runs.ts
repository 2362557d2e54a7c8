/**
 * The runs under a results folder, summarised from their small files only (results.json,
 * test.json): never a history. Summaries are cached by the files' modification times, so
 * listing again costs two stats per run. Everything is read asynchronously, through
 * {@link InsideRoot}: a run folder or file leading out of the results folder is not
 * there, and a run whose files are malformed is listed as unreadable rather than hiding
 * the others.
 */
import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Validity } from '../../checkers/result.js';
import { InsideRoot, type RegularFile } from './inside-root.js';

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

/** Runs summarised at once while listing: enough to keep the thread pool busy, few open files. */
const LIST_CONCURRENCY = 32;

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
  async dirOf(id: string, inside?: InsideRoot): Promise<string | undefined> {
    const parts = id.split('/');
    if (parts.length !== 2 || !parts.every((p) => SEGMENT.test(p))) return undefined;
    const root = inside ?? (await this.inside());
    return root?.directory(join(root.real, parts[0]!, parts[1]!));
  }

  /** The results folder as the judge of paths (undefined while it does not exist). */
  inside(): Promise<InsideRoot | undefined> {
    return InsideRoot.of(this.root);
  }

  /** Every run, newest first. A run that cannot be summarised is listed as unreadable. */
  async list(): Promise<RunSummary[]> {
    const inside = await this.inside();
    if (!inside) return [];
    const ids: string[] = [];
    for (const test of await dirs(inside.real)) {
      for (const ts of await dirs(join(inside.real, test))) ids.push(`${test}/${ts}`);
    }
    // These folders were just listed as real directories (no symlinks) of the real root, so
    // they need no resolving; every file read in them is still checked once open.
    const summaries = await mapLimited(ids, LIST_CONCURRENCY, (id) =>
      this.summaryOf(inside, id, join(inside.real, id)).catch((err: unknown) =>
        unreadableRun(id, (err as Error).message),
      ),
    );
    return summaries
      .filter((s): s is RunSummary => s !== undefined)
      .sort((a, b) => (b.startedAt ?? b.timestamp).localeCompare(a.startedAt ?? a.timestamp));
  }

  /** One run's summary, or undefined when the folder holds no run. */
  async summary(id: string, inside?: InsideRoot): Promise<RunSummary | undefined> {
    const root = inside ?? (await this.inside());
    const dir = root && (await this.dirOf(id, root));
    return root && dir ? this.summaryOf(root, id, dir) : undefined;
  }

  private async summaryOf(root: InsideRoot, id: string, dir: string): Promise<RunSummary | undefined> {
    const [results, facts, report] = await Promise.all(
      ['results.json', 'test.json', 'report.html'].map((f) => root.regularFile(join(dir, f))),
    );
    if (results === 'absent' && facts === 'absent') return undefined;
    if (results === 'refused' || facts === 'refused') {
      const name = results === 'refused' ? 'results.json' : 'test.json';
      return unreadableRun(id, `${name}: not a regular file inside the results folder`);
    }
    const resultsMtime = results === 'absent' ? 0 : results.stats.mtimeMs;
    const testMtime = facts === 'absent' ? 0 : facts.stats.mtimeMs;
    const hasReport = typeof report === 'object';
    const hit = this.cache.get(id);
    if (hit && hit.resultsMtime === resultsMtime && hit.testMtime === testMtime) {
      if (hit.summary.hasReport !== hasReport) hit.summary = { ...hit.summary, hasReport };
      return hit.summary;
    }
    const summary = { ...(await this.read(root, id, results, facts)), hasReport };
    this.cache.set(id, { resultsMtime, testMtime, summary });
    return summary;
  }

  private async read(
    root: InsideRoot,
    id: string,
    results: RegularFile | 'absent',
    facts: RegularFile | 'absent',
  ): Promise<RunSummary> {
    try {
      return summarise(
        id,
        await readJson(root, 'results.json', results),
        await readJson(root, 'test.json', facts),
      );
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

/** `f` over `items`, at most `limit` at a time, results in order. */
async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  f: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** A JSON object file of a run, or null when it is not there; throws naming the file when malformed. */
async function readJson(root: InsideRoot, name: string, file: RegularFile | 'absent'): Promise<unknown> {
  if (file === 'absent') return null;
  const text = await root.readText(file.path, MAX_SUMMARY_BYTES, file).catch(() => {
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

/** A field of results.json or test.json that does not have the shape the listing needs. */
class ShapeError extends Error {}

type Json = Record<string, unknown>;

// Small readers of the few fields the listing uses; each names the field it rejects.
// (Hand-written rather than a schema library: the listing parses a thousand files cold.)
function object(v: unknown, field: string): Json {
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw new ShapeError(`field ${field}: expected an object`);
  return v as Json;
}
function optionalObject(v: unknown, field: string): Json | undefined {
  return v === undefined ? undefined : object(v, field);
}
function finite(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ShapeError(`field ${field}: expected a number`);
  return v;
}
function optionalFinite(v: unknown, field: string): number | null {
  return v === undefined || v === null ? null : finite(v, field);
}
function optionalString(v: unknown, field: string): string | null {
  if (v === undefined) return null;
  if (typeof v !== 'string') throw new ShapeError(`field ${field}: expected a string`);
  return v;
}
function validity(v: unknown, field: string): Validity | null {
  if (v === undefined) return null;
  if (v === true || v === false || v === 'unknown') return v;
  throw new ShapeError(`field ${field}: expected true, false or "unknown"`);
}
function quantiles(v: unknown, field: string): Quantiles {
  const q = object(v, field);
  return {
    count: finite(q.count, `${field}.count`),
    p50: optionalFinite(q.p50, `${field}.p50`),
    p90: optionalFinite(q.p90, `${field}.p90`),
    p99: optionalFinite(q.p99, `${field}.p99`),
    p999: optionalFinite(q.p999, `${field}.p999`),
    max: optionalFinite(q.max, `${field}.max`),
  };
}

/** The perf checker's figures; throws {@link ShapeError} naming the field. */
function perfFigures(v: unknown): PerfFigures {
  const perf = object(v, 'results.perf');
  const counts = object(perf.counts, 'results.perf.counts');
  const ok = finite(counts.ok, 'results.perf.counts.ok');
  const fail = finite(counts.fail, 'results.perf.counts.fail');
  const info = finite(counts.info, 'results.perf.counts.info');
  const span = finite(perf.end, 'results.perf.end') - finite(perf.start, 'results.perf.start');
  const latency = object(perf.latency, 'results.perf.latency');
  const byState: Record<string, Quantiles> = {};
  for (const [state, q] of Object.entries(object(latency.byState, 'results.perf.latency.byState'))) {
    byState[state] = quantiles(q, `results.perf.latency.byState.${state}`);
  }
  const recoveries = perf.recoveries ?? [];
  if (!Array.isArray(recoveries)) throw new ShapeError('field results.perf.recoveries: expected an array');
  const outage =
    perf.longestOutage === null
      ? undefined
      : optionalObject(perf.longestOutage, 'results.perf.longestOutage');
  return {
    okPerSecond: span > 0 ? ok / span : 0,
    availability: optionalFinite(
      optionalObject(perf.availability, 'results.perf.availability')?.overall,
      'results.perf.availability.overall',
    ),
    counts: { ok, fail, info },
    latency: quantiles(latency.overall, 'results.perf.latency.overall'),
    byState,
    longestOutageS: outage ? finite(outage.durationS, 'results.perf.longestOutage.durationS') : null,
    recoveries: recoveries.map((r: unknown, i) => {
      const at = `results.perf.recoveries.${i}`;
      const o = object(r, at);
      const kind = optionalString(o.kind, `${at}.kind`);
      if (kind === null) throw new ShapeError(`field ${at}.kind: expected a string`);
      return { kind, recoverS: optionalFinite(o.recoverS, `${at}.recoverS`) };
    }),
  };
}

/**
 * A run's summary from its results.json and test.json as parsed (either may be null when
 * missing); throws an Error naming file and field when one does not have the expected shape.
 */
export function summarise(id: string, resultsJson: unknown, factsJson: unknown): RunSummary {
  const [test, timestamp] = id.split('/') as [string, string];
  let file = 'results.json';
  try {
    const results = resultsJson === null ? undefined : object(resultsJson, '(top)');
    const stats = optionalObject(results?.stats, 'stats');
    const checkers = optionalObject(results?.results, 'results') ?? {};
    const anomalies: string[] = [];
    for (const [name, r] of Object.entries(checkers)) {
      const checker = object(r, `results.${name}`);
      if (validity(checker.valid, `results.${name}.valid`) !== true)
        anomalies.push(anomalyText(name, checker));
    }
    const perf = checkers.perf === undefined ? null : perfFigures(checkers.perf);
    const summary: RunSummary = {
      id,
      test,
      timestamp,
      startedAt: null,
      verdict: validity(results?.valid, 'valid'),
      durationS: optionalFinite(stats?.durationS, 'stats.durationS'),
      ops:
        optionalFinite(stats?.invoke, 'stats.invoke') ??
        (perf ? perf.counts.ok + perf.counts.fail + perf.counts.info : null),
      anomalies,
      interrupted: results?.interrupted === true,
      error: optionalString(results?.error, 'error'),
      perf,
      hasReport: false,
      unreadable: null,
    };
    file = 'test.json';
    const facts = factsJson === null ? undefined : object(factsJson, '(top)');
    summary.test = optionalString(facts?.name, 'name') ?? test;
    summary.startedAt = optionalString(facts?.startedAt, 'startedAt');
    summary.durationS = optionalFinite(facts?.durationS, 'durationS') ?? summary.durationS;
    return summary;
  } catch (err) {
    if (err instanceof ShapeError) throw new Error(`${file}: ${err.message}`);
    throw err;
  }
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
