/**
 * One micro-benchmark task timed by tinybench: warm-up, then samples until both `iterations`
 * and `timeMs` are reached. The figures (milliseconds per run, and tinybench's relative margin
 * of error) are named so that the series store judges the times and keeps the margin and the
 * sample count as notes beside them (see `benchFigures`).
 */
import { Bench } from 'tinybench';

export interface TaskFigures {
  meanMs: number;
  p50Ms: number;
  p75Ms: number;
  p99Ms: number;
  /** Relative margin of error of the mean, in percent (95% confidence). */
  rmePercent: number;
  samples: number;
}

export interface TaskOptions {
  /** Least number of measured runs (default 5). */
  iterations?: number;
  /** Least measuring time in ms (default 0: `iterations` decides). */
  timeMs?: number;
  /** Unmeasured runs first (default 1). */
  warmupIterations?: number;
}

export async function timeTask(
  name: string,
  fn: () => unknown,
  options: TaskOptions = {},
): Promise<TaskFigures> {
  const bench = new Bench({
    name,
    iterations: options.iterations ?? 5,
    time: options.timeMs ?? 0,
    warmupIterations: options.warmupIterations ?? 1,
    warmupTime: 0,
    throws: true,
  });
  bench.add(name, async () => {
    await fn();
  });
  const [task] = await bench.run();
  const result = task?.result;
  if (!result || !('latency' in result))
    throw new Error(`${name}: tinybench gave no statistics (${result?.state})`);
  const l = result.latency;
  const round = (x: number): number => Math.round(x * 1000) / 1000;
  return {
    meanMs: round(l.mean),
    p50Ms: round(l.p50),
    p75Ms: round(l.p75),
    p99Ms: round(l.p99),
    rmePercent: Math.round(l.rme * 100) / 100,
    samples: l.samplesCount,
  };
}
