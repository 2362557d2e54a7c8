/**
 * Reads the node logs a run collected (`logs/<node>/<file>`) line by line and finds the lines
 * that match failure patterns: the db's own (`Db.logPatterns`) and the plan's `logPatterns`.
 * Patterns are regular expressions; a bad one is bad input naming its place in the plan. A
 * match the db knows, by the lines around it, to be its expected path (`Db.expectedLogLines`)
 * is set apart as expected.
 */
import { createReadStream, existsSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { judgeLogScan, type LogMatch, type LogScan } from '../../checkers/log-patterns.js';
import type { CheckResult } from '../../checkers/result.js';
import type { Db, ExpectedLogLines } from '../db/types.js';
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

/** Lines before a match that an {@link ExpectedLogLines} looks at, unless it says. */
const DEFAULT_WITHIN = 100;

interface CompiledExpected {
  why: string;
  line: RegExp;
  next: RegExp;
  after: RegExp;
  within: number;
}

function compileExpected(rules: readonly ExpectedLogLines[]): CompiledExpected[] {
  return rules.map((r, i) => {
    const [line, next, after] = compilePatterns([r.line, r.next, r.after], `expectedLogLines[${i}]`);
    return { why: r.why, line: line!, next: next!, after: after!, within: r.within ?? DEFAULT_WITHIN };
  });
}

/** The last few lines read, oldest first. */
class RecentLines {
  private readonly lines: string[] = [];
  private start = 0;
  constructor(private readonly size: number) {}
  push(text: string): void {
    if (this.size === 0) return;
    if (this.lines.length < this.size) this.lines.push(text);
    else {
      this.lines[this.start] = text;
      this.start = (this.start + 1) % this.size;
    }
  }
  /** Whether one of the last `count` lines matches `re`. */
  some(count: number, re: RegExp): boolean {
    const n = this.lines.length;
    for (let k = 1; k <= Math.min(count, n); k++) {
      if (re.test(this.lines[(this.start + n - k) % n]!)) return true;
    }
    return false;
  }
}

/**
 * Scans every regular file under `logDir/<node>/` (symlinks are not followed). A match that an
 * `expected` entry describes — its line, the next line, a line before it — is counted apart.
 */
export async function scanLogs(
  logDir: string,
  patterns: readonly string[],
  expected: readonly ExpectedLogLines[] = [],
): Promise<LogScan> {
  const compiled = compilePatterns(patterns);
  const rules = compileExpected(expected);
  const window = Math.max(0, ...rules.map((r) => r.within));
  const scan: LogScan = { patterns: [...patterns], files: 0, matches: [], matchCount: 0 };
  if (!existsSync(logDir) || compiled.length === 0) return scan;
  const judged = (match: LogMatch) => {
    scan.matchCount++;
    if (scan.matches.length < MAX_LISTED) scan.matches.push(match);
  };
  const known = (match: LogMatch, why: string) => {
    scan.expected ??= [];
    scan.expectedCount = (scan.expectedCount ?? 0) + 1;
    if (scan.expected.length < MAX_LISTED) scan.expected.push({ ...match, why });
  };
  for (const node of readdirSync(logDir).sort()) {
    const nodeDir = join(logDir, node);
    if (!lstatSync(nodeDir).isDirectory()) continue;
    for (const file of readdirSync(nodeDir).sort()) {
      const path = join(nodeDir, file);
      if (!lstatSync(path).isFile()) continue;
      scan.files++;
      const recent = new RecentLines(window);
      // A match that may be expected, until the next line tells.
      let pending: { match: LogMatch; rules: CompiledExpected[] } | undefined;
      await scanFile(path, (line, text) => {
        if (pending) {
          const rule = pending.rules.find((r) => r.next.test(text));
          if (rule) known(pending.match, rule.why);
          else judged(pending.match);
          pending = undefined;
        }
        const re = compiled.find((r) => r.test(text));
        if (re) {
          const match: LogMatch = { node, file, line, text: text.slice(0, MAX_LINE), pattern: re.source };
          const candidates = rules.filter((r) => r.line.test(text) && recent.some(r.within, r.after));
          if (candidates.length > 0) pending = { match, rules: candidates };
          else judged(match);
        }
        recent.push(text);
      });
      if (pending) judged(pending.match);
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
  expected: readonly ExpectedLogLines[] = [],
): Promise<CheckResult> {
  try {
    return judgeLogScan(await scanLogs(logDir, patterns, expected), damaged);
  } catch (err) {
    if (err instanceof InputError) throw err;
    return { valid: 'unknown', reason: `the node logs could not be scanned: ${(err as Error).message}` };
  }
}
