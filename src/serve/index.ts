/** The results browser: run summaries, pages, zips and the HTTP server. */
export { hostAllowed, isLoopback } from './host-check.js';
export { type InsideFile, InsideRoot, type RegularFile } from './inside-root.js';
export { comparePage, esc, listPage, runHref } from './pages.js';
export { type PerfFigures, type Quantiles, RunIndex, type RunSummary, summarise } from './runs.js';
export { type RunningServer, type ServeOptions, startServer } from './server.js';
export { zipRunFolder } from './zip.js';
