/**
 * The series store: one append-only JSONL file per series, `<results>/series/<plan>/<case>/<metric>.jsonl`.
 * Each point is one line written by a single O_APPEND write, so concurrent writers (two nightly
 * runs, `npm run bench`) never interleave inside a line; readers skip a torn last line.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Better } from './regression.js';

/** Which series: the plan (or `microbench`), the case within it, and the metric. */
export interface SeriesKey {
  plan: string;
  case: string;
  metric: string;
}

/** One measurement. */
export interface SeriesPoint {
  /** ISO 8601 time of the run. */
  time: string;
  value: number;
  unit: string;
  better: Better;
  /** The run folder, relative to the results root, when the point has one (its report is there). */
  run?: string;
  /** Repetition within the night, from 0. */
  repetition?: number;
  commit?: string | null;
  faultline?: string;
  /** db version, node count and anything else worth a tooltip. */
  notes?: Record<string, string | number>;
}

/** A series with its points, oldest first. */
export interface Series {
  key: SeriesKey;
  points: SeriesPoint[];
}

/** A key part as a file name: no separators, nothing hidden. */
export function safePart(part: string): string {
  return part.replace(/[^A-Za-z0-9._+-]+/g, '_').replace(/^\.+/, '_') || '_';
}

/** The series store under `<root>/series/`. */
export class SeriesStore {
  readonly dir: string;

  constructor(readonly root: string) {
    this.dir = join(root, 'series');
  }

  /** The file of a series. */
  fileOf(key: SeriesKey): string {
    return join(this.dir, safePart(key.plan), safePart(key.case), `${safePart(key.metric)}.jsonl`);
  }

  /** Appends one point (one write of one line). */
  append(key: SeriesKey, point: SeriesPoint): void {
    const file = this.fileOf(key);
    mkdirSync(join(file, '..'), { recursive: true });
    appendFileSync(file, `${JSON.stringify(point)}\n`);
  }

  /** The points of a series, oldest first by time (lines that do not parse are skipped). */
  read(key: SeriesKey): SeriesPoint[] {
    const file = this.fileOf(key);
    if (!existsSync(file)) return [];
    const points: SeriesPoint[] = [];
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        const p = JSON.parse(line) as SeriesPoint;
        if (typeof p.value === 'number' && typeof p.time === 'string') points.push(p);
      } catch {
        // a torn line from a writer that was killed mid-write
      }
    }
    // Stable: points of the same time keep their append order.
    return points
      .map((p, i) => ({ p, i }))
      .sort((a, b) => a.p.time.localeCompare(b.p.time) || a.i - b.i)
      .map((x) => x.p);
  }

  /** Every stored series key, optionally of one plan only. */
  keys(plan?: string): SeriesKey[] {
    const keys: SeriesKey[] = [];
    for (const p of subdirs(this.dir)) {
      if (plan !== undefined && p !== safePart(plan)) continue;
      for (const c of subdirs(join(this.dir, p))) {
        for (const f of readdirSync(join(this.dir, p, c))) {
          if (f.endsWith('.jsonl')) keys.push({ plan: p, case: c, metric: f.slice(0, -'.jsonl'.length) });
        }
      }
    }
    return keys;
  }

  /** Every series (of one plan), read. */
  readAll(plan?: string): Series[] {
    return this.keys(plan).map((key) => ({ key, points: this.read(key) }));
  }
}

function subdirs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((d) => statSync(join(dir, d)).isDirectory())
    .sort();
}
