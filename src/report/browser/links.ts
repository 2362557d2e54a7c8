/** Links to ops: clicking one shows it in the timeline. */
import { byId, h } from './dom.js';
import { rowOfIndex } from './page.js';

/** What the timeline offers the rest of the page. */
export interface TimelineView {
  focus(row: number): void;
  resize(): void;
}

let timeline: TimelineView | null = null;

export function setTimeline(t: TimelineView): void {
  timeline = t;
}

export function currentTimeline(): TimelineView | null {
  return timeline;
}

export function focusOp(index: number): void {
  const r = rowOfIndex(index);
  byId('timeline').scrollIntoView({ behavior: 'auto', block: 'start' });
  if (r >= 0 && timeline) timeline.focus(r);
  else byId('op-detail').textContent = `op ${index} is not in the history`;
}

export function opLink(index: number, label?: string): HTMLAnchorElement {
  const a = h('a', 'op', label || `op ${index}`);
  a.href = '#timeline';
  a.title = `show op ${index} in the timeline`;
  a.addEventListener('click', (ev) => {
    ev.preventDefault();
    focusOp(index);
  });
  return a;
}

export function opList(indices: readonly number[] | undefined, max = 40): HTMLSpanElement {
  const span = h('span');
  (indices ?? []).slice(0, max).forEach((x, i) => {
    if (i) span.appendChild(document.createTextNode(', '));
    span.appendChild(opLink(x));
  });
  if (indices && indices.length > max)
    span.appendChild(document.createTextNode(`, \u2026 (${indices.length} in all)`));
  return span;
}
