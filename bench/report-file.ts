/**
 * Peak memory and time of rendering a run's report from its history.jsonl: read whole into
 * an array (`memory`: readRunOps + buildReportData, as before the report streamed) or
 * streamed (`stream`: renderRunReport). Each mode runs in a fresh process of its own, so its
 * peak RSS is its own.
 *
 *   npm run build && node dist/bench/report-file.js [ops [node flags of the measuring process…]]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { writeHistoryFile } from '../src/history/codecs/index.js';
import { buildReportData, readRunOps, renderReportHtml } from '../src/report/index.js';
import { renderRunReport } from '../src/report/write.js';
import { syntheticHistory } from './report.js';

/** What one mode measured. */
export interface ReportFileFigures {
  mode: 'memory' | 'stream';
  renderMs: number;
  /** Peak resident set size of the process, MiB. */
  peakRssMiB: number;
  reportMiB: number;
}

/** A mode whose process failed (out of memory, under a heap limit). */
export interface ReportFileFailure {
  mode: ReportFileFigures['mode'];
  failed: true;
}

/** Renders the report of `runDir` in this process and measures it. */
async function measure(mode: ReportFileFigures['mode'], runDir: string): Promise<ReportFileFigures> {
  const began = performance.now();
  const html =
    mode === 'memory'
      ? renderReportHtml(buildReportData(await readRunOps(runDir), null, {}))
      : await renderRunReport(runDir);
  const renderMs = Math.round(performance.now() - began);
  return {
    mode,
    renderMs,
    // maxRSS is in KiB.
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    reportMiB: Math.round((Buffer.byteLength(html) / 2 ** 20) * 10) / 10,
  };
}

/**
 * Writes a run folder of about `ops` ops, then measures each mode in a child process run
 * with `heapFlags` (e.g. `--max-old-space-size=256`, to see which mode fits).
 */
async function run(ops: number, heapFlags: string[]): Promise<(ReportFileFigures | ReportFileFailure)[]> {
  const runDir = mkdtempSync(join(tmpdir(), 'faultline-bench-report-file-'));
  try {
    await writeHistoryFile(join(runDir, 'history.jsonl'), syntheticHistory(ops));
    writeFileSync(join(runDir, 'test.json'), '{"name":"report-file"}');
    const script = fileURLToPath(import.meta.url);
    return (['memory', 'stream'] as const).map((mode) => {
      try {
        const out = execFileSync(process.execPath, [...heapFlags, script, 'measure', mode, runDir], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        });
        return JSON.parse(out) as ReportFileFigures;
      } catch {
        // Out of memory under the given heap limit, most likely.
        return { mode, failed: true };
      }
    });
  } finally {
    rmSync(runDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv[2] === 'measure') {
    const mode = process.argv[3] === 'memory' ? 'memory' : 'stream';
    process.stdout.write(JSON.stringify(await measure(mode, process.argv[4] ?? '.')));
  } else {
    const ops = process.argv[2] ? Number(process.argv[2]) : 2_000_000;
    for (const figures of await run(ops, process.argv.slice(3)))
      console.log(JSON.stringify({ ops, ...figures }));
  }
}
