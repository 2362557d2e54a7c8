/**
 * The `ephemeral` checker's evidence: the broken promises with their ops, and each member's
 * session beside its node's lifetime — when the session was proven alive (register and ok
 * heartbeats, each holding it for one ttl), how the membership ended, when the node had to be
 * gone by, and when observers saw the node and saw it gone.
 */
import { add, type Child, fmt, h, key, svg, table } from './dom.js';
import { opList } from './links.js';

interface BreachView {
  kind: string;
  member: string;
  ops: number[];
  explanation: string;
}

interface MemberView {
  member: string;
  process: number | string;
  node?: string;
  session?: string;
  ttlMs?: number;
  registerMs: number;
  registeredMs?: number;
  heartbeatsMs: number[];
  aliveUntilMs?: number;
  end: string;
  endMs?: number;
  deadlineMs?: number;
  firstSeenMs?: number;
  lastSeenMs?: number;
  goneByMs?: number;
  breached: boolean;
}

/** What the page reads of an `ephemeral` result. */
export interface EphemeralView {
  breaches?: BreachView[];
  breachCount?: number;
  memberCount?: number;
  memberTimelines?: MemberView[];
}

const COLOURS = {
  alive: '#86efac',
  seen: '#2563eb',
  heartbeat: '#166534',
  end: '#b91c1c',
  deadline: '#f59e0b',
  gone: '#6b7280',
};

/** At most this many members are drawn (breached ones come first). */
const DRAWN = 60;

export function renderEphemeral(r: EphemeralView): HTMLDivElement {
  const box = h('div');
  if (r.breaches?.length) {
    box.appendChild(h('h3', '', `Broken promises (${r.breachCount ?? r.breaches.length})`));
    box.appendChild(
      table(
        ['promise', 'member', 'ops', 'why'],
        r.breaches.slice(0, 50).map((b): Child[] => [b.kind, b.member, opList(b.ops), b.explanation]),
      ),
    );
  }
  const members = (r.memberTimelines ?? []).slice(0, DRAWN);
  if (members.length) {
    box.appendChild(
      h(
        'h3',
        '',
        `Sessions and nodes (${members.length}${r.memberCount && r.memberCount > members.length ? ` of ${r.memberCount}` : ''} members)`,
      ),
    );
    box.appendChild(
      add(
        h('p', 'legend-note'),
        key(COLOURS.alive, 'session proven alive (register / heartbeat + ttl)'),
        key(COLOURS.seen, 'node seen by observers'),
        key(COLOURS.heartbeat, 'ok heartbeat'),
        key(COLOURS.end, 'leave / die / cut / crash'),
        key(COLOURS.deadline, 'node due gone by'),
        key(COLOURS.gone, 'first list without it'),
      ),
    );
    const wrap = h('div', 'porcupine');
    wrap.appendChild(drawTimelines(members));
    box.appendChild(wrap);
  }
  return box;
}

function drawTimelines(members: readonly MemberView[]): SVGElement {
  const LEFT = 150;
  const WIDTH = 900;
  const ROW = 18;
  const TOP = 18;
  const times = members.flatMap((m) =>
    [m.registerMs, m.aliveUntilMs, m.endMs, m.deadlineMs, m.lastSeenMs, m.goneByMs].filter(
      (t): t is number => t !== undefined,
    ),
  );
  const t0 = Math.min(...times);
  const t1 = Math.max(...times, t0 + 1);
  const x = (t: number): number => LEFT + ((t - t0) / (t1 - t0)) * WIDTH;
  const root = svg('svg', { width: LEFT + WIDTH + 20, height: TOP + members.length * ROW + 8, role: 'img' });
  const axis = svg('text', { x: LEFT, y: 12, fill: '#6b7280' });
  axis.textContent = `${fmt(t0 / 1000)} s \u2192 ${fmt(t1 / 1000)} s since the start of the test`;
  root.appendChild(axis);
  members.forEach((m, k) => {
    const y = TOP + k * ROW;
    const label = svg('text', { x: 4, y: y + 12, fill: m.breached ? COLOURS.end : '#374151' });
    label.textContent = `${m.member}${m.node ? ` @${m.node}` : ''}`;
    const title = svg('title', {});
    title.textContent = describe(m);
    label.appendChild(title);
    root.appendChild(label);
    const bar = (from: number, to: number, colour: string, top: number, height: number): void => {
      root.appendChild(
        svg('rect', {
          x: x(from),
          y: y + top,
          width: Math.max(1, x(to) - x(from)),
          height,
          fill: colour,
          rx: 2,
        }),
      );
    };
    if (m.aliveUntilMs !== undefined) bar(m.registerMs, m.aliveUntilMs, COLOURS.alive, 2, 12);
    if (m.firstSeenMs !== undefined && m.lastSeenMs !== undefined)
      bar(m.firstSeenMs, m.lastSeenMs, COLOURS.seen, 6, 4);
    const tick = (t: number | undefined, colour: string, width: number): void => {
      if (t === undefined) return;
      root.appendChild(
        svg('line', { x1: x(t), x2: x(t), y1: y + 1, y2: y + 15, stroke: colour, 'stroke-width': width }),
      );
    };
    for (const t of m.heartbeatsMs) tick(t, COLOURS.heartbeat, 1);
    if (m.end !== 'member') tick(m.endMs, COLOURS.end, 2);
    tick(m.deadlineMs, COLOURS.deadline, 2);
    tick(m.goneByMs, COLOURS.gone, 2);
  });
  return root;
}

function describe(m: MemberView): string {
  const at = (t: number | undefined): string => (t === undefined ? '\u2013' : `${fmt(t)} ms`);
  return [
    `${m.member}, process ${m.process}${m.node ? ` on ${m.node}` : ''}, session ${m.session ?? '?'}, ttl ${at(m.ttlMs)}`,
    `registered ${at(m.registeredMs)}, ${m.heartbeatsMs.length} ok heartbeats, proven alive until ${at(m.aliveUntilMs)}`,
    `ended: ${m.end} ${at(m.endMs)}${m.deadlineMs !== undefined ? `, due gone by ${at(m.deadlineMs)}` : ''}`,
    `seen ${at(m.firstSeenMs)} .. ${at(m.lastSeenMs)}, first seen gone ${at(m.goneByMs)}`,
  ].join('\n');
}
