/**
 * The results browser's pages, rendered on the server. Every value from a run goes through
 * {@link esc}; the pages need no script.
 */
import type { RunSummary } from './runs.js';

/** Escapes text for HTML content and quoted attribute values. */
export function esc(value: unknown): string {
  return String(value ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

const CSS = `
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #111827; background: #f9fafb; }
main { max-width: 1280px; margin: 0 auto; padding: 12px 20px 40px; }
h1 { font-size: 20px; margin: 8px 0 12px; }
h1 a { color: inherit; text-decoration: none; }
table { border-collapse: collapse; width: 100%; background: #fff; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid #e5e7eb; padding: 5px 8px; text-align: left; vertical-align: top; }
th { color: #6b7280; font-size: 12px; font-weight: 600; background: #f3f4f6; }
td.num, th.num { text-align: right; }
tr.valid td:first-child { border-left: 4px solid #16a34a; }
tr.invalid td:first-child { border-left: 4px solid #dc2626; }
tr.unknown td:first-child { border-left: 4px solid #d97706; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-weight: 700; font-size: 12px; }
.badge.valid { background: #dcfce7; color: #166534; }
.badge.invalid { background: #fee2e2; color: #991b1b; }
.badge.unknown { background: #fef3c7; color: #92400e; }
form.filters { display: flex; gap: 10px; align-items: center; margin: 0 0 10px; flex-wrap: wrap; }
input, select, button { font: inherit; padding: 3px 8px; border: 1px solid #d1d5db; border-radius: 4px; background: #fff; }
button { cursor: pointer; }
a { color: #1d4ed8; }
.muted { color: #6b7280; }
.better { color: #166534; }
.worse { color: #991b1b; }
.anom { color: #991b1b; font-size: 12px; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
.box { background: #fff; border: 1px solid #e5e7eb; border-radius: 8px; padding: 10px 14px; }
`;

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'";

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<link rel="icon" href="data:,">
<title>${esc(title)}</title><style>${CSS}</style></head>
<body><main><h1><a href="/">faultline results</a>${title === 'faultline results' ? '' : ` · ${esc(title)}`}</h1>
${body}
</main></body></html>
`;
}

function verdictWord(v: RunSummary['verdict']): 'valid' | 'invalid' | 'unknown' {
  return v === true ? 'valid' : v === false ? 'invalid' : 'unknown';
}

function badge(v: RunSummary['verdict'], unreadable: string | null = null): string {
  if (unreadable !== null) return '<span class="badge unknown">unreadable</span>';
  const w = verdictWord(v);
  return `<span class="badge ${w}">${w === 'invalid' ? 'INVALID' : v === null ? 'no result' : w}</span>`;
}

function fmt(x: number | null | undefined, digits = 2): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  return Math.abs(x) >= 1000 ? Math.round(x).toLocaleString('en-US') : x.toFixed(digits);
}

/** A run's path in the browser. */
export function runHref(id: string, file = 'report.html'): string {
  return `/run/${id.split('/').map(encodeURIComponent).join('/')}/${file}`;
}

/** Filters of the listing. */
export interface ListFilters {
  test?: string;
  verdict?: string;
}

/** The listing: newest first, filters, links to reports, zips, and a comparison of two. */
export function listPage(runs: readonly RunSummary[], filters: ListFilters, total: number): string {
  const verdicts = ['', 'valid', 'invalid', 'unknown'];
  const rows = runs
    .map((r) => {
      const w = verdictWord(r.verdict);
      return `<tr class="${w}">
<td><input type="checkbox" name="run" value="${esc(r.id)}" aria-label="compare ${esc(r.id)}"></td>
<td>${badge(r.verdict, r.unreadable)}${r.interrupted ? ' <span class="muted">interrupted</span>' : ''}</td>
<td><a href="${esc(runHref(r.id))}">${esc(r.test)}</a></td>
<td class="muted">${esc(r.startedAt ?? r.timestamp)}</td>
<td class="num">${fmt(r.durationS, 1)} s</td>
<td class="num">${r.ops === null ? '–' : esc(r.ops.toLocaleString('en-US'))}</td>
<td class="num">${fmt(r.perf?.okPerSecond, 0)}</td>
<td class="num">${fmt(r.perf?.latency.p99)}</td>
<td class="anom">${esc(r.anomalies.join('; '))}${r.error ? ` <span class="muted">error: ${esc(r.error)}</span>` : ''}${r.unreadable ? ` <span class="muted">${esc(r.unreadable)}</span>` : ''}</td>
<td><a href="${esc(`/zip/${r.id.split('/').map(encodeURIComponent).join('/')}`)}">zip</a></td>
</tr>`;
    })
    .join('\n');
  const options = verdicts
    .map(
      (v) => `<option value="${v}"${filters.verdict === v ? ' selected' : ''}>${v || 'any verdict'}</option>`,
    )
    .join('');
  return page(
    'faultline results',
    `<form class="filters" method="get" action="/">
<input name="test" placeholder="test name contains…" value="${esc(filters.test ?? '')}">
<select name="verdict">${options}</select>
<button type="submit">filter</button>
<span class="muted">${runs.length} of ${total} runs</span>
</form>
<form method="get" action="/compare">
<p><button type="submit">compare the two selected runs</button></p>
<table id="runs">
<thead><tr><th></th><th>verdict</th><th>test</th><th>started</th><th class="num">duration</th><th class="num">ops</th><th class="num">ok/s</th><th class="num">p99 ms</th><th>anomalies</th><th></th></tr></thead>
<tbody>
${rows || '<tr><td colspan="10" class="muted">No runs here yet.</td></tr>'}
</tbody></table>
</form>`,
  );
}

/** One figure of a comparison: name, the two values, and whether lower is better. */
interface Figure {
  name: string;
  a: number | null;
  b: number | null;
  unit: string;
  lowerIsBetter: boolean;
}

function delta(f: Figure): string {
  if (f.a === null || f.b === null) return '–';
  const d = f.b - f.a;
  const rel = f.a !== 0 ? ` (${d >= 0 ? '+' : ''}${((d / f.a) * 100).toFixed(1)}%)` : '';
  const better = d === 0 ? '' : d < 0 === f.lowerIsBetter ? 'better' : 'worse';
  return `<span class="${better}">${d >= 0 ? '+' : ''}${fmt(d)}${f.unit}${rel}</span>`;
}

/** Two runs side by side: facts, then throughput and latency with deltas (b − a). */
export function comparePage(a: RunSummary, b: RunSummary): string {
  const figures: Figure[] = [
    {
      name: 'ok per second',
      a: a.perf?.okPerSecond ?? null,
      b: b.perf?.okPerSecond ?? null,
      unit: '',
      lowerIsBetter: false,
    },
    {
      name: 'availability',
      a: a.perf?.availability === null || !a.perf ? null : a.perf.availability * 100,
      b: b.perf?.availability === null || !b.perf ? null : b.perf.availability * 100,
      unit: ' %',
      lowerIsBetter: false,
    },
  ];
  for (const q of ['p50', 'p90', 'p99', 'p999', 'max'] as const) {
    figures.push({
      name: `latency ${q === 'p999' ? 'p99.9' : q}`,
      a: a.perf?.latency[q] ?? null,
      b: b.perf?.latency[q] ?? null,
      unit: ' ms',
      lowerIsBetter: true,
    });
  }
  const states = [...new Set([...Object.keys(a.perf?.byState ?? {}), ...Object.keys(b.perf?.byState ?? {})])];
  for (const s of states) {
    figures.push({
      name: `p99 while ${s}`,
      a: a.perf?.byState[s]?.p99 ?? null,
      b: b.perf?.byState[s]?.p99 ?? null,
      unit: ' ms',
      lowerIsBetter: true,
    });
  }
  figures.push({
    name: 'longest without ok',
    a: a.perf?.longestOutageS ?? null,
    b: b.perf?.longestOutageS ?? null,
    unit: ' s',
    lowerIsBetter: true,
  });
  const head = (r: RunSummary, label: string): string => `<div class="box">
<p><b>${label}</b> ${badge(r.verdict, r.unreadable)} <a href="${esc(runHref(r.id))}">${esc(r.test)}</a></p>
<p class="muted">${esc(r.startedAt ?? r.timestamp)} · ${fmt(r.durationS, 1)} s · ${r.ops ?? '–'} ops</p>
<p class="anom">${esc(r.anomalies.join('; '))}</p></div>`;
  const rows = figures
    .map(
      (f) =>
        `<tr><td>${esc(f.name)}</td><td class="num">${fmt(f.a)}${f.unit}</td><td class="num">${fmt(f.b)}${f.unit}</td><td class="num">${delta(f)}</td></tr>`,
    )
    .join('\n');
  return page(
    'compare',
    `<div class="grid">${head(a, 'A')}${head(b, 'B')}</div>
<h2>Throughput and latency</h2>
<table id="compare"><thead><tr><th>figure</th><th class="num">A</th><th class="num">B</th><th class="num">B − A</th></tr></thead>
<tbody>${rows}</tbody></table>`,
  );
}

/** A short error page. */
export function errorPage(status: number, message: string): string {
  return page(String(status), `<p>${esc(message)}</p>`);
}
