/**
 * Reads the node logs a run collected (`logs/<node>/<file>`) line by line and finds the lines
 * that match failure patterns: the db's own (`Db.logPatterns`) and the plan's `logPatterns`.
 * Patterns are regular expressions; a bad one is bad input naming its place in the plan.
 */
import { createReadStream, existsSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { judgeLogScan, type LogMatch, type LogScan } from '../../checkers/log-patterns.js';
import type { CheckResult } from '../../checkers/result.js';
import type { Db } from '../db/types.js';
import { InputError } from '../errors.js';

/** Matches listed in a result, at most (all are counted). */
const MAX_LISTED = 200;
/** A matching line is cut to this many characters. */
const MAX_LINE = 400;

/** Compiles patterns; `field` names where they came from, for the error. */
export function compilePatterns(patterns: readonly string[], field = 'logPatterns'): RegExp[] {
  return patterns.map((p, i) => {
    try {
      return new RegExp(p);
    } catch (err) {
      throw new InputError(`not a regular expression: ${(err as Error).message}`, {
        field: `${field}[${i}]`,
      });
    }
  });
}

/** Scans every regular file under `logDir/<node>/` (symlinks are not followed). */
export async function scanLogs(logDir: string, patterns: readonly string[]): Promise<LogScan> {
  const compiled = compilePatterns(patterns);
  const scan: LogScan = { patterns: [...patterns], files: 0, matches: [], matchCount: 0 };
  if (!existsSync(logDir) || compiled.length === 0) return scan;
  for (const node of readdirSync(logDir).sort()) {
    const nodeDir = join(logDir, node);
    if (!lstatSync(nodeDir).isDirectory()) continue;
    for (const file of readdirSync(nodeDir).sort()) {
      const path = join(nodeDir, file);
      if (!lstatSync(path).isFile()) continue;
      scan.files++;
      await scanFile(path, (line, text) => {
        for (const re of compiled) {
          if (!re.test(text)) continue;
          scan.matchCount++;
          if (scan.matches.length < MAX_LISTED) {
            const match: LogMatch = { node, file, line, text: text.slice(0, MAX_LINE), pattern: re.source };
            scan.matches.push(match);
          }
          break;
        }
      });
    }
  }
  return scan;
}

async function scanFile(path: string, onLine: (line: number, text: string) => void): Promise<void> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
  let n = 0;
  for await (const text of lines) onLine(++n, text);
}

/** The patterns a run looks for: the db's own, then the plan's. */
export function logPatternsOf(db: Db | undefined, plan: { logPatterns?: readonly string[] }): string[] {
  return [...(db?.logPatterns ?? []), ...(plan.logPatterns ?? [])];
}

/** The `log-patterns` verdict on a run's collected logs; a scan that fails is `unknown`. */
export async function checkLogs(
  logDir: string,
  patterns: readonly string[],
  damaged: ReadonlySet<string> = new Set(),
): Promise<CheckResult> {
  try {
    return judgeLogScan(await scanLogs(logDir, patterns), damaged);
  } catch (err) {
    if (err instanceof InputError) throw err;
    return { valid: 'unknown', reason: `the node logs could not be scanned: ${(err as Error).message}` };
  }
}
