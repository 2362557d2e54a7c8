import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckResult } from '../../checkers/result.js';
import { InputError } from '../errors.js';
import { readOps, valueProblem } from '../history/codecs/index.js';
import type { Op } from '../history/op.js';
import { buildReportData, type ReportLimits } from './data.js';
import { renderReportHtml } from './html.js';

/** The report's file name inside a run folder. */
export const REPORT_FILE = 'report.html';

/** Options of {@link writeReport}. */
export interface WriteReportOptions extends ReportLimits {
  /** The run's ops, when the caller has them (else history.jsonl or history.edn is read). */
  ops?: readonly Op[];
}

/**
 * Writes `<runDir>/report.html` from the run's history, results.json and test.json, and
 * returns its path. A run without results.json still gets a report (its history and
 * performance); a run without any history file is an {@link InputError}.
 */
export async function writeReport(runDir: string, options: WriteReportOptions = {}): Promise<string> {
  const ops = options.ops ?? (await readRunOps(runDir));
  const results = readJson(join(runDir, 'results.json')) as CheckResult | null;
  const facts = (readJson(join(runDir, 'test.json')) ?? {}) as Record<string, unknown>;
  const html = renderReportHtml(buildReportData(ops, results, facts, options));
  const out = join(runDir, REPORT_FILE);
  writeFileSync(`${out}.tmp`, html);
  renameSync(`${out}.tmp`, out);
  return out;
}

/** The ops of a stored run: history.jsonl (even torn), else history.edn. */
export async function readRunOps(runDir: string): Promise<Op[]> {
  const file = ['history.jsonl', 'history.edn'].map((f) => join(runDir, f)).find((f) => existsSync(f));
  if (!file) throw new InputError('no history.jsonl or history.edn in the run folder', { file: runDir });
  const ops: Op[] = [];
  for await (const op of readOps(file)) ops.push(op);
  return ops;
}

function readJson(path: string): unknown {
  if (!existsSync(path)) return null;
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new InputError(`not valid JSON: ${(err as Error).message}`, { file: path });
  }
  // The report walks these recursively: refuse what a history reader would refuse too.
  const problem = valueProblem(value);
  if (problem)
    throw new InputError(problem.reason, {
      file: path,
      field: problem.path.replace(/^\./, '').slice(0, 40) || undefined,
    });
  return value;
}
