/** The timeline: one lane per process, drawn on a canvas, zoomable, virtualised. */
import { add, clip, h, key } from './dom.js';
import type { TimelineView } from './links.js';
import {
  C,
  D,
  faultFill,
  faults,
  faultText,
  N,
  opSummary,
  procName,
  TL,
  TYPE_COLORS,
  TYPE_NAMES,
  tMax,
  tMin,
} from './page.js';

const ROW = 16;
const AXIS = 22;
const GUTTER = 64;
const VIEW_H = 420;
/** Outcomes in drawing order (4: a nemesis op): the rarer, the later, the more visible. */
const PASSES = [0, 1, 2, 3, 4] as const;

/** Each row's end, the end of the run for an op that never completed. */
const ENDS = C.end.map((e) => (Number.isNaN(e) ? tMax : e));
function endOf(r: number): number {
  return ENDS[r]!;
}

const TYPE_FAIL = 1;
const TYPE_INFO = 2;

/** Thin oks this close (px) merge: wider in a sample, whose thinned oks would leave gaps that never were. */
const OK_MERGE_PX = TL.totalRows === undefined ? 1 : 2.5;

/** Each row's colour: its outcome code, or 4 for a nemesis op. */
const KINDS = C.type.map((t, r) => (C.process[r] === -1 ? 4 : t));

/** First op of a lane ending at or after t: a process runs one op at a time, so ends are sorted. */
function firstFrom(list: Int32Array, t: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (endOf(list[mid]!) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Lanes: a crashed process's thread goes on as a fresh process, so processes whose lives do
 * not overlap share a lane (as a thread's successive processes do); the nemesis has its own.
 */
function lanes(): { rowsOf: Int32Array[]; rowOfProc: Map<number, number>; processCount: number } {
  const procOrder: number[] = [];
  const byProc = new Map<number, number[]>();
  for (let i = 0; i < N; i++) {
    const p = C.process[i]!;
    let list = byProc.get(p);
    if (!list) {
      list = [];
      byProc.set(p, list);
      procOrder.push(p);
    }
    list.push(i);
  }
  // A process's life: from its first invocation to its last op's end.
  const lifeStart = new Map<number, number>();
  const lifeEnd = new Map<number, number>();
  for (const [p, l] of byProc) {
    lifeStart.set(p, C.start[l[0]!]!);
    lifeEnd.set(p, endOf(l[l.length - 1]!));
  }
  procOrder.sort((a, b) => (a === -1 ? -1 : b === -1 ? 1 : lifeStart.get(a)! - lifeStart.get(b)! || a - b));
  const laneEnds: number[] = [];
  const laneLists: { ops: number[]; nemesis: boolean }[] = [];
  const rowOfProc = new Map<number, number>();
  for (const p of procOrder) {
    let lane = -1;
    if (p !== -1) {
      for (let k = 0; k < laneEnds.length; k++) {
        if (!laneLists[k]!.nemesis && laneEnds[k]! <= lifeStart.get(p)!) {
          lane = k;
          break;
        }
      }
    }
    if (lane < 0) {
      lane = laneEnds.length;
      laneEnds.push(0);
      laneLists.push({ ops: [], nemesis: p === -1 });
    }
    laneEnds[lane] = lifeEnd.get(p)!;
    rowOfProc.set(p, lane);
    // A loop, not push(...rows): a lane of a few hundred thousand rows would pass the call's argument limit.
    const laneOps = laneLists[lane]!.ops;
    for (const r of byProc.get(p)!) laneOps.push(r);
  }
  return { rowsOf: laneLists.map((l) => Int32Array.from(l.ops)), rowOfProc, processCount: procOrder.length };
}

export function makeTimeline(host: HTMLElement): TimelineView {
  const { rowsOf, rowOfProc, processCount } = lanes();
  // Lanes that hold several processes name the process on each op's label.
  const shared = rowsOf.map((l) => l.length > 0 && C.process[l[0]!] !== C.process[l[l.length - 1]!]);
  const tools = h('div', 'tl-tools');
  const reset = h('button', '', 'reset zoom');
  tools.appendChild(reset);
  tools.appendChild(
    h(
      'span',
      'legend-note',
      'wheel: zoom time \u00b7 drag: pan \u00b7 shift+wheel: scroll processes \u00b7 click an op for details',
    ),
  );
  const keys = h('span');
  for (let k = 0; k < 4; k++)
    keys.appendChild(key(TYPE_COLORS[k]!, TYPE_NAMES[k] === 'open' ? 'never completed' : TYPE_NAMES[k]!));
  keys.appendChild(key('#4b5563', 'nemesis op'));
  if (faults.length) keys.appendChild(key(faultFill('partition'), 'fault window'));
  tools.appendChild(keys);
  host.appendChild(tools);
  const wrap = h('div', 'tl-wrap');
  const canvas = h('canvas');
  const tip = h('div', 'tip');
  add(wrap, canvas, tip);
  host.appendChild(wrap);
  const detail = h('pre', 'mono');
  detail.id = 'op-detail';
  const drawn =
    TL.totalRows === undefined
      ? `${N} operations`
      : `${N} of ${TL.totalRows} operations (a sample: every fail, info, never-completed, nemesis and cited op, oks evenly spaced)`;
  detail.textContent = `${drawn} (client and nemesis) by ${processCount} processes in ${rowsOf.length} lanes (a crashed process's thread continues as a new process in the same lane). Click an op to see it here.`;
  host.appendChild(detail);
  const view = { t0: tMin, t1: tMax + (tMax - tMin) * 0.01, top: 0 };
  let selected = -1;
  let W = 0;
  let H = 0;
  let dpr = 1;
  const ctx = canvas.getContext('2d')!;

  const xOf = (t: number): number => GUTTER + ((t - view.t0) / (view.t1 - view.t0)) * (W - GUTTER);
  const tOf = (x: number): number => view.t0 + ((x - GUTTER) / (W - GUTTER)) * (view.t1 - view.t0);
  const maxTop = (): number => Math.max(0, rowsOf.length * ROW - (H - AXIS));

  function resize(): void {
    dpr = window.devicePixelRatio || 1;
    W = Math.max(300, host.clientWidth);
    H = Math.min(VIEW_H, AXIS + rowsOf.length * ROW + 4);
    canvas.width = W * dpr;
    canvas.height = H * dpr;
    canvas.style.width = `${W}px`;
    canvas.style.height = `${H}px`;
    draw();
  }

  /** One op wide enough to see: its rect, its label when it fits, a mark where the lane's process changes. */
  function drawOp(
    r: number,
    j: number,
    list: Int32Array,
    row: number,
    x1: number,
    x2: number,
    y: number,
    ty: number,
  ): void {
    ctx.fillStyle = ty === 4 ? '#4b5563' : TYPE_COLORS[ty]!;
    ctx.fillRect(x1, y + 2, Math.max(1, x2 - x1 - 1), ROW - 4);
    if (x2 - x1 > 60) {
      ctx.fillStyle = '#fff';
      ctx.font = '10px ui-monospace, monospace';
      const v = D.values[r];
      const label =
        (shared[row] ? `${procName(C.process[r]!)} ` : '') +
        TL.fs[C.f[r]!] +
        (v ? ` ${v[0].replace(/^invoke \S+ ?/, '')}` : '');
      ctx.fillText(clip(label, Math.floor((x2 - x1 - 4) / 6)), x1 + 3, y + ROW - 5);
    }
    if (j > 0 && x2 - x1 > 6 && C.process[list[j - 1]!] !== C.process[r]) {
      ctx.fillStyle = '#111827';
      ctx.fillRect(x1 - 1, y, 1, ROW);
    }
  }

  function draw(): void {
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, W, H);
    // fault windows behind everything
    for (const f of faults) {
      const x1 = Math.max(GUTTER, xOf(f.start));
      const x2 = Math.min(W, xOf(f.end === null ? tMax : f.end));
      if (x2 <= x1) continue;
      ctx.fillStyle = faultFill(f.kind);
      ctx.fillRect(x1, AXIS, x2 - x1, H - AXIS);
      if (x2 - x1 > 40) {
        ctx.fillStyle = faultText(f.kind);
        ctx.font = '11px system-ui, sans-serif';
        ctx.fillText(clip(f.kind, Math.floor((x2 - x1) / 7)), x1 + 3, AXIS + 11);
      }
    }
    const first = Math.floor(view.top / ROW);
    const last = Math.min(rowsOf.length - 1, Math.ceil((view.top + H - AXIS) / ROW));
    ctx.save();
    ctx.beginPath();
    ctx.rect(GUTTER, AXIS, W - GUTTER, H - AXIS);
    ctx.clip();
    for (let row = first; row <= last; row++) {
      const y = AXIS + row * ROW - view.top;
      const list = rowsOf[row]!;
      const from = firstFrom(list, view.t0);
      // Ops a few pixels wide or less merge into runs of one outcome (one rect each, however
      // many ops: a long run's first view), one outcome at a time, oks first, so no fail,
      // info or nemesis op is ever painted over by an ok.
      for (const pass of PASSES) {
        let runX1 = 0;
        let runX2 = -2;
        let runType = -1;
        const flush = (): void => {
          if (runType < 0) return;
          ctx.fillStyle = runType === 4 ? '#4b5563' : TYPE_COLORS[runType]!;
          // Thin fails take the lane's upper half and infos its lower, so where both fall in
          // the same pixels (a fault window seen whole) neither hides the other.
          const half = (ROW - 4) / 2;
          const top = runType === TYPE_INFO ? y + 2 + half : y + 2;
          const height = runType === TYPE_FAIL || runType === TYPE_INFO ? half : ROW - 4;
          ctx.fillRect(runX1, top, Math.max(1, runX2 - runX1), height);
          runType = -1;
        };
        for (let j = from; j < list.length; j++) {
          const r = list[j]!;
          if (C.start[r]! > view.t1) break;
          const ty = KINDS[r]!;
          if (ty !== pass) continue;
          const x1 = xOf(C.start[r]!);
          const x2 = xOf(endOf(r));
          if (x2 - x1 < 3) {
            if (ty === runType && x1 <= runX2 + (ty === 0 ? OK_MERGE_PX : 1)) runX2 = Math.max(runX2, x2);
            else {
              flush();
              runX1 = x1;
              runX2 = x2;
              runType = ty;
            }
            continue;
          }
          flush();
          drawOp(r, j, list, row, x1, x2, y, ty);
        }
        flush();
      }
    }
    if (selected >= 0) {
      const srow = rowOfProc.get(C.process[selected]!)!;
      const sy = AXIS + srow * ROW - view.top;
      const sx1 = xOf(C.start[selected]!);
      const sx2 = xOf(endOf(selected));
      ctx.strokeStyle = '#111827';
      ctx.lineWidth = 2;
      ctx.strokeRect(sx1 - 2, sy, Math.max(4, sx2 - sx1 + 4), ROW);
      ctx.lineWidth = 1;
    }
    ctx.restore();
    // gutter with process names
    ctx.fillStyle = '#f9fafb';
    ctx.fillRect(0, AXIS, GUTTER, H - AXIS);
    ctx.fillStyle = '#374151';
    ctx.font = '11px ui-monospace, monospace';
    for (let row = first; row <= last; row++) {
      const y = AXIS + row * ROW - view.top;
      if (y + ROW <= AXIS) continue;
      // A lane is named by the process it runs at the left edge of the view.
      const lane = rowsOf[row]!;
      const at = Math.min(lane.length - 1, firstFrom(lane, view.t0));
      ctx.fillText(procName(C.process[lane[at]!]!), 6, y + ROW - 4);
    }
    // time axis
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, W, AXIS);
    ctx.strokeStyle = '#e5e7eb';
    ctx.beginPath();
    ctx.moveTo(0, AXIS - 0.5);
    ctx.lineTo(W, AXIS - 0.5);
    ctx.stroke();
    const span = view.t1 - view.t0;
    let stepT = 10 ** Math.floor(Math.log10(span / 8));
    if (span / stepT > 16) stepT *= 5;
    else if (span / stepT > 8) stepT *= 2;
    ctx.fillStyle = '#6b7280';
    ctx.font = '11px system-ui, sans-serif';
    const digits = Math.max(0, -Math.floor(Math.log10(stepT)));
    for (let t = Math.ceil(view.t0 / stepT) * stepT; t <= view.t1; t += stepT) {
      const x = xOf(t);
      if (x < GUTTER) continue;
      ctx.fillRect(x, AXIS - 5, 1, 5);
      ctx.fillText(`${t.toFixed(digits)} s`, x + 2, AXIS - 8);
    }
  }

  function hit(mx: number, my: number): number {
    if (mx < GUTTER || my < AXIS) return -1;
    const row = Math.floor((my - AXIS + view.top) / ROW);
    if (row < 0 || row >= rowsOf.length) return -1;
    const list = rowsOf[row]!;
    const slack = (3 * (view.t1 - view.t0)) / (W - GUTTER);
    const t = tOf(mx);
    const j = firstFrom(list, t - slack);
    return j < list.length && C.start[list[j]!]! <= t + slack ? list[j]! : -1;
  }

  function zoom(factor: number, atX: number): void {
    const t = tOf(atX);
    let span = (view.t1 - view.t0) * factor;
    span = Math.max(1e-6, Math.min(span, (tMax - tMin) * 1.5 + 1e-9));
    const frac = (atX - GUTTER) / (W - GUTTER);
    view.t0 = t - frac * span;
    view.t1 = view.t0 + span;
    draw();
  }

  canvas.addEventListener(
    'wheel',
    (ev) => {
      ev.preventDefault();
      if (ev.shiftKey) {
        view.top = Math.max(0, Math.min(maxTop(), view.top + (ev.deltaY || ev.deltaX)));
        draw();
        return;
      }
      zoom(1.0015 ** ev.deltaY, ev.offsetX);
    },
    { passive: false },
  );
  let drag: { x: number; y: number; t0: number; t1: number; top: number; moved: boolean } | null = null;
  canvas.addEventListener('mousedown', (ev) => {
    drag = { x: ev.clientX, y: ev.clientY, t0: view.t0, t1: view.t1, top: view.top, moved: false };
    canvas.style.cursor = 'grabbing';
  });
  window.addEventListener('mouseup', (ev) => {
    if (!drag) return;
    const wasClick = !drag.moved;
    drag = null;
    canvas.style.cursor = 'grab';
    if (wasClick && ev.target === canvas) {
      const r = hit(ev.offsetX, ev.offsetY);
      if (r >= 0) select(r);
    }
  });
  window.addEventListener('mousemove', (ev) => {
    if (drag) {
      const dx = ev.clientX - drag.x;
      const dy = ev.clientY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
      const dt = (dx / (W - GUTTER)) * (drag.t1 - drag.t0);
      view.t0 = drag.t0 - dt;
      view.t1 = drag.t1 - dt;
      view.top = Math.max(0, Math.min(maxTop(), drag.top - dy));
      draw();
      return;
    }
    if (ev.target !== canvas) {
      tip.style.display = 'none';
      return;
    }
    const r = hit(ev.offsetX, ev.offsetY);
    if (r < 0) {
      tip.style.display = 'none';
      return;
    }
    tip.textContent = opSummary(r);
    tip.style.display = 'block';
    tip.style.left = `${Math.min(ev.offsetX + 12, W - 300)}px`;
    tip.style.top = `${ev.offsetY + 14}px`;
  });
  reset.addEventListener('click', () => {
    view.t0 = tMin;
    view.t1 = tMax + (tMax - tMin) * 0.01;
    view.top = 0;
    draw();
  });
  function select(r: number): void {
    selected = r;
    detail.textContent = opSummary(r);
    draw();
  }
  function focus(r: number): void {
    const span = Math.max((endOf(r) - C.start[r]!) * 12, (tMax - tMin) / 200, 1e-4);
    const mid = (C.start[r]! + endOf(r)) / 2;
    view.t0 = mid - span / 2;
    view.t1 = mid + span / 2;
    const row = rowOfProc.get(C.process[r]!)!;
    view.top = Math.max(0, Math.min(maxTop(), row * ROW - (H - AXIS) / 2));
    select(r);
  }
  resize();
  return { focus, resize };
}
