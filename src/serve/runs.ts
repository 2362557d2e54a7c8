/**
 * The runs under a results folder, summarised from their small files only (results.json,
 * test.json): never a history. Summaries are cached by the files' modification times, so
 * listing again costs two stats per run.
 */
import { type Dirent, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { PerfResult } from '../../checkers/perf.js';
import type { Validity } from '../../checkers/result.js';

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
}

/** The figures a comparison needs, from the perf checker's result. */
export interface PerfFigures {
  okPerSecond: number;
  availability: number | null;
  counts: { ok: number; fail: number; info: number };
  latency: PerfResult['latency']['overall'];
  byState: PerfResult['latency']['byState'];
  longestOutageS: number | null;
  recoveries: { kind: string; recoverS: number | null }[];
}

/** A safe path segment of a run id (no separators, no dot-only names). */
export const SEGMENT = /^(?!\.{1,2}$)[A-Za-z0-9._-]+$/;

interface Cached {
  resultsMtime: number;
  testMtime: number;
  reportExists: boolean;
  summary: RunSummary;
}

/** Lists and summarises runs, caching summaries by modification time. */
export class RunIndex {
  private readonly cache = new Map<string, Cached>();

  constructor(readonly root: string) {}

  /** The run folder of an id, or undefined when the id is malformed or names no run. */
  dirOf(id: string): string | undefined {
    const parts = id.split('/');
    if (parts.length !== 2 || !parts.every((p) => SEGMENT.test(p))) return undefined;
    const dir = join(this.root, parts[0]!, parts[1]!);
    try {
      return statSync(dir).isDirectory() ? dir : undefined;
    } catch {
      return undefined;
    }
  }

  /** Every run, newest first. */
  list(): RunSummary[] {
    const out: RunSummary[] = [];
    for (const test of dirs(this.root)) {
      for (const ts of dirs(join(this.root, test))) {
        const s = this.summary(`${test}/${ts}`);
        if (s) out.push(s);
      }
    }
    return out.sort((a, b) => (b.startedAt ?? b.timestamp).localeCompare(a.startedAt ?? a.timestamp));
  }

  /** One run's summary, or undefined when the folder holds no run. */
  summary(id: string): RunSummary | undefined {
    const dir = this.dirOf(id);
    if (!dir) return undefined;
    const resultsMtime = mtime(join(dir, 'results.json'));
    const testMtime = mtime(join(dir, 'test.json'));
    if (resultsMtime === 0 && testMtime === 0) return undefined;
    const reportExists = existsSync(join(dir, 'report.html'));
    const hit = this.cache.get(id);
    if (hit && hit.resultsMtime === resultsMtime && hit.testMtime === testMtime) {
      if (hit.reportExists !== reportExists) {
        hit.reportExists = reportExists;
        hit.summary.hasReport = reportExists;
      }
      return hit.summary;
    }
    const summary = summarise(id, readJson(join(dir, 'results.json')), readJson(join(dir, 'test.json')));
    summary.hasReport = reportExists;
    this.cache.set(id, { resultsMtime, testMtime, reportExists, summary });
    return summary;
  }
}

function dirs(path: string): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(path, { withFileTypes: true });
  } catch {
    return [];
  }
  // Symlinks (`latest`) are not directories here, so each run is listed once.
  return entries.filter((e) => e.isDirectory() && SEGMENT.test(e.name)).map((e) => e.name);
}

function mtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function readJson(path: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(readFileSync(path, 'utf8'));
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** A run's summary from its results.json and test.json (either may be missing). */
export function summarise(
  id: string,
  results: Record<string, unknown> | null,
  facts: Record<string, unknown> | null,
): RunSummary {
  const [test, timestamp] = id.split('/') as [string, string];
  const stats = (results?.stats ?? {}) as Record<string, unknown>;
  const checkers = (results?.results ?? {}) as Record<string, Record<string, unknown>>;
  const perf = checkers.perf as unknown as PerfResult | undefined;
  const v = results?.valid;
  const verdict: Validity | null = v === true || v === false || v === 'unknown' ? v : null;
  const counts = perf?.counts;
  const span = perf ? perf.end - perf.start : 0;
  return {
    id,
    test: typeof facts?.name === 'string' ? facts.name : test,
    timestamp,
    startedAt: typeof facts?.startedAt === 'string' ? facts.startedAt : null,
    verdict,
    durationS: num(facts?.durationS) ?? num(stats.durationS),
    ops: num(stats.invoke) ?? (counts ? counts.ok + counts.fail + counts.info : null),
    anomalies: Object.entries(checkers)
      .filter(([, r]) => r && r.valid !== true)
      .map(([name, r]) => anomalyText(name, r)),
    interrupted: results?.interrupted === true,
    error: typeof results?.error === 'string' ? results.error : null,
    perf:
      perf && counts && perf.latency
        ? {
            okPerSecond: span > 0 ? counts.ok / span : 0,
            availability: perf.availability?.overall ?? null,
            counts,
            latency: perf.latency.overall,
            byState: perf.latency.byState,
            longestOutageS: perf.longestOutage?.durationS ?? null,
            recoveries: (perf.recoveries ?? []).map((r) => ({ kind: r.kind, recoverS: r.recoverS })),
          }
        : null,
    hasReport: false,
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
