/**
 * The checkers' own micro-benchmarks (`npm run bench`) as series: every numeric figure whose
 * name says which way is better becomes a point of `microbench/<module>[.<sub-case>]/<figure>`,
 * judged like the cluster's figures.
 */
import type { Better } from './regression.js';
import { type SeriesKey, type SeriesPoint, SeriesStore } from './series.js';

/** Which way a figure is better, from its name; undefined when the name does not say (inputs, counts). */
export function figureDirection(name: string): Better | undefined {
  if (/^(target|max|min)[A-Z]/.test(name)) return undefined; // a setting, not a measurement
  if (/(PerSecond|PerCpuSecond|Throughput)$|^throughput$/.test(name)) return 'higher';
  // A percentile counts too (p99Ms).
  if (/[a-z0-9](Ms|CpuMs|Seconds|CpuSeconds|MiB)$/.test(name)) return 'lower';
  return undefined;
}

/** One figure found in a module's output. */
export interface Figure {
  case: string;
  metric: string;
  value: number;
  better: Better;
  /** A tinybench task's margin of error and sample count, kept beside its times. */
  notes?: Record<string, number>;
}

/**
 * The judged figures of one module's output: numbers at any depth; objects in arrays are sub-cases
 * named by their `case`/`name` field (else their position); arrays of numbers are left out.
 */
export function benchFigures(module: string, output: unknown): Figure[] {
  const found: Figure[] = [];
  const walk = (value: unknown, where: string, name: string, notes?: Record<string, number>): void => {
    if (typeof value === 'number') {
      const better = figureDirection(name);
      if (better && Number.isFinite(value)) {
        found.push({ case: where, metric: name, value, better, ...(notes ? { notes } : {}) });
      }
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => {
        if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
          const o = v as Record<string, unknown>;
          const label = typeof o.case === 'string' ? o.case : typeof o.name === 'string' ? o.name : String(i);
          walk(v, `${where}.${name ? `${name}.` : ''}${label}`, '');
        }
      });
    } else if (value !== null && typeof value === 'object') {
      const o = value as Record<string, unknown>;
      const own =
        typeof o.rmePercent === 'number'
          ? { rmePercent: o.rmePercent, samples: Number(o.samples) }
          : undefined;
      for (const [k, v] of Object.entries(o)) {
        const child = v !== null && typeof v === 'object' && !Array.isArray(v) ? `${where}.${k}` : where;
        walk(v, child, k, own);
      }
    }
  };
  walk(output, module, '');
  return found;
}

/** Appends every judged figure of a `npm run bench` run to the series store; returns the keys written. */
export function recordBenchFigures(
  root: string,
  figures: Record<string, unknown>,
  point: Omit<SeriesPoint, 'value' | 'better' | 'unit'>,
): SeriesKey[] {
  const store = new SeriesStore(root);
  const keys: SeriesKey[] = [];
  for (const [module, output] of Object.entries(figures)) {
    if (output !== null && typeof output === 'object' && 'error' in output) continue;
    for (const f of benchFigures(module, output)) {
      const key = { plan: 'microbench', case: f.case, metric: f.metric };
      store.append(key, {
        ...point,
        value: f.value,
        better: f.better,
        unit: unitOf(f.metric),
        ...(f.notes ? { notes: f.notes } : {}),
      });
      keys.push(key);
    }
  }
  return keys;
}

function unitOf(metric: string): string {
  const m = /(PerSecond|PerCpuSecond|CpuMs|Ms|CpuSeconds|Seconds|MiB)$/.exec(metric);
  return m
    ? {
        PerSecond: '/s',
        PerCpuSecond: '/cpu-s',
        CpuMs: 'cpu ms',
        Ms: 'ms',
        CpuSeconds: 'cpu s',
        Seconds: 's',
        MiB: 'MiB',
      }[m[1]!]!
    : '';
}
