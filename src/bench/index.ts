/** Benchmarks over time: bench plans, the series store, change-point verdicts and the trend page. */
export { type BenchOptions, type BenchOutcome, type CaseRun, runBench } from './bench.js';
export {
  bestSplit,
  type EDivisiveOptions,
  eDivisive,
  energyAt,
  permutationP,
  type Split,
} from './changepoint.js';
export { type BenchEnvironment, benchEnvironment } from './environment.js';
export { judgeStore, keyText, type SeriesJudgement } from './judge.js';
export { caseMetrics, type Metric, measuredWindow } from './metrics.js';
export { benchFigures, figureDirection, recordBenchFigures } from './microbench.js';
export {
  type BenchCase,
  type BenchPlan,
  BenchPlanSchema,
  benchCases,
  loadBenchPlan,
  parseBenchPlan,
} from './plan.js';
export {
  type Better,
  type ChangeEvidence,
  type JudgeOptions,
  judgeSeries,
  type SeriesVerdict,
  type Verdict,
} from './regression.js';
export { type Series, type SeriesKey, type SeriesPoint, SeriesStore } from './series.js';
export { mannWhitney } from './stats.js';
export { type TrendOptions, trendHtml, writeTrendPage } from './trend.js';
