/**
 * Terminal rendering of a Report, in the spirit of GoAccess's and Webalizer's text summaries.
 * Every piece of stored text passes escapeControls before it is printed: a key like
 * `\x1b]0;owned\x07` must show up as visible characters, never reach the terminal raw. The only
 * escape sequences in the output are the colour codes this module writes itself.
 */

import { FTP_LISTS, TOP_LISTS, type DayRow, type FtpList, type Report, type TopList } from '../contract.js';
import {
  displayKey,
  displayWidth,
  escapeControls,
  humanBytes,
  listRows,
  otherRow,
  pad,
  percent,
  sortedReasons,
  truncate,
} from './format.js';
import { describeIpPolicy, describeUserPolicy, messages, reasonLabel, type Lang, type Messages } from './i18n.js';

export interface TextOptions {
  /** Emit ANSI colour/bold codes (only when stdout is a TTY and NO_COLOR is unset). */
  color: boolean;
  /** Terminal columns; default 80, at least 40. */
  width?: number;
  lang?: Lang;
}

const ESC = '\x1b[';
const BLOCKS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'] as const;
const SEP = '  ';

interface Style {
  heading(s: string): string;
  bar(s: string): string;
  dim(s: string): string;
}

const PLAIN: Style = { heading: (s) => s, bar: (s) => s, dim: (s) => s };
const COLOUR: Style = {
  heading: (s) => `${ESC}1m${s}${ESC}0m`,
  bar: (s) => `${ESC}36m${s}${ESC}0m`,
  dim: (s) => `${ESC}2m${s}${ESC}0m`,
};

/** A bar of `width` columns scaled to value/max, with eighth-block precision. */
function bar(value: number, max: number, width: number): string {
  if (max <= 0 || value <= 0 || width <= 0) return '';
  const eighths = Math.max(1, Math.round((value / max) * width * 8));
  return '█'.repeat(Math.floor(eighths / 8)) + BLOCKS[eighths % 8];
}

/** Stored text made safe and fitted to a column. */
function cell(s: string, width: number): string {
  return truncate(escapeControls(s), width);
}

function heading(out: string[], st: Style, title: string, width: number): void {
  const t = cell(title, width);
  out.push('', st.heading(t), '─'.repeat(Math.min(width, displayWidth(t))));
}

function totals(out: string[], report: Report, m: Messages, st: Style, width: number): void {
  heading(out, st, m.totals, width);
  const t = report.totals;
  const rows: [string, string][] = [
    [m.hits, String(t.hits)],
    [m.visitors, String(t.visitors)],
    [m.visits, String(t.visits)],
    [m.pages, String(t.pages)],
    [m.ips, String(t.ips)],
    [m.bots, String(t.bots)],
    [m.bytes, humanBytes(t.bytes, m.locale)],
  ];
  const lw = Math.max(...rows.map((r) => displayWidth(r[0])));
  const vw = Math.max(...rows.map((r) => r[1].length));
  for (const [label, value] of rows) out.push(`  ${pad(label, lw)}${SEP}${pad(value, vw, true)}`);
}

function days(out: string[], report: Report, m: Messages, st: Style, width: number): void {
  heading(out, st, m.perDay, width);
  if (report.days.length === 0) {
    out.push(`  ${st.dim(m.noData)}`);
    return;
  }
  const all: [string, (d: DayRow) => string][] = [
    [m.date, (d) => escapeControls(d.date)],
    [m.hits, (d) => String(d.hits)],
    [m.bytes, (d) => humanBytes(d.bytes, m.locale)],
    [m.visitors, (d) => String(d.visitors)],
    [m.visits, (d) => String(d.visits)],
    [m.pages, (d) => String(d.pages)],
  ];
  // On a narrow terminal, drop columns from the right until the table and a small bar fit.
  let cols = all;
  let widths: number[] = [];
  let used = 0;
  for (let n = all.length; n >= 2; n--) {
    cols = all.slice(0, n);
    widths = cols.map(([h, f]) => Math.max(displayWidth(h), ...report.days.map((d) => displayWidth(f(d)))));
    used = 2 + widths.reduce((a, b) => a + b, 0) + SEP.length * widths.length;
    if (used + 5 <= width) break;
  }
  const barWidth = Math.max(0, Math.min(40, width - used));
  const max = Math.max(...report.days.map((d) => d.hits));
  const line = (cells: string[]): string => `  ${cells.map((c, i) => pad(c, widths[i] ?? 0, i > 0)).join(SEP)}`;
  out.push(line(cols.map(([h]) => h)));
  for (const d of report.days) {
    const b = bar(d.hits, max, barWidth);
    out.push(`${line(cols.map(([, f]) => f(d)))}${b === '' ? '' : SEP + st.bar(b)}`);
  }
}

function topList(
  out: string[],
  report: Report,
  list: TopList | FtpList,
  total: number,
  m: Messages,
  st: Style,
  width: number,
): void {
  heading(out, st, m.lists[list], width);
  const rows = listRows(report, list);
  const other = otherRow(report, list);
  if (rows.length === 0 && other === undefined) {
    out.push(`  ${st.dim(m.noData)}`);
    return;
  }
  const hitsCells = rows.map((r) => String(r.hits));
  const bytesCells = rows.map((r) => humanBytes(r.bytes, m.locale));
  const shareCells = rows.map((r) => percent(r.hits, total, m.locale));
  if (other !== undefined) {
    hitsCells.push(String(other.hits));
    bytesCells.push(humanBytes(other.bytes, m.locale));
    shareCells.push(percent(other.hits, total, m.locale));
  }
  const rankW = Math.max(displayWidth(m.rank), String(rows.length).length);
  const hitsW = Math.max(displayWidth(m.hits), ...hitsCells.map((s) => s.length));
  const shareW = Math.max(displayWidth(m.share), ...shareCells.map((s) => s.length));
  const bytesW = Math.max(displayWidth(m.bytes), ...bytesCells.map((s) => s.length));
  const keyW = Math.max(6, width - 2 - rankW - hitsW - shareW - bytesW - 4 * SEP.length);
  const line = (rank: string, key: string, hits: string, share: string, bytes: string): string =>
    `  ${pad(rank, rankW, true)}${SEP}${pad(key, keyW)}${SEP}${pad(hits, hitsW, true)}${SEP}${pad(share, shareW, true)}${SEP}${pad(bytes, bytesW, true)}`;
  out.push(st.dim(line(m.rank, cell(m.keyColumn[list], keyW), m.hits, m.share, m.bytes)));
  rows.forEach((r, i) => {
    out.push(line(String(i + 1), cell(displayKey(list, r.key, m), keyW), hitsCells[i] ?? '', shareCells[i] ?? '', bytesCells[i] ?? ''));
  });
  if (other !== undefined) {
    const i = rows.length;
    out.push(st.dim(line('', cell(m.other, keyW), hitsCells[i] ?? '', shareCells[i] ?? '', bytesCells[i] ?? '')));
  }
}

export function renderText(report: Report, opts: TextOptions): string {
  const width = Math.max(40, Math.floor(opts.width ?? 80));
  const m = messages(opts.lang);
  const st = opts.color ? COLOUR : PLAIN;
  const out: string[] = [];

  out.push(st.heading(cell(m.title(report.site), width)));
  out.push(cell(`${m.period}: ${report.from} – ${report.to}`, width));
  out.push(cell(describeIpPolicy(m, report.meta.ipPolicy), width));
  out.push(cell(describeUserPolicy(m, report.meta.userPolicy), width));

  totals(out, report, m, st, width);
  days(out, report, m, st, width);
  for (const list of TOP_LISTS) topList(out, report, list, report.totals.hits, m, st, width);

  if (report.ftp.transfers > 0) {
    heading(out, st, m.ftp, width);
    out.push(`  ${m.transfers}: ${report.ftp.transfers}${SEP}${m.bytes}: ${humanBytes(report.ftp.bytes, m.locale)}`);
    for (const list of FTP_LISTS) topList(out, report, list, report.ftp.transfers, m, st, width);
  }

  if (report.rejected.lines > 0) {
    heading(out, st, `${m.rejectedLines}: ${report.rejected.lines}`, width);
    const reasons = sortedReasons(report);
    const cells = reasons.map(([id, n]) => [escapeControls(id), escapeControls(reasonLabel(m, id)), String(n)] as const);
    const idW = Math.min(24, Math.max(0, ...cells.map((c) => displayWidth(c[0]))));
    const nW = Math.max(0, ...cells.map((c) => c[2].length));
    const labelW = Math.max(10, width - 2 - idW - nW - 2 * SEP.length);
    for (const [id, label, n] of cells) {
      out.push(`  ${pad(truncate(id, idW), idW)}${SEP}${pad(truncate(label, labelW), labelW)}${SEP}${pad(n, nW, true)}`);
    }
  }

  if (report.meta.attribution.length > 0) {
    out.push('');
    // Not truncated: a licence (DB-IP, CC BY 4.0) requires the credit to be shown in full.
    for (const a of report.meta.attribution) out.push(st.dim(escapeControls(a)));
  }
  return `${out.join('\n')}\n`;
}
