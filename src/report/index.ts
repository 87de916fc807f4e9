/** @module report — reports built from a store's sums, and their renderers (text, CSV, HTML). */
export { DEFAULT_THRESHOLD } from './build.js';
export { FTP_LISTS, TOP_LISTS } from './contract.js';
export type { DayRow, FtpList, MonthRow, Report, TopList } from './contract.js';
export { loadReport } from './load.js';
export { renderNotice } from './notice.js';
export type { Notice, NoticeInput } from './notice.js';
export { continuousDays, monthsBetween } from './periods.js';
export { REPORT_CSS, describeIpPolicy, describeUserPolicy, escapeHtml, formatCount, humanBytes, messages, renderCsv, renderCsvTable, renderHtml, renderHtmlParts, renderText } from './render/index.js';
export type { HtmlParts, HtmlTable, Lang } from './render/index.js';
