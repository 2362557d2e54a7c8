/**
 * The evidence of the checkers that look past the history's values: `crash` (which node was not
 * running, when, and its last log lines), `log-patterns` (matching lines with node, file and
 * line) and `stats` (ok/fail/info per op, errors by kind).
 */
import { add, h, table } from './dom.js';
import { opLink } from './links.js';

interface CrashView {
  node: string;
  kind: string;
  atS: number;
  op: number;
  startError?: string;
  logTail?: string[];
  damagedBy?: number;
}

interface MatchView {
  node: string;
  file: string;
  line: number;
  text: string;
  pattern: string;
  /** Set on a match the db knows to be its expected path: listed, not judged. */
  why?: string;
}

interface ErrorView {
  kind: string;
  type: string;
  f: string;
  count: number;
  unhandled: boolean;
  firstOp: number;
}

/** Results read by shape: every field optional. */
export interface HealthView {
  crashes?: CrashView[];
  afterDamage?: (CrashView | MatchView)[];
  probes?: number;
  matches?: MatchView[];
  matchCount?: number;
  expected?: MatchView[];
  expectedCount?: number;
  files?: number;
  byF?: Record<string, { invoke: number; ok: number; fail: number; info: number }>;
  errors?: ErrorView[];
  unhandledErrors?: number;
}

export const HEALTH_CHECKERS = new Set(['crash', 'log-patterns', 'stats']);

export function healthLine(name: string, r: HealthView): string {
  if (name === 'crash')
    return r.crashes?.length ? `${r.crashes.length} crash(es)` : `no crash (${r.probes ?? 0} probes)`;
  if (name === 'log-patterns') {
    const expected = r.expectedCount ? `; ${r.expectedCount} expected, not judged` : '';
    return `${r.matchCount ?? 0} matching line(s) in ${r.files ?? 0} log file(s)${expected}`;
  }
  if (name === 'stats') {
    const fs = Object.values(r.byF ?? {});
    const ok = fs.reduce((n, c) => n + c.ok, 0);
    const done = fs.reduce((n, c) => n + c.ok + c.fail + c.info, 0);
    return `${ok} ok of ${done} completed; ${r.unhandledErrors ?? 0} thrown error(s)`;
  }
  return '';
}

export function renderHealth(name: string, r: HealthView): HTMLElement | null {
  const box = h('div');
  if (name === 'crash') {
    for (const c of [...(r.crashes ?? []), ...((r.afterDamage ?? []) as CrashView[])]) {
      const what = c.kind === 'exited' ? 'exited on its own' : 'did not come back after its restart';
      const damaged =
        c.damagedBy !== undefined ? add(h('span'), ' — its data was damaged by ', opLink(c.damagedBy)) : null;
      add(
        box,
        add(h('p', 'explain'), h('b', '', c.node), ` ${what} at ${c.atS} s (`, opLink(c.op), ')', damaged),
      );
      if (c.startError) box.appendChild(h('p', 'explain', c.startError));
      if (c.logTail?.length) box.appendChild(h('pre', 'mono', c.logTail.join('\n')));
    }
  } else if (name === 'log-patterns') {
    const listed = [...(r.matches ?? []), ...((r.afterDamage ?? []) as MatchView[]), ...(r.expected ?? [])];
    const rows = listed.map((m) => [
      m.node,
      `${m.file}:${m.line}`,
      h('code', 'mono', m.text),
      m.why ? `${m.pattern} — expected, not judged: ${m.why}` : m.pattern,
    ]);
    if (rows.length) box.appendChild(table(['node', 'file:line', 'line', 'pattern'], rows));
  } else if (name === 'stats') {
    const rows = Object.entries(r.byF ?? {}).map(([f, c]) => [f, c.invoke, c.ok, c.fail, c.info]);
    box.appendChild(table(['op', 'invoked', 'ok', 'fail', 'info'], rows, [false, true, true, true, true]));
    const errors = (r.errors ?? []).map((e) => [
      e.f,
      e.type,
      e.unhandled ? 'thrown' : 'returned',
      h('code', 'mono', e.kind),
      e.count,
      opLink(e.firstOp),
    ]);
    if (errors.length)
      box.appendChild(
        table(['op', 'type', 'how', 'error', 'count', 'first'], errors, [false, false, false, false, true]),
      );
  }
  return box.childNodes.length ? box : null;
}
