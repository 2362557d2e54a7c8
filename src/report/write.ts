import { basename, join } from 'node:path';
import type { CheckResult } from '../../checkers/result.js';
import { InputError } from '../errors.js';
import { readOps, valueProblem } from '../history/codecs/index.js';
import type { Op } from '../history/op.js';
import { replaceFileInside } from '../run/store.js';
import { InsideRoot } from '../serve/inside-root.js';
import { buildReportData, ReportBuilder, type ReportData, type ReportLimits } from './data.js';
import { renderReportHtml } from './html.js';

/** The report's file name inside a run folder. */
export const REPORT_FILE = 'report.html';

/** Options of {@link writeReport}. */
export interface WriteReportOptions extends ReportLimits {
  /** The run's ops, when the caller has them (else history.jsonl or history.edn is read). */
  ops?: readonly Op[];
}

/**
 * The report of a run folder as HTML, in memory, from its history, results.json and
 * test.json. Every file is read only if it is a regular file whose real path is inside the
 * run folder (a symlink out of it counts as missing). A run without results.json still gets
 * a report (its history and performance); a run without any history file is an
 * {@link InputError}.
 */
export async function renderRunReport(runDir: string, options: WriteReportOptions = {}): Promise<string> {
  return renderReportHtml(await buildRunReportData(runDir, options));
}

/**
 * The data of a run folder's report (see {@link renderRunReport}): the same as
 * {@link buildReportData} gives from the run's ops, but without `options.ops` the history is
 * streamed: one pass over the opened file keeps compact columns and the text of the few ops
 * the report shows (a second pass, rare, reads those it could not know of), so a long run is
 * never all in memory.
 */
export async function buildRunReportData(
  runDir: string,
  options: WriteReportOptions = {},
): Promise<ReportData> {
  const inside = await runFolder(runDir);
  if (options.ops) {
    const { results, facts } = await readResultsAndFacts(inside);
    return buildReportData(options.ops, results, facts, options);
  }
  // Read first, as the builder needs the cited ops, but a bad history is reported before them.
  const read = await readResultsAndFacts(inside).then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  return withRunHistory(runDir, async (eachOp) => {
    const builder = new ReportBuilder('value' in read ? read.value.results : null, options);
    await eachOp((op, position) => builder.scan(op, position));
    if ('error' in read) throw read.error;
    const missing = builder.plan();
    // Rare (a short sample of a long history): read the same file again for those ops only.
    let next = 0;
    if (missing.length > 0)
      await eachOp((op, position) => {
        if (position !== missing[next]) return;
        builder.keepValue(op, position);
        next++;
      });
    return builder.data(read.value.facts);
  });
}

async function readResultsAndFacts(
  inside: InsideRoot,
): Promise<{ results: CheckResult | null; facts: Record<string, unknown> }> {
  const results = (await readJsonInside(inside, 'results.json')) as CheckResult | null;
  const facts = ((await readJsonInside(inside, 'test.json')) ?? {}) as Record<string, unknown>;
  return { results, facts };
}

/**
 * Writes `<runDir>/report.html` (see {@link renderRunReport}) and returns its path. It is
 * written through a fresh temp file in the run folder and renamed into place, so a symlink
 * named report.html (or planted under a temp name) is never written through.
 */
export async function writeReport(runDir: string, options: WriteReportOptions = {}): Promise<string> {
  return replaceFileInside(runDir, REPORT_FILE, await renderRunReport(runDir, options));
}

/** The ops of a stored run: history.jsonl (even torn), else history.edn; regular files inside the folder only. */
export async function readRunOps(runDir: string): Promise<Op[]> {
  return withRunHistory(runDir, async (eachOp) => {
    const ops: Op[] = [];
    await eachOp((op) => {
      ops.push(op);
    });
    return ops;
  });
}

/** Reads every op of the run's history, in order, with its position; may be called again. */
type EachRunOp = (visit: (op: Op, position: number) => void) => Promise<void>;

/**
 * Opens a run's history (see {@link readRunOps}) and hands `use` a way to read it, as often
 * as it likes: always the very file opened here, even if the folder changes meanwhile.
 */
async function withRunHistory<T>(runDir: string, use: (eachOp: EachRunOp) => Promise<T>): Promise<T> {
  const inside = await runFolder(runDir);
  for (const [name, format] of [
    ['history.jsonl', 'jsonl'],
    ['history.edn', 'edn'],
  ] as const) {
    const file = await inside.openRegular(join(inside.real, name));
    if (!file) continue;
    const eachOp: EachRunOp = async (visit) => {
      try {
        let position = 0;
        // The reader opens the very file checked above (its /proc/self/fd name).
        for await (const op of readOps(file.openPath, { format })) visit(op, position++);
      } catch (err) {
        throw err instanceof InputError ? renamed(err, file.openPath, join(runDir, name)) : err;
      }
    };
    try {
      return await use(eachOp);
    } finally {
      await file.handle.close().catch(() => undefined);
    }
  }
  throw new InputError('no history.jsonl or history.edn in the run folder', { file: runDir });
}

/** An error naming the file as the user knows it rather than by its /proc/self/fd path. */
function renamed(err: InputError, openPath: string, shown: string): InputError {
  if (err.location.file !== openPath) return err;
  return new InputError(err.reason, { ...err.location, file: shown });
}

async function runFolder(runDir: string): Promise<InsideRoot> {
  const inside = await InsideRoot.of(runDir);
  if (!inside) throw new InputError('no such run folder', { file: runDir });
  return inside;
}

async function readJsonInside(inside: InsideRoot, name: string): Promise<unknown> {
  const text = await inside.readText(join(inside.real, name), 256 << 20);
  if (text === undefined) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    // JSON.parse quotes the start of the text; keep only its position.
    const at = /position \d+/.exec((err as Error).message)?.[0];
    throw new InputError(`not valid JSON${at ? ` (at ${at})` : ''}`, {
      file: join(inside.real, basename(name)),
    });
  }
  // The report walks these recursively: refuse what a history reader would refuse too.
  const problem = valueProblem(value);
  if (problem)
    throw new InputError(problem.reason, {
      file: join(inside.real, basename(name)),
      field: problem.path.replace(/^\./, '').slice(0, 40) || undefined,
    });
  return value;
}
