/**
 * The report's browser code, bundled at build time (scripts/bundle-report.mjs) into one
 * script inlined in report.html. It reads the embedded data and fills the page's sections;
 * every value from a history reaches the page through textContent, never as markup.
 */
import { type ResultView, renderChecker } from './checkers.js';
import { add, badge, byId, clip, fmt, h, show, table } from './dom.js';
import { currentTimeline, setTimeline } from './links.js';
import { D, perf } from './page.js';
import { renderPerfSection, resizePlots } from './perf.js';
import { makeTimeline } from './timeline.js';

const facts = (D.facts ?? {}) as Record<string, unknown>;
const results = D.results as ResultView | null;

function header(): void {
  const title = typeof facts.name === 'string' && facts.name ? facts.name : 'faultline run';
  document.title = `${title} \u2013 faultline report`;
  const head = byId('top');
  add(
    head,
    add(h('h1'), title),
    results ? badge(results.valid, true) : h('span', 'badge unknown big', 'no results'),
  );
  const parts: string[] = [];
  if (perf)
    parts.push(
      `${(perf.counts.ok + perf.counts.fail + perf.counts.info).toLocaleString('en-US')} client operations`,
    );
  if (facts.durationS !== undefined) parts.push(`${fmt(facts.durationS as number)} s`);
  if (facts.startedAt) parts.push(String(facts.startedAt));
  add(head, h('span', 'summary', parts.join(' \u00b7 ')));
  const nav = h('nav');
  for (const [href, label] of [
    ['#checkers', 'checkers'],
    ['#perf', 'performance'],
    ['#timeline', 'timeline'],
    ['#facts', 'facts'],
  ] as const) {
    const a = h('a', '', label);
    a.href = href;
    nav.appendChild(a);
  }
  head.appendChild(nav);
  if (D.warnings?.length) {
    const w = byId('warnings');
    for (const t of D.warnings) w.appendChild(h('p', 'warn', t));
  }
}

function checkers(): void {
  const el = byId('checkers');
  const sub = results?.results ?? null;
  if (!results) el.appendChild(h('p', 'summary', 'This run has no results.json.'));
  else if (!sub) el.appendChild(renderChecker('result', results));
  else for (const name of Object.keys(sub)) el.appendChild(renderChecker(name, sub[name]!));
  if (results?.error) el.appendChild(h('p', 'warn', `The run ended with an error: ${results.error}`));
}

function factsSection(): void {
  const el = byId('facts');
  const rows: string[][] = [];
  const keys = [
    'name',
    'workload',
    'db',
    'seed',
    'nodes',
    'versions',
    'nemesis',
    'startedAt',
    'endedAt',
    'durationS',
    'faultline',
    'node',
    'argv',
  ];
  for (const k of keys) {
    if (facts[k] !== undefined && facts[k] !== null) rows.push([k, clip(show(facts[k]), 2000)]);
  }
  const stats = (D.results as { stats?: Record<string, unknown> } | null)?.stats;
  if (stats) for (const k of Object.keys(stats)) rows.push([`stats.${k}`, show(stats[k])]);
  rows.push(['report generated', D.generatedAt]);
  const ft = table(['fact', 'value'], rows);
  ft.className = 'facts';
  el.appendChild(ft);
  if (facts.plan) {
    const det = add(h('details'), h('summary', '', 'plan'));
    det.appendChild(h('pre', 'mono', JSON.stringify(facts.plan, null, 2)));
    el.appendChild(det);
  }
}

// Marks let a benchmark see where a load's time goes.
header();
checkers();
performance.mark('faultline:checkers');
renderPerfSection();
performance.mark('faultline:perf');
window.addEventListener('resize', () => {
  resizePlots();
  currentTimeline()?.resize();
});
setTimeline(makeTimeline(byId('timeline-body')));
performance.mark('faultline:timeline');
factsSection();
document.body.setAttribute('data-ready', '1');
