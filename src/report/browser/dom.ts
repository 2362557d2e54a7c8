/** DOM helpers: text always goes in as textContent (or SVG text nodes), never as markup. */

export { fmt } from '../format.js';

export type Child = Node | string | number | null | undefined;

/** An element with a class and text. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  cls?: string,
  text?: unknown,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

/** Appends children (strings and numbers as text nodes) and returns the parent. */
export function add<E extends Node>(parent: E, ...children: Child[]): E {
  for (const c of children) {
    if (c === null || c === undefined) continue;
    parent.appendChild(
      typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c,
    );
  }
  return parent;
}

/** A value as short text: strings as they are, the rest as JSON. */
export function show(v: unknown): string {
  if (v === undefined) return '';
  if (typeof v === 'string') return v;
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

/** At most `n` characters, with an ellipsis when cut. */
export function clip(s: unknown, n: number): string {
  const text = String(s);
  return text.length > n ? `${text.slice(0, n - 1)}\u2026` : text;
}

export type Verdict = boolean | 'unknown' | undefined;

export function verdictWord(v: Verdict): 'valid' | 'invalid' | 'unknown' {
  return v === true ? 'valid' : v === false ? 'invalid' : 'unknown';
}

export function badge(v: Verdict, big?: boolean): HTMLSpanElement {
  const w = verdictWord(v);
  return h('span', `badge ${w}${big ? ' big' : ''}`, w === 'invalid' ? 'INVALID' : w);
}

export function pct(x: number | null | undefined): string {
  return x === null || x === undefined ? '\u2013' : `${(x * 100).toFixed(x === 1 || x === 0 ? 0 : 2)}%`;
}

/** A table; cells are nodes or text. `numeric[i]` right-aligns column i. */
export function table(
  head: readonly string[],
  rows: readonly Child[][],
  numeric?: readonly boolean[],
): HTMLTableElement {
  const t = h('table');
  const tr = h('tr');
  head.forEach((c, i) => {
    tr.appendChild(h('th', numeric?.[i] ? 'num' : '', c));
  });
  add(t, add(h('thead'), tr));
  const body = h('tbody');
  for (const r of rows) {
    const row = h('tr');
    r.forEach((c, i) => {
      const td = h('td', numeric?.[i] ? 'num' : '');
      if (c instanceof Node) td.appendChild(c);
      else td.textContent = c === undefined || c === null ? '' : String(c);
      row.appendChild(td);
    });
    body.appendChild(row);
  }
  return add(t, body);
}

/** A colour swatch with a label, for legends. */
export function key(color: string, label: string): HTMLSpanElement {
  const k = h('span', 'key');
  const i = h('i');
  i.style.background = color;
  return add(k, i, label);
}

const SVG = 'http://www.w3.org/2000/svg';

/** An SVG element with attributes. */
export function svg(tag: string, attrs: Record<string, string | number>): SVGElement {
  const e = document.createElementNS(SVG, tag);
  for (const k of Object.keys(attrs)) e.setAttribute(k, String(attrs[k]));
  return e;
}

/** The element with `id`; the page template has them all. */
export function byId(id: string): HTMLElement {
  const e = document.getElementById(id);
  if (!e) throw new Error(`report page without #${id}`);
  return e;
}
