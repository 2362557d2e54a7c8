/**
 * The trend page: one self-contained HTML file (uPlot inlined, no network requests) with a
 * chart per series, grouped by plan and case, change points marked, every point linking to its
 * run's report, and the verdicts on top.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { keyText, type SeriesJudgement } from './judge.js';

/** Where the page goes and where run folders are. */
export interface TrendOptions {
  /** The HTML file to write. */
  file: string;
  /** The results root the points' `run` paths are relative to. */
  root: string;
  title?: string;
}

/** Writes the trend page; returns its path. */
export function writeTrendPage(judgements: readonly SeriesJudgement[], options: TrendOptions): string {
  mkdirSync(dirname(options.file), { recursive: true });
  writeFileSync(options.file, trendHtml(judgements, options));
  return options.file;
}

/** The chart data of one series, as embedded in the page. */
interface ChartData {
  id: string;
  title: string;
  unit: string;
  better: string;
  verdict: string;
  reason: string;
  x: number[];
  y: number[];
  links: (string | null)[];
  labels: string[];
  changes: { index: number; direction: string; text: string }[];
}

/** The trend page's HTML. */
export function trendHtml(judgements: readonly SeriesJudgement[], options: TrendOptions): string {
  const htmlDir = dirname(options.file);
  const charts: ChartData[] = judgements.map((j, n) => ({
    id: `s${n}`,
    title: keyText(j.key),
    unit: j.unit,
    better: j.better,
    verdict: j.verdict.verdict,
    reason: j.verdict.reason,
    x: j.points.map((p) => Date.parse(p.time) / 1000),
    y: j.points.map((p) => p.value),
    links: j.points.map((p) => (p.run ? reportLink(options.root, p.run, htmlDir) : null)),
    labels: j.points.map(
      (p) =>
        `${p.time}${p.repetition ? ` rep ${p.repetition + 1}` : ''}${p.commit ? ` @${p.commit}` : ''}` +
        `${
          p.notes
            ? ` (${Object.entries(p.notes)
                .map(([k, v]) => `${k} ${v}`)
                .join(', ')})`
            : ''
        }`,
    ),
    changes: j.verdict.changes.map((c) => ({
      index: c.index,
      direction: c.direction,
      text: `${c.relativeChange >= 0 ? '+' : ''}${(c.relativeChange * 100).toFixed(1)}% (p=${c.pPermutation.toFixed(3)}, δ=${c.cliffsDelta.toFixed(2)})`,
    })),
  }));
  const counts = { regressed: 0, improved: 0, unchanged: 0 };
  for (const j of judgements) counts[j.verdict.verdict]++;
  const notable = judgements.filter((j) => j.verdict.verdict !== 'unchanged');
  const groups = new Map<string, ChartData[]>();
  charts.forEach((c, i) => {
    const k = judgements[i]!.key;
    const g = `${k.plan} / ${k.case}`;
    groups.set(g, [...(groups.get(g) ?? []), c]);
  });
  const title = options.title ?? 'faultline trends';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<style>${uplotCss()}
body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}
h2{margin-top:2em;border-bottom:1px solid #ccc}
.chart{display:inline-block;vertical-align:top;margin:0 1em 1.5em 0;width:520px}
.chart h3{font-size:13px;margin:.2em 0}
.regressed{color:#b00020;font-weight:bold}.improved{color:#0a7d29;font-weight:bold}.unchanged{color:#666}
.reason{font-size:12px;color:#444;min-height:2.4em}
table{border-collapse:collapse}td,th{padding:2px 8px;border-bottom:1px solid #eee;text-align:left}
details{font-size:12px}
</style></head><body>
<h1>${esc(title)}</h1>
<p>${judgements.length} series: <span class="regressed">${counts.regressed} regressed</span>,
<span class="improved">${counts.improved} improved</span>, <span class="unchanged">${counts.unchanged} unchanged</span>.
Generated ${esc(new Date().toISOString())}. Dashed lines mark change points (red: worse, green: better);
click a point to open its run's report.</p>
${
  notable.length > 0
    ? `<table><tr><th>series</th><th>verdict</th><th>evidence</th></tr>${notable
        .map(
          (j) =>
            `<tr><td>${esc(keyText(j.key))}</td><td class="${j.verdict.verdict}">${j.verdict.verdict}</td><td>${esc(j.verdict.reason)}</td></tr>`,
        )
        .join('')}</table>`
    : ''
}
${[...groups]
  .map(
    ([g, cs]) =>
      `<h2>${esc(g)}</h2>${cs
        .map(
          (
            c,
          ) => `<div class="chart"><h3>${esc(c.title.split('/').pop() ?? c.title)} (${esc(c.unit)}, ${c.better} is better)
<span class="${c.verdict}">${c.verdict}</span></h3><div class="reason">${esc(c.reason)}</div><div id="${c.id}"></div>
<details><summary>${c.y.length} point${c.y.length === 1 ? '' : 's'}</summary><table>${c.y
            .map(
              (y, i) =>
                `<tr><td>${c.links[i] ? `<a href="${esc(c.links[i]!)}">${esc(c.labels[i]!)}</a>` : esc(c.labels[i]!)}</td><td>${y}</td></tr>`,
            )
            .join('')}</table></details></div>`,
        )
        .join('\n')}`,
  )
  .join('\n')}
<script type="application/json" id="data">${jsonForScript(charts)}</script>
<script>${uplotJs()}</script>
<script>${PAGE_SCRIPT}</script>
</body></html>
`;
}

/** Draws the charts from the embedded data; change points as dashed lines; clicks open the point's link. */
const PAGE_SCRIPT = `
const charts = JSON.parse(document.getElementById('data').textContent);
for (const c of charts) {
  const el = document.getElementById(c.id);
  const marks = {
    hooks: {
      draw: [(u) => {
        const ctx = u.ctx;
        ctx.save();
        ctx.setLineDash([6, 4]);
        ctx.lineWidth = 2;
        for (const ch of c.changes) {
          const i = ch.index;
          const x = i > 0 ? (c.x[i - 1] + c.x[i]) / 2 : c.x[i];
          const px = u.valToPos(x, 'x', true);
          ctx.strokeStyle = ch.direction === 'worse' ? '#b00020' : '#0a7d29';
          ctx.beginPath();
          ctx.moveTo(px, u.bbox.top);
          ctx.lineTo(px, u.bbox.top + u.bbox.height);
          ctx.stroke();
          ctx.fillStyle = ctx.strokeStyle;
          const w = ctx.measureText(ch.text).width;
          const right = px + 4 + w > u.bbox.left + u.bbox.width;
          ctx.fillText(ch.text, right ? px - 4 - w : px + 4, u.bbox.top + 12);
        }
        ctx.restore();
      }],
    },
  };
  const u = new uPlot({
    width: 500, height: 220, plugins: [marks],
    scales: { x: { time: true } },
    series: [{}, { label: c.unit, stroke: '#1f5fbf', width: 1.5, points: { show: true, size: 6 } }],
    axes: [{}, { size: 60 }],
  }, [c.x, c.y], el);
  u.over.addEventListener('click', () => {
    const i = u.cursor.idx;
    if (i != null && c.links[i]) window.location.href = c.links[i];
  });
  u.over.title = 'click a point to open its run';
}
`;

function reportLink(root: string, run: string, htmlDir: string): string {
  const dir = join(root, run);
  const target = existsSync(join(dir, 'report.html'))
    ? join(dir, 'report.html')
    : existsSync(join(dir, 'bench.json'))
      ? join(dir, 'bench.json')
      : dir;
  return relative(htmlDir, target).split('\\').join('/');
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** JSON safe inside a script element. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

function uplotFile(name: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const f = join(dir, 'node_modules', 'uplot', 'dist', name);
    if (existsSync(f)) return readFileSync(f, 'utf8');
    const up = dirname(dir);
    if (up === dir) throw new Error(`uplot/dist/${name} not found (is uplot installed?)`);
    dir = up;
  }
}

function uplotJs(): string {
  return uplotFile('uPlot.iife.min.js').replace(/<\/script/gi, '<\\/script');
}

function uplotCss(): string {
  return uplotFile('uPlot.min.css');
}
