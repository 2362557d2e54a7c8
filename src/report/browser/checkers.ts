/**
 * The checkers section: each checker's verdict, a one-line summary, and its evidence drawn
 * for people (linearizability bars and steps, Elle's cycles, lost elements, overlapping
 * holds). Results are read by shape, as any checker may be named anything.
 */
import { add, badge, type Child, clip, fmt, h, key, show, svg, table, type Verdict } from './dom.js';
import { HEALTH_CHECKERS, type HealthView, healthLine, renderHealth } from './health.js';
import { focusOp, opLink, opList } from './links.js';
import { perf } from './page.js';

/** What the page reads of a checker result; every field is optional, results differ in shape. */
export interface ResultView {
  valid?: Verdict;
  reason?: string;
  error?: string;
  results?: Record<string, ResultView>;
  // linearizable
  model?: string;
  stats?: { ops: number; partitions: number };
  failures?: FailureView[];
  keys?: number;
  failedKeys?: number;
  // elle
  'anomaly-types'?: string[];
  'anomaly-counts'?: Record<string, number>;
  anomalies?: Record<string, AnomalyView[]>;
  not?: string[];
  'also-not'?: string[];
  'other-anomaly-types'?: string[];
  'strongest-satisfied'?: string[];
  txns?: number;
  // set
  lostCount?: number;
  acknowledgedCount?: number;
  attemptCount?: number;
  lost?: unknown[];
  lostAdds?: { element: unknown; add: number }[];
  finalRead?: number | null;
  lostDetail?: {
    element: unknown;
    known: number;
    lastSeen: number | null;
    missedBy: number;
    latencyMs: number;
  }[];
  unexpected?: unknown[];
  // lock, election
  violations?: OverlapView[];
  violationCount?: number;
  uncertain?: OverlapView[];
  uncertainCount?: number;
}

/** A failing key or partition of a linearizability result (or, per key, a nested result). */
interface FailureView {
  key?: unknown;
  valid?: Verdict;
  reason?: string;
  op?: { index: number; process: number; description: string };
  states?: string[];
  visualization?: VisualizationView;
  result?: ResultView;
}

interface VisOp {
  index: number;
  completionIndex: number | null;
  process: number;
  description: string;
  known: boolean;
}

interface PartialView {
  steps: { index: number; description: string; stateAfter: string }[];
}

interface VisualizationView {
  ops: VisOp[];
  partials: PartialView[];
}

interface AnomalyView {
  explanation: string;
  cycle?: { from: string; to: string; type: string; explanation: string }[];
  /** A cycle's transactions, Elle's "Let: T1 = ...". */
  txns?: { name: string; process: unknown; type: string; value: unknown }[];
  ops?: number[];
}

interface HoldView {
  process: number;
  node?: string;
  acquire: number;
  acquired?: number | null;
  release?: number | null;
  term?: unknown;
}

interface OverlapView {
  lock?: unknown;
  election?: unknown;
  first?: HoldView;
  second?: HoldView;
  from: { op: number };
  until?: { op: number } | null;
  because?: string;
}

export function renderChecker(name: string, r: ResultView): HTMLDivElement {
  const box = h('div', 'checker');
  add(box, add(h('div', 'head'), h('b', '', name), badge(r.valid), h('span', 'summary', oneLine(name, r))));
  if (r.reason) box.appendChild(h('p', 'explain', r.reason));
  const body = renderEvidence(name, r);
  if (body) box.appendChild(body);
  if (name !== 'perf') {
    const det = add(h('details'), h('summary', '', 'raw result'));
    const text = JSON.stringify(r, null, 1);
    det.appendChild(h('pre', 'mono', text.length > 200000 ? `${text.slice(0, 200000)}\n\u2026 (cut)` : text));
    box.appendChild(det);
  }
  return box;
}

function oneLine(name: string, r: ResultView): string {
  if (name === 'perf' && perf) return 'measured: see Performance below';
  if (HEALTH_CHECKERS.has(name)) return healthLine(name, r as HealthView);
  const anomalies = r['anomaly-types'];
  if (anomalies)
    return anomalies.length ? `anomalies: ${anomalies.join(', ')}` : `${r.txns} transactions, no anomalies`;
  if (r.model && r.stats) return `model ${r.model}, ${r.stats.ops} ops in ${r.stats.partitions} partition(s)`;
  if (r.lostCount !== undefined)
    return `${r.lostCount} lost of ${r.acknowledgedCount !== undefined ? `${r.acknowledgedCount} acknowledged` : `${r.attemptCount} attempted`}`;
  if (r.violationCount !== undefined)
    return `${r.violationCount} overlap(s), ${r.uncertainCount || 0} uncertain`;
  if (r.keys !== undefined && r.failedKeys !== undefined)
    return `${r.failedKeys} of ${r.keys} keys not valid`;
  return '';
}

function renderEvidence(name: string, r: ResultView): HTMLElement | null {
  if (HEALTH_CHECKERS.has(name)) return renderHealth(name, r as HealthView);
  if (r.failures && r.model && r.stats) return renderLinearizable(r.failures);
  if (r['anomaly-types']) return renderElle(r);
  if (r.lostCount !== undefined) return renderSet(r);
  if (r.violations && r.violationCount !== undefined) return renderOverlaps(r);
  if (r.failures && r.keys !== undefined) {
    const box = h('div');
    for (const f of r.failures) {
      box.appendChild(h('h3', '', `key ${show(f.key)}`));
      const inner = f.result ? renderEvidence(name, f.result) : null;
      if (inner) box.appendChild(inner);
    }
    return box;
  }
  return null;
}

// Linearizability: Porcupine-like bars of the ops around the failing op, and the longest
// partial linearizations as numbered steps with the state after each.
function renderLinearizable(failures: readonly FailureView[]): HTMLDivElement {
  const box = h('div');
  for (const f of failures.slice(0, 10)) {
    const sec = h('div');
    if (f.key !== null && f.key !== undefined) sec.appendChild(h('h3', '', `key ${show(f.key)}`));
    if (f.valid === 'unknown') {
      sec.appendChild(h('p', 'explain', `undecided: ${f.reason || 'search stopped'}`));
      box.appendChild(sec);
      continue;
    }
    if (f.op) {
      add(
        sec,
        add(
          h('p', 'explain'),
          'Op ',
          opLink(f.op.index),
          ` (process ${f.op.process}) `,
          h('code', 'mono', f.op.description),
          ' cannot be linearized.',
        ),
      );
    }
    add(
      sec,
      add(
        h('p', 'explain'),
        'Where the longest partial linearizations end, the state could be: ',
        h('code', 'mono', (f.states || []).join(' | ') || '(initial state)'),
      ),
    );
    const vis = f.visualization;
    if (vis?.partials?.length) {
      const holder = h('div');
      const pick = h('div', 'switch');
      const draw = (k: number): void => {
        holder.textContent = '';
        Array.from(pick.children).forEach((b, j) => {
          b.className = j === k ? 'on' : '';
        });
        holder.appendChild(porcupine(vis, vis.partials[k]!, f.op));
        holder.appendChild(stepsList(vis.partials[k]!, f.op));
      };
      if (vis.partials.length > 1) {
        pick.appendChild(h('span', 'legend-note', 'partial linearization: '));
        vis.partials.slice(0, 8).forEach((p, k) => {
          const b = h('button', '', `#${k + 1} (${p.steps.length} ops)`);
          b.addEventListener('click', () => draw(k));
          pick.appendChild(b);
        });
        sec.appendChild(pick);
      }
      sec.appendChild(holder);
      draw(0);
    }
    box.appendChild(sec);
  }
  if (failures.length > 10)
    box.appendChild(h('p', 'summary', `\u2026 and ${failures.length - 10} more partitions`));
  return box;
}

function porcupine(vis: VisualizationView, partial: PartialView, bad: FailureView['op']): HTMLDivElement {
  const stepOf = new Map<number, number>();
  partial.steps.forEach((st, k) => {
    stepOf.set(st.index, k);
  });
  const badIndex = bad ? bad.index : -1;
  // The ops around the failure: the last steps of the partial, the failing op, and every op overlapping them.
  const focus = new Set(partial.steps.slice(-12).map((st) => st.index));
  if (badIndex >= 0) focus.add(badIndex);
  const ends = (o: VisOp): number =>
    o.completionIndex === null ? Number.POSITIVE_INFINITY : o.completionIndex;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const o of vis.ops) {
    if (focus.has(o.index)) {
      lo = Math.min(lo, o.index);
      hi = Math.max(hi, ends(o));
    }
  }
  let shown = vis.ops.filter((o) => focus.has(o.index) || (o.index <= hi && ends(o) >= lo));
  if (shown.length > 80) {
    shown.sort((a, b) => Math.abs(a.index - badIndex) - Math.abs(b.index - badIndex));
    shown = shown.slice(0, 80);
  }
  let maxFinite = 0;
  for (const o of shown)
    maxFinite = Math.max(maxFinite, o.index, o.completionIndex === null ? 0 : o.completionIndex);
  const endOf = (o: VisOp): number => (o.completionIndex === null ? maxFinite + 1 : o.completionIndex);
  const bounds = Array.from(new Set(shown.flatMap((o) => [o.index, endOf(o)]))).sort((a, b) => a - b);
  const rank = new Map<number, number>();
  bounds.forEach((b, k) => {
    rank.set(b, k);
  });
  const procs = Array.from(new Set(shown.map((o) => o.process))).sort((a, b) => a - b);
  let longest = 0;
  for (const o of shown) longest = Math.max(longest, o.description.length + 4);
  // Wide enough that a bar spanning two steps shows its whole label, within reason.
  const STEP = Math.max(40, Math.min(120, Math.ceil((longest * 6.6) / 2) + 6));
  const ROW = 30;
  const LEFT = 44;
  const TOP = 8;
  const width = LEFT + Math.max(1, bounds.length) * STEP + 20;
  const height = TOP + procs.length * ROW + 6;
  const root = svg('svg', { width, height, role: 'img' });
  procs.forEach((p, k) => {
    const t = svg('text', { x: 4, y: TOP + k * ROW + 19, fill: '#6b7280' });
    t.textContent = `p${p}`;
    root.appendChild(t);
    root.appendChild(
      svg('line', {
        x1: LEFT,
        x2: width - 10,
        y1: TOP + k * ROW + 26,
        y2: TOP + k * ROW + 26,
        stroke: '#f3f4f6',
      }),
    );
  });
  for (const o of shown) {
    const x1 = LEFT + rank.get(o.index)! * STEP;
    const x2 = LEFT + rank.get(endOf(o))! * STEP + STEP - 6;
    const y = TOP + procs.indexOf(o.process) * ROW + 3;
    const k = stepOf.get(o.index);
    const isBad = o.index === badIndex;
    const g = svg('g', { cursor: 'pointer' });
    g.appendChild(
      svg('rect', {
        x: x1,
        y,
        width: Math.max(8, x2 - x1),
        height: 22,
        rx: 3,
        fill: isBad ? '#fecaca' : k !== undefined ? '#bbf7d0' : '#e5e7eb',
        stroke: isBad ? '#dc2626' : k !== undefined ? '#16a34a' : '#9ca3af',
        'stroke-dasharray': o.known ? '' : '4 3',
      }),
    );
    const label = (k !== undefined ? `${k + 1}: ` : isBad ? '\u2717 ' : '') + o.description;
    const t = svg('text', { x: x1 + 4, y: y + 15, fill: '#111827' });
    t.textContent = clip(label, Math.max(2, Math.floor((x2 - x1 - 6) / 6.6)));
    g.appendChild(t);
    const tip = svg('title', {});
    tip.textContent =
      `op ${o.index} (p${o.process}): ${o.description}` +
      (k !== undefined
        ? `\nlinearized as step ${k + 1}; state after: ${partial.steps[k]!.stateAfter}`
        : isBad
          ? '\ncannot be linearized here'
          : '\nnot linearized in this partial');
    g.appendChild(tip);
    g.addEventListener('click', () => focusOp(o.index));
    root.appendChild(g);
  }
  const wrap = h('div', 'porcupine');
  wrap.appendChild(root);
  const keys = add(
    h('div', 'legend-note'),
    key('#bbf7d0', 'linearized (step number)'),
    key('#fecaca', 'cannot be linearized'),
    key('#e5e7eb', 'not linearized yet'),
    ' dashed: outcome unknown (info). Bars run from call to return, in history order.',
  );
  return add(h('div'), wrap, keys);
}

function stepsList(partial: PartialView, bad: FailureView['op']): HTMLDivElement {
  const list = h('ol', 'steps');
  const from = Math.max(0, partial.steps.length - 12);
  list.start = from + 1;
  for (const st of partial.steps.slice(from)) {
    add(
      list,
      add(
        h('li'),
        opLink(st.index),
        ' ',
        h('code', 'mono', st.description),
        ' \u2192 state ',
        h('code', 'mono', st.stateAfter),
      ),
    );
  }
  if (bad)
    add(
      list,
      add(
        h('li', 'bad'),
        opLink(bad.index),
        ' ',
        h('code', 'mono', bad.description),
        ' \u2014 no state reached allows it',
      ),
    );
  const steps = partial.steps.length;
  return add(
    h('div'),
    h('div', 'legend-note', steps > 12 ? `last 12 of ${steps} steps:` : `${steps} steps:`),
    list,
  );
}

function renderElle(r: ResultView): HTMLDivElement {
  const box = h('div');
  const alsoNot = r['also-not'];
  if (r.not?.length)
    box.appendChild(
      h(
        'p',
        'explain',
        `Not: ${r.not.join(', ')}${alsoNot?.length ? ` (also not: ${alsoNot.join(', ')})` : ''}`,
      ),
    );
  const strongest = r['strongest-satisfied'];
  if (strongest?.length)
    box.appendChild(h('p', 'explain', `Strongest models not ruled out: ${strongest.join(', ')}`));
  const others = r['other-anomaly-types'] ?? [];
  if (others.length) {
    box.appendChild(h('p', 'legend-note', `Also found, allowed by what was asked: ${others.join(', ')}`));
  }
  for (const t of [...(r['anomaly-types'] ?? []), ...others]) {
    const list = r.anomalies?.[t] ?? [];
    box.appendChild(h('h3', '', `${t} \u00d7 ${r['anomaly-counts']?.[t] || list.length}`));
    for (const a of list.slice(0, 5)) {
      box.appendChild(h('p', 'explain', a.explanation));
      if (a.txns?.length) {
        box.appendChild(
          table(
            ['let', 'process', 'type', 'transaction'],
            a.txns.map((x) => [
              txLink(x.name),
              String(x.process),
              x.type,
              h('code', 'mono', JSON.stringify(x.value)),
            ]),
          ),
        );
      }
      if (a.cycle?.length) {
        box.appendChild(
          table(
            ['from', '', 'to', 'edge', 'why'],
            a.cycle.map((e) => [txLink(e.from), '\u2192', txLink(e.to), e.type, e.explanation]),
          ),
        );
      }
      if (a.ops?.length) box.appendChild(add(h('p', 'legend-note'), 'ops: ', opList(a.ops)));
    }
  }
  return box;
}

function txLink(name: unknown): HTMLElement {
  const m = /^T(\d+)$/.exec(String(name));
  return m ? opLink(Number(m[1]), String(name)) : h('span', 'mono', name);
}

function renderSet(r: ResultView): HTMLDivElement | null {
  const box = h('div');
  if (r.lost?.length) {
    box.appendChild(h('h3', '', `Lost elements (${r.lostCount}): acknowledged, missing from the final read`));
    box.appendChild(
      h('p', 'mono', r.lost.slice(0, 500).map(show).join(', ') + (r.lost.length > 500 ? ', \u2026' : '')),
    );
  }
  if (r.lostAdds?.length) {
    box.appendChild(
      table(
        ['element', 'acknowledged by'],
        r.lostAdds.slice(0, 50).map((x) => [show(x.element), opLink(x.add)]),
      ),
    );
    if (r.finalRead !== null && r.finalRead !== undefined)
      box.appendChild(add(h('p', 'legend-note'), 'final read: ', opLink(r.finalRead)));
  }
  if (r.lostDetail?.length) {
    box.appendChild(
      table(
        ['element', 'known at', 'last seen by', 'missed by', 'ms'],
        r.lostDetail.map((x) => [
          show(x.element),
          opLink(x.known),
          x.lastSeen === null ? '\u2013' : opLink(x.lastSeen),
          opLink(x.missedBy),
          fmt(x.latencyMs),
        ]),
        [false, false, false, false, true],
      ),
    );
  }
  if (r.unexpected?.length) {
    const element = (u: unknown): unknown =>
      u && typeof u === 'object' && 'element' in u && u.element !== undefined ? u.element : u;
    box.appendChild(
      h(
        'p',
        'explain',
        `Read but never attempted: ${r.unexpected
          .slice(0, 100)
          .map((u) => show(element(u)))
          .join(', ')}`,
      ),
    );
  }
  return box.childNodes.length ? box : null;
}

function holdCell(x: HoldView | undefined): Child {
  if (!x) return '';
  const cell = add(h('span'), `p${x.process}${x.node ? ` @${x.node}` : ''} acquire `, opLink(x.acquire));
  if (x.acquired !== null && x.acquired !== undefined) add(cell, '\u2192', opLink(x.acquired));
  if (x.release !== null && x.release !== undefined) add(cell, ', release ', opLink(x.release));
  if (x.term !== undefined) add(cell, `, term ${show(x.term)}`);
  return cell;
}

function renderOverlaps(r: ResultView): HTMLDivElement | null {
  const box = h('div');
  const rows = (list: readonly OverlapView[]): Child[][] =>
    list
      .slice(0, 50)
      .map((v) => [
        show(v.lock !== undefined ? v.lock : v.election),
        holdCell(v.first),
        holdCell(v.second),
        add(
          h('span'),
          'after ',
          opLink(v.from.op),
          v.until ? add(h('span'), ' before ', opLink(v.until.op)) : ' to the end',
        ),
        v.because || '',
      ]);
  if (r.violations?.length) {
    box.appendChild(h('h3', '', `Overlapping holders (${r.violationCount})`));
    box.appendChild(table(['resource', 'first', 'second', 'overlap', ''], rows(r.violations)));
  }
  if (r.uncertain?.length) {
    const d = add(
      h('details'),
      h('summary', '', `Possible overlaps resting on info ops (${r.uncertainCount})`),
    );
    d.appendChild(table(['resource', 'first', 'second', 'overlap', 'because'], rows(r.uncertain)));
    box.appendChild(d);
  }
  return box.childNodes.length ? box : null;
}
