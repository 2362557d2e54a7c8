/** The results browser: run summaries, pages, zips and the HTTP server. */
export { comparePage, esc, listPage, runHref } from './pages.js';
export { type PerfFigures, RunIndex, type RunSummary, summarise } from './runs.js';
export { type RunningServer, type ServeOptions, startServer } from './server.js';
export { zipRunFolder } from './zip.js';
