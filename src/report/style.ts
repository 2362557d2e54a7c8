/** The report's own style sheet (uPlot's is inlined next to it). */
export const REPORT_CSS = `
:root { --ok:#2563eb; --fail:#dc2626; --info:#d97706; --muted:#6b7280; --line:#e5e7eb; --bg:#f9fafb; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #111827; background: var(--bg); }
main { max-width: 1280px; margin: 0 auto; padding: 0 20px 40px; }
header.top { background: #fff; border-bottom: 1px solid var(--line); padding: 10px 20px; display: flex; gap: 16px; align-items: center; flex-wrap: wrap; }
header.top h1 { font-size: 18px; margin: 0; }
header.top nav a { margin-right: 12px; color: var(--muted); text-decoration: none; }
header.top nav a:hover { color: #111827; }
.badge { display: inline-block; padding: 2px 10px; border-radius: 999px; font-weight: 700; font-size: 13px; letter-spacing: .02em; }
.badge.valid { background: #dcfce7; color: #166534; }
.badge.invalid { background: #fee2e2; color: #991b1b; }
.badge.unknown { background: #fef3c7; color: #92400e; }
.badge.big { font-size: 16px; padding: 4px 14px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; margin: 16px 0; padding: 12px 16px; }
section > h2 { font-size: 16px; margin: 0 0 8px; }
h3 { font-size: 14px; margin: 12px 0 6px; }
.summary { color: var(--muted); }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 6px 0 10px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 6px 12px; min-width: 120px; }
.card .k { color: var(--muted); font-size: 12px; }
.card .v { font-size: 18px; font-weight: 600; }
table { border-collapse: collapse; margin: 6px 0; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid var(--line); padding: 3px 10px 3px 0; text-align: left; vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: 12px; }
td.num, th.num { text-align: right; padding-left: 10px; }
pre { background: #f3f4f6; padding: 8px; border-radius: 6px; overflow: auto; max-height: 360px; font-size: 12px; white-space: pre-wrap; word-break: break-word; }
details > summary { cursor: pointer; color: var(--muted); margin: 6px 0; }
a.op { color: #1d4ed8; cursor: pointer; text-decoration: none; border-bottom: 1px dotted #1d4ed8; font-variant-numeric: tabular-nums; }
.checker { border-top: 1px solid var(--line); padding: 8px 0; }
.checker:first-of-type { border-top: 0; }
.checker > .head { display: flex; gap: 10px; align-items: baseline; }
.checker > .head b { font-size: 15px; }
.explain { margin: 4px 0; }
.mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
.plots { display: grid; grid-template-columns: 1fr; gap: 12px; }
.plot h3 { margin: 4px 0; }
.legend-note { color: var(--muted); font-size: 12px; }
.porcupine { overflow-x: auto; border: 1px solid var(--line); border-radius: 6px; background: #fff; margin: 6px 0; }
.porcupine svg text { font: 11px ui-monospace, SFMono-Regular, Menlo, monospace; }
ol.steps { margin: 4px 0; padding-left: 28px; }
ol.steps li.bad { color: var(--fail); font-weight: 600; }
.tl-wrap { position: relative; border: 1px solid var(--line); border-radius: 6px; overflow: hidden; }
.tl-wrap canvas { display: block; cursor: grab; }
.tl-tools { display: flex; gap: 8px; align-items: center; margin: 6px 0; flex-wrap: wrap; }
.tl-tools button, .switch button { font: inherit; font-size: 12px; padding: 2px 10px; border: 1px solid #d1d5db; background: #fff; border-radius: 4px; cursor: pointer; }
.switch button.on { background: #111827; color: #fff; }
.tip { position: absolute; pointer-events: none; background: rgba(17,24,39,.92); color: #fff; font-size: 12px; padding: 4px 8px; border-radius: 4px; max-width: 480px; white-space: pre-wrap; display: none; z-index: 3; }
#op-detail { min-height: 1.5em; }
.key { display: inline-flex; align-items: center; gap: 4px; margin-right: 12px; font-size: 12px; color: var(--muted); }
.key i { width: 12px; height: 10px; display: inline-block; border-radius: 2px; }
.warn { color: #92400e; background: #fffbeb; border: 1px solid #fde68a; padding: 6px 10px; border-radius: 6px; }
.facts td:first-child { color: var(--muted); white-space: nowrap; }
`;
