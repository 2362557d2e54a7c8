/** Verdicts over the series store: every series judged by {@link judgeSeries}. */
import { type Better, type JudgeOptions, judgeSeries, type SeriesVerdict } from './regression.js';
import type { SeriesKey, SeriesPoint, SeriesStore } from './series.js';

/** A series with its verdict. */
export interface SeriesJudgement {
  key: SeriesKey;
  unit: string;
  better: Better;
  points: SeriesPoint[];
  verdict: SeriesVerdict;
}

/** Judges every series of the store (of one plan when `plan` is given), sorted by key. */
export function judgeStore(
  store: SeriesStore,
  options: JudgeOptions & { plan?: string } = {},
): SeriesJudgement[] {
  const { plan, ...judge } = options;
  return store
    .readAll(plan)
    .filter((s) => s.points.length > 0)
    .map((s) => {
      const last = s.points.at(-1)!;
      return {
        key: s.key,
        unit: last.unit,
        better: last.better,
        points: s.points,
        verdict: judgeSeries(
          s.points.map((p) => p.value),
          last.better,
          judge,
        ),
      };
    });
}

/** `plan/case/metric`. */
export function keyText(key: SeriesKey): string {
  return `${key.plan}/${key.case}/${key.metric}`;
}
