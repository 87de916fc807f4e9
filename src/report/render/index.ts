/**
 * @module report/render
 * Text, CSV and HTML renderings of the report contract, and the label dictionary the web UI shares.
 */

export { renderText } from './text.js';
export type { TextOptions } from './text.js';
export { renderCsv, renderCsvTable, CSV_COLUMNS, CSV_OTHER_KEY } from './csv.js';
export { renderHtml, renderHtmlParts, REPORT_CSS } from './html.js';
export type { HtmlOptions, HtmlParts, HtmlTable } from './html.js';
export { LANGS, MESSAGES, messages, reasonLabel, describeIpPolicy, describeUserPolicy } from './i18n.js';
export type { Lang, Messages } from './i18n.js';
export { escapeControls, escapeHtml, formatCount, humanBytes, LIST_GROUPS } from './format.js';
