/**
 * Log patterns (Jepsen's `log-file-pattern`): lines of the nodes' logs that say something went
 * badly wrong — a panic, a fatal error, a message about corrupt data — are evidence even when
 * the history checks out. The run scans the collected logs (src/run/log-scan.ts) with the db's
 * own patterns and the plan's `logPatterns`; any match makes the run invalid, with node, file,
 * line and text. Two kinds of match are listed, not judged: those on nodes a nemesis damaged on
 * purpose, and those the db knows, by the lines around them, to be its expected path.
 */
import type { CheckResult } from './result.js';

/** One log line that matched. */
export interface LogMatch {
  node: string;
  /** The file's name within the node's log folder. */
  file: string;
  /** 1-based line number. */
  line: number;
  /** The line, cut to a few hundred characters. */
  text: string;
  /** The pattern (a regular expression's source) that matched. */
  pattern: string;
}

/** A match the db knows to be its expected path (the db's `expectedLogLines`), with the reason. */
export interface ExpectedLogMatch extends LogMatch {
  why: string;
}

export interface LogScan {
  /** Patterns looked for. */
  patterns: string[];
  /** Log files read. */
  files: number;
  /** Matches, the first few hundred. */
  matches: LogMatch[];
  /** All matches, also those not listed (expected ones apart). */
  matchCount: number;
  /** Matches the db knows to be expected, the first few hundred. */
  expected?: ExpectedLogMatch[];
  /** All expected matches, also those not listed. */
  expectedCount?: number;
}

export interface LogPatternsResult extends CheckResult {
  patterns: string[];
  files: number;
  matches: LogMatch[];
  matchCount: number;
  /**
   * Matches on nodes whose data a nemesis damaged on purpose: a server that reports the
   * corruption it was given is doing its job, so these are listed, not judged.
   */
  afterDamage: LogMatch[];
  /**
   * Matches the db knows to be its expected path, by the lines around them (e.g. ZooKeeper's
   * request processors of a follower that is leaving its leader): listed with why, not judged.
   */
  expected: ExpectedLogMatch[];
  expectedCount: number;
  /** Matches by pattern. */
  byPattern: Record<string, number>;
}

/**
 * Judges a scan: any match is invalid, except on `damaged` nodes (see `afterDamage`) and the
 * expected ones; no log at all is `unknown` (nothing was looked at).
 */
export function judgeLogScan(scan: LogScan, damaged: ReadonlySet<string> = new Set()): LogPatternsResult {
  const byPattern: Record<string, number> = {};
  for (const m of scan.matches) byPattern[m.pattern] = (byPattern[m.pattern] ?? 0) + 1;
  const afterDamage = scan.matches.filter((m) => damaged.has(m.node));
  const matches = scan.matches.filter((m) => !damaged.has(m.node));
  const matchCount = scan.matchCount - afterDamage.length;
  const expected = scan.expected ?? [];
  const expectedCount = scan.expectedCount ?? expected.length;
  const base = { ...scan, matches, matchCount, afterDamage, expected, expectedCount, byPattern };
  if (matchCount > 0) {
    const nodes = [...new Set(matches.map((m) => m.node))].sort();
    return {
      valid: false,
      reason: `${matchCount} log ${matchCount === 1 ? 'line matches' : 'lines match'} a failure pattern (${nodes.join(', ')})`,
      ...base,
    };
  }
  if (scan.patterns.length === 0) return { valid: 'unknown', reason: 'no log patterns to look for', ...base };
  if (scan.files === 0) return { valid: 'unknown', reason: 'no node log files were collected', ...base };
  return { valid: true, ...base };
}

/** Text for a person. */
export function explainLogPatterns(result: LogPatternsResult): string {
  if (result.matchCount === 0) {
    const listed = result.expectedCount > 0 ? ` (${result.expectedCount} expected, listed)` : '';
    return `no failure pattern in ${result.files} log files${listed}`;
  }
  return result.matches
    .slice(0, 10)
    .map((m) => `${m.node}/${m.file}:${m.line}: ${m.text}`)
    .join('\n');
}
