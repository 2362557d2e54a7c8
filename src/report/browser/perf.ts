/** The performance section: figures, latency and fault tables, and four uPlot plots with fault windows shaded. */
import type UPlot from 'uplot';
import { decodeScatter } from '../columns.js';
import { add, byId, clip, fmt, h, pct, table } from './dom.js';
import { D, faultEvents, faultFill, faults, faultText, perf, TYPE_COLORS, TYPE_NAMES } from './page.js';

/** uPlot's browser build, inlined before this code as a global. */
declare const uPlot: typeof UPlot;

type Perf = NonNullable<typeof perf>;

// Ticks with as many decimals as their spacing needs (uPlot's default repeats labels on tiny ranges).
const xAxis: UPlot.Axis = {
  label: 'seconds since the test began',
  labelSize: 20,
  values: (_u, splits, _axisIdx, _space, incr) => {
    const d = incr > 0 ? Math.max(0, Math.min(9, -Math.floor(Math.log10(incr) + 1e-9))) : 3;
    return splits.map((v) => (v === null ? '' : v.toFixed(d)));
  },
};

const plotList: { u: UPlot; container: HTMLElement }[] = [];

function card(k: string, v: string): HTMLDivElement {
  return add(h('div', 'card'), h('div', 'k', k), h('div', 'v', v));
}

/** Fills #perf. */
export function renderPerfSection(): void {
  const perfEl = byId('perf');
  if (!perf) {
    perfEl.appendChild(h('p', 'summary', 'No performance figures for this run.'));
    return;
  }
  const L = perf.latency.overall;
  const span = Math.max(1e-9, perf.end - perf.start);
  add(
    perfEl,
    add(
      h('div', 'cards'),
      card('ok / fail / info', `${perf.counts.ok} / ${perf.counts.fail} / ${perf.counts.info}`),
      card('ok per second', fmt(perf.counts.ok / span)),
      card('availability', pct(perf.availability.overall)),
      card('latency p50 / p99', `${fmt(L.p50)} / ${fmt(L.p99)} ms`),
      card('max latency', `${fmt(L.max)} ms`),
      card('longest without ok', perf.longestOutage ? `${fmt(perf.longestOutage.durationS)} s` : '\u2013'),
    ),
  );
  const states = Object.keys(perf.latency.byState);
  const byState = perf.latency.byState;
  const availabilityByState = perf.availability.byState;
  perfEl.appendChild(h('h3', '', 'Latency (ms) by fault state at invocation'));
  type Q = Perf['latency']['overall'];
  const qrow = (name: string, q: Q, avail: string): string[] => [
    name,
    String(q.count),
    fmt(q.p50),
    fmt(q.p90),
    fmt(q.p99),
    fmt(q.p999),
    fmt(q.max),
    avail,
  ];
  const rows = [qrow('all', L, pct(perf.availability.overall))].concat(
    states.map((st) => qrow(st, byState[st]!, pct(availabilityByState[st]))),
  );
  for (const f of Object.keys(perf.latency.byF)) rows.push(qrow(`f = ${f}`, perf.latency.byF[f]!, ''));
  perfEl.appendChild(
    table(['ops', 'count', 'p50', 'p90', 'p99', 'p99.9', 'max', 'availability'], rows, [
      false,
      true,
      true,
      true,
      true,
      true,
      true,
      true,
    ]),
  );
  if (perf.availability.faults.length) {
    perfEl.appendChild(h('h3', '', 'Faults'));
    // The words are chosen with the data (src/report/recovery.ts): "not measured" when nothing ran after the heal.
    let ri = 0;
    perfEl.appendChild(
      table(
        ['fault', 'from (s)', 'to (s)', 'completed', 'availability', 'p99 (ms)', 'recovered after heal'],
        perf.availability.faults.map((f) => {
          let recovery = '';
          if (f.end !== null) recovery = D.recoveryText[ri++] ?? '';
          const kind = h('b', '', f.kind);
          kind.style.color = faultText(f.kind);
          const name = add(h('span'), kind, ' ', h('span', 'mono', f.label));
          return [
            name,
            fmt(f.start),
            f.end === null ? 'never healed' : fmt(f.end),
            f.completed,
            pct(f.availability),
            fmt(f.latency.p99),
            recovery,
          ];
        }),
        [false, true, true, true, true, true, true],
      ),
    );
  }
  const plots = h('div', 'plots');
  perfEl.appendChild(plots);
  drawPlots(perf, plots);
}

/** Fits the plots to their containers again (on window resize). */
export function resizePlots(): void {
  for (const p of plotList)
    p.u.setSize({ width: Math.max(300, p.container.clientWidth - 8), height: p.u.height });
}

function shadeFaults(u: UPlot): void {
  const ctx = u.ctx;
  const b = u.bbox;
  const end = perf ? perf.end : 0;
  ctx.save();
  ctx.beginPath();
  ctx.rect(b.left, b.top, b.width, b.height);
  ctx.clip();
  for (const f of faults) {
    const x1 = u.valToPos(f.start, 'x', true);
    const x2 = u.valToPos(f.end === null ? end : f.end, 'x', true);
    ctx.fillStyle = faultFill(f.kind);
    ctx.fillRect(x1, b.top, Math.max(1, x2 - x1), b.height);
  }
  ctx.restore();
}

function labelFaults(u: UPlot): void {
  const ctx = u.ctx;
  const b = u.bbox;
  const dpr = window.devicePixelRatio || 1;
  const end = perf ? perf.end : 0;
  ctx.save();
  ctx.beginPath();
  ctx.rect(b.left, b.top, b.width, b.height);
  ctx.clip();
  ctx.font = `${11 * dpr}px system-ui, sans-serif`;
  faults.forEach((f, k) => {
    const x1 = u.valToPos(f.start, 'x', true);
    const x2 = u.valToPos(f.end === null ? end : f.end, 'x', true);
    if (x2 - x1 < 24 * dpr) return;
    ctx.fillStyle = faultText(f.kind);
    const space = f.label.indexOf(' ');
    const text = f.kind + (space > 0 ? ` ${f.label.slice(space + 1)}` : '');
    ctx.fillText(
      clip(text, Math.floor((x2 - x1) / (6 * dpr))),
      x1 + 4 * dpr,
      b.top + (12 + (k % 2) * 12) * dpr,
    );
  });
  for (const e of faultEvents) {
    const x = u.valToPos(e.time, 'x', true);
    ctx.strokeStyle = faultText(e.kind);
    ctx.setLineDash([4 * dpr, 3 * dpr]);
    ctx.beginPath();
    ctx.moveTo(x, b.top);
    ctx.lineTo(x, b.top + b.height);
    ctx.stroke();
  }
  ctx.restore();
}

/** Plot options without the size, which the container decides. */
type PlotOptions = Omit<UPlot.Options, 'width' | 'height'> & { height?: number };

function plot(
  container: HTMLElement,
  titleText: string,
  note: string,
  opts: PlotOptions,
  data: UPlot.AlignedData,
): UPlot {
  const box = add(h('div', 'plot'), h('h3', '', titleText));
  if (note) box.appendChild(h('div', 'legend-note', note));
  container.appendChild(box);
  const target = h('div');
  box.appendChild(target);
  const full: UPlot.Options = {
    ...opts,
    width: Math.max(300, container.clientWidth - 8),
    height: opts.height || 240,
    hooks: { drawClear: [shadeFaults], draw: [labelFaults] },
    cursor: opts.cursor || { sync: { key: 'faultline' }, drag: { x: true, y: false } },
  };
  const u = new uPlot(full, data, target);
  plotList.push({ u, container });
  return u;
}

/**
 * Points drawn as squares of `size` CSS pixels: a long run's scatter has tens of thousands,
 * and a rect costs a fraction of the circle uPlot draws by default.
 */
function squares(size: number): UPlot.Series.Points.PathBuilder {
  return (u, seriesIdx, idx0, idx1) => {
    const xs = u.data[0];
    const ys = u.data[seriesIdx]!;
    const side = size * (window.devicePixelRatio || 1);
    const path = new Path2D();
    for (let i = idx0; i <= idx1; i++) {
      const y = ys[i];
      if (y === null || y === undefined) continue;
      path.rect(u.valToPos(xs[i]!, 'x', true) - side / 2, u.valToPos(y, 'y', true) - side / 2, side, side);
    }
    return { fill: path };
  };
}

function drawPlots(perf: Perf, el: HTMLElement): void {
  const note = faults.length
    ? 'Shaded: fault windows (from the start of a fault to the completion of its heal). Drag to zoom; double-click to reset.'
    : 'No faults were injected in this run. Drag to zoom; double-click to reset.';
  // Latency scatter: x sorted, one column per outcome (null where another outcome's point is).
  const sc = D.scatter;
  const points = decodeScatter(sc);
  // Points come by invocation order, which is time order in all but a malformed history.
  const order = Array.from({ length: sc.points }, (_, i) => i);
  if (points.time.some((t, i) => i > 0 && t < points.time[i - 1]!))
    order.sort((a, b) => points.time[a]! - points.time[b]!);
  const xs: number[] = [];
  const ys: (number | null)[][] = [[], [], []];
  for (const i of order) {
    xs.push(points.time[i]!);
    for (let k = 0; k < 3; k++) ys[k]!.push(points.type[i] === k ? points.latency[i]! : null);
  }
  const ms = (_u: UPlot, v: number | null): string => (v === null ? '\u2013' : `${fmt(v)} ms`);
  const pts = (k: number): UPlot.Series => ({
    label: TYPE_NAMES[k],
    stroke: TYPE_COLORS[k],
    fill: TYPE_COLORS[k],
    paths: () => null,
    points: {
      show: true,
      size: xs.length < 2000 ? 6 : 3,
      width: 0,
      fill: TYPE_COLORS[k],
      stroke: TYPE_COLORS[k],
      ...(xs.length < 2000 ? {} : { paths: squares(3) }),
    },
    value: ms,
  });
  const sampled =
    sc.okKept < sc.okTotal
      ? ` Showing ${sc.okKept.toLocaleString('en-US')} of ${sc.okTotal.toLocaleString('en-US')} oks (evenly sampled); every fail and info.`
      : '';
  plot(
    el,
    'Latency of each op',
    note + sampled,
    {
      scales: { x: { time: false }, y: { distr: 3 } },
      series: [
        { label: 'invoked (s)', value: (_u, v) => (v === null ? '\u2013' : fmt(v, 3)) },
        pts(0),
        pts(1),
        pts(2),
      ],
      axes: [xAxis, { label: 'latency (ms, log)', labelSize: 20 }],
    },
    [xs, ...ys],
  );
  const mids = perf.windows.map((w) => w + perf.windowS / 2);
  const lot = perf.latencyOverTime;
  const line = (label: string, color: string, dash?: number[]): UPlot.Series => ({
    label,
    stroke: color,
    width: 1.5,
    ...(dash ? { dash } : {}),
    spanGaps: false,
    value: ms,
  });
  plot(
    el,
    'Latency quantiles over time',
    `Per ${perf.windowS} s window, ops by completion time.`,
    {
      scales: { x: { time: false }, y: { distr: 3 } },
      series: [
        { label: 'window (s)' },
        line('p50', '#2563eb'),
        line('p90', '#7c3aed'),
        line('p99', '#db2777'),
        line('p99.9', '#f97316', [4, 3]),
        line('max', '#6b7280', [2, 3]),
      ],
      axes: [xAxis, { label: 'latency (ms, log)', labelSize: 20 }],
    },
    [mids, lot.p50, lot.p90, lot.p99, lot.p999, lot.max],
  );
  const palette = ['#2563eb', '#16a34a', '#9333ea', '#0891b2', '#4f46e5', '#65a30d'];
  const series: UPlot.Series[] = [{ label: 'window (s)' }];
  const data: (number | null)[][] = [mids];
  perf.throughput.forEach((t, k) => {
    const color = t.type === 'ok' ? palette[k % palette.length]! : t.type === 'fail' ? '#ef4444' : '#f59e0b';
    const dash = t.type === 'ok' ? undefined : t.type === 'fail' ? [5, 3] : [2, 2];
    series.push({
      label: `${t.f} ${t.type}`,
      stroke: color,
      width: 1.5,
      ...(dash ? { dash } : {}),
      value: (_u, v) => (v === null ? '\u2013' : `${fmt(v)}/s`),
    });
    data.push(t.rate);
  });
  plot(
    el,
    'Throughput over time',
    `Completions per second, per f and outcome, per ${perf.windowS} s window.`,
    { scales: { x: { time: false } }, series, axes: [xAxis, { label: 'ops / s', labelSize: 20 }] },
    data as UPlot.AlignedData,
  );
  plot(
    el,
    'Availability over time',
    'Share of ok among the ops completing in each window.',
    {
      height: 160,
      scales: { x: { time: false }, y: { range: [0, 100] } },
      series: [
        { label: 'window (s)' },
        {
          label: 'ok %',
          stroke: '#16a34a',
          width: 1.5,
          points: { show: true, size: 4 },
          value: (_u, v) => (v === null ? '\u2013' : `${fmt(v)}%`),
        },
      ],
      axes: [xAxis, { label: 'ok %', labelSize: 20 }],
    },
    [mids, perf.availability.windows.map((a) => (a === null ? null : a * 100))],
  );
}
