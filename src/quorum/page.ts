/**
 * quorum.html: the quorum findings as one static page in the report's style (its style
 * sheet, no script, no network): the size table with theory beside measurement, one sentence
 * per site layout, and every case with its safety verdict and a link to its run report.
 * Anything that differs from theory, and every unsafe case, is highlighted.
 */
import { fmt } from '../report/format.js';
import { REPORT_CSS } from '../report/style.js';
import { esc } from '../serve/pages.js';
import type { CaseRow, QuorumSummary, SizeRow, Verdict } from './summary.js';

/** What the page says about the run besides the findings. */
export interface QuorumFacts {
  db: string;
  sizes: number[];
  sites: number[][];
  caseS: number;
  seed: number;
  startedAt: string;
  durationS: number;
  versions: string[];
}

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const EXTRA_CSS = `
.finding { background: #fee2e2; }
.finding td:first-child { border-left: 3px solid var(--fail); padding-left: 6px; }
.bad { color: #991b1b; font-weight: 600; }
ul.findings li { color: #991b1b; }
`;

function badge(v: Verdict): string {
  return `<span class="badge ${v}">${v}</span>`;
}

function seconds(x: number | undefined): string {
  return x === undefined ? '\u2013' : fmt(x, 2);
}

function sizeRow(row: SizeRow): string {
  const off = row.measuredTolerated !== null && row.measuredTolerated !== row.tolerated;
  const splits =
    row.splits.length === 0
      ? '\u2013'
      : row.splits
          .map((s) => {
            const bad = s.writableSides !== s.expected || s.splitBrain;
            const text = `${s.split}: ${s.writableSides}${s.splitBrain ? ' (split-brain)' : ''}`;
            return bad
              ? `<span class="bad">${esc(text)}</span> <span class="summary">(theory: ${esc(s.expected)})</span>`
              : esc(text);
          })
          .join('<br>');
  return `<tr class="${off || row.mismatches > 0 || row.safety === 'invalid' ? 'finding' : ''}">
<td class="num">${row.size}</td><td class="num">${row.quorum}</td><td class="num">${row.tolerated}</td>
<td class="num${off ? ' bad' : ''}">${row.measuredTolerated ?? '\u2013'}</td><td>${splits}</td>
<td class="num">${seconds(row.electionS)}</td><td class="num">${seconds(row.firstWriteS)}</td><td class="num">${seconds(row.recoveryS)}</td><td>${badge(row.safety)}</td></tr>`;
}

function caseRow(c: CaseRow): string {
  const sides = c.sides
    .map((s) => {
      const bad = (s.writable === 'yes') !== s.expected && s.writable !== 'unknown';
      const text = `${s.nodes.join(',')}: ${s.writable} (${s.acknowledged}/${s.attempted} writes acked; theory ${s.expected ? 'yes' : 'no'})`;
      return bad ? `<span class="bad">${esc(text)}</span>` : esc(text);
    })
    .join('<br>');
  const unsafe = c.safety === 'invalid' || c.mismatch !== undefined;
  return `<tr class="${unsafe ? 'finding' : ''}">
<td class="mono">${esc(c.id)}</td><td>${esc(c.fault)}${c.down.length ? `<br><span class="summary">down: ${esc(c.down.join(','))}</span>` : ''}</td>
<td>${sides || '\u2013'}</td><td>${c.splitBrain ? '<span class="bad">yes</span>' : 'no'}</td>
<td class="num">${seconds(c.electedAfterS)}</td><td class="num">${seconds(c.firstWriteAfterFaultS)}</td><td class="num">${seconds(c.firstWriteAfterHealS)}</td>
<td>${badge(c.safety)}${c.notes.length ? `<br><span class="summary">${esc(c.notes.join('; '))}</span>` : ''}</td>
<td><a href="${esc(`${c.run}/report.html`)}">report</a></td></tr>`;
}

export function quorumPage(summary: QuorumSummary, facts: QuorumFacts): string {
  const title = `faultline quorum: ${facts.db}`;
  const layouts = summary.layouts.length
    ? `<section><h2>Site layouts</h2><ul>${summary.layouts
        .map(
          (l) =>
            `<li class="${l.mismatches > 0 || l.safety === 'invalid' ? 'bad' : ''}">${esc(l.sentence)} ${badge(l.safety)}</li>`,
        )
        .join('')}</ul></section>`
    : '';
  const findings = summary.findings.length
    ? `<section><h2>Findings</h2><ul class="findings">${summary.findings.map((f) => `<li>${esc(f)}</li>`).join('')}</ul></section>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${esc(title)}</title><style>${REPORT_CSS}${EXTRA_CSS}</style></head>
<body><header class="top"><h1>${esc(title)}</h1>${badge(summary.verdict)}</header><main>
<section><h2>Run</h2><p class="summary">db ${esc(facts.db)} ${esc(facts.versions.join(', '))}; sizes ${esc(facts.sizes.join(', '))}${
    facts.sites.length ? `; site layouts ${esc(facts.sites.map((s) => s.join(':')).join(', '))}` : ''
  }; ${facts.caseS} s per case (warm-up, fault held, after the heal: 1 : 3 : 2, plus the time faults take to apply); seed ${facts.seed}; started ${esc(facts.startedAt)}, took ${fmt(facts.durationS / 60, 1)} min.
Clients run on every node (two per node) and write to the node they are bound to; a side is writable when it acknowledged a write while the fault held.
Crashes and splits put the leader among the killed nodes or on the smaller side. Election: time until a node other than the killed leader leads (polled every 0.2 s); first write: time to the first acknowledged write after the leader was killed (an op already sent to the dead leader waits out its deadline); recovery: the longest time to the first acknowledged write after a heal.
A majority side marked stopped may only be slower to elect than the fault was held (ZooKeeper's followers give up on a leader cut off from them after syncLimit × tickTime, 10 s by default): a longer --time-per-case tells the two apart.</p></section>
${findings}
<section><h2>Quorum by ensemble size</h2><table><thead><tr><th class="num">N</th><th class="num">quorum</th><th class="num">tolerates (theory)</th><th class="num">largest f still writable</th><th>writable sides of each split</th><th class="num">election s</th><th class="num">first write s</th><th class="num">recovery s</th><th>safety</th></tr></thead>
<tbody>${summary.sizes.map(sizeRow).join('\n')}</tbody></table></section>
${layouts}
<section><h2>Cases</h2><table><thead><tr><th>case</th><th>fault</th><th>sides: writable</th><th>split-brain</th><th class="num">new leader after s</th><th class="num">first write after fault s</th><th class="num">first write after heal s</th><th>safety</th><th>run</th></tr></thead>
<tbody>${summary.cases.map(caseRow).join('\n')}</tbody></table></section>
</main></body></html>
`;
}
