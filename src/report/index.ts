/** The HTML report of a run: data, page, and writing it into the run folder. */
export { buildReportData, type ReportData, type ReportLimits, TYPE_CODES } from './data.js';
export { renderReportHtml, scriptJson } from './html.js';
export {
  buildRunReportData,
  REPORT_FILE,
  readRunOps,
  type WriteReportOptions,
  writeReport,
} from './write.js';
