/**
 * report.html: one self-contained page (no network requests: the plotting library, the
 * styles, the code and the data are all inlined; a Content-Security-Policy forbids
 * anything else). The data is embedded as JSON in a `<script type="application/json">`
 * block with every `<` escaped, so no value can close the block or open a tag.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { ReportData } from './data.js';
import { REPORT_CSS } from './style.js';

let uplotAssets: { js: string; css: string } | undefined;

/** uPlot's browser build and style sheet, read once from node_modules. */
function uplot(): { js: string; css: string } {
  if (!uplotAssets) {
    const require = createRequire(import.meta.url);
    const dir = require.resolve('uplot/dist/uPlot.iife.min.js').replace(/uPlot\.iife\.min\.js$/, '');
    uplotAssets = {
      js: readFileSync(`${dir}uPlot.iife.min.js`, 'utf8'),
      css: readFileSync(`${dir}uPlot.min.css`, 'utf8'),
    };
  }
  return uplotAssets;
}

let clientCode: string | undefined;

/**
 * The report's browser code (src/report/browser/, typed TypeScript) as one script. `npm run
 * build` bundles it to browser.js next to this module; running from the TypeScript sources
 * (tests), it is bundled once per process by the same script, with rolldown.
 */
export function reportClientJs(): string {
  if (clientCode === undefined) {
    const built = fileURLToPath(new URL('./browser.js', import.meta.url));
    if (existsSync(built)) clientCode = readFileSync(built, 'utf8');
    else {
      const script = ['../../scripts/bundle-report.mjs', '../../../scripts/bundle-report.mjs']
        .map((p) => fileURLToPath(new URL(p, import.meta.url)))
        .find((p) => existsSync(p));
      if (!script) throw new Error(`the report's browser code is not built (${built}): run npm run build`);
      clientCode = execFileSync(process.execPath, [script], { encoding: 'utf8', maxBuffer: 16 << 20 });
    }
  }
  return clientCode;
}

/** Characters beyond ASCII as `\u` escapes (see {@link scriptJson}). */
function asciiOnly(text: string): string {
  return text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * JSON safe inside a script element: `<` as an escape, and every character beyond ASCII too
 * (the JS line separators among them): Chromium decodes and tokenises an all-ASCII page on
 * its fast paths, some hundreds of ms sooner for a report of a long run.
 */
export function scriptJson(value: unknown): string {
  return asciiOnly(JSON.stringify(value).replace(/</g, '\\u003c'));
}

/**
 * Inlined code must not end its script element early; beyond ASCII, its characters (in
 * strings, templates, regexes and comments, where a `\u` escape means the same) are escaped.
 */
function inlineScript(code: string): string {
  return asciiOnly(code.replace(/<\/(script)/gi, '<\\/$1'));
}

const CSP =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src 'none'";

/** The whole page for a run's report data. */
export function renderReportHtml(data: ReportData): string {
  const { js, css } = uplot();
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>faultline report</title>
<style>${css}</style>
<style>${REPORT_CSS}</style>
</head>
<body>
<header class="top" id="top"></header>
<main>
<div id="warnings"></div>
<section><h2 id="checkers-title">Checkers</h2><div id="checkers"></div></section>
<section><h2>Performance</h2><div id="perf"></div></section>
<section id="timeline"><h2>Timeline</h2><div id="timeline-body"></div></section>
<section><h2>Run facts</h2><div id="facts"></div></section>
</main>
<noscript>This report needs JavaScript to draw its plots and timeline.</noscript>
<script type="application/json" id="faultline-data">${scriptJson(data)}</script>
<script>${inlineScript(js)}</script>
<script>${inlineScript(reportClientJs())}</script>
</body>
</html>
`;
}
