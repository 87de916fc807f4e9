/**
 * Terminal rendering of a Report, in the spirit of GoAccess's and Webalizer's text summaries.
 * Every piece of stored text passes escapeControls before it is printed: a key like
 * `\x1b]0;owned\x07` must show up as visible characters, never reach the terminal raw. The only
 * escape sequences in the output are the colour codes this module writes itself.
 */

import { FTP_LISTS, type DayRow, type FtpList, type Report, type TopList } from '../contract.js';
import { continuousDays } from '../periods.js';
import {
  change,
  dayStats,
  DAY_METRICS,
  displayKey,
  displayWidth,
  duration,
  escapeControls,
  ftpOnly,
  hasVisitDetail,
  humanBytes,
  humanMs,
  LIST_GROUPS,
  listBasis,
  listRows,
  maxOf,
  otherRow,
  pad,
  percent,
  signedPercent,
  sortedReasons,
  statusClasses,
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

function deltaText(now: number, before: number, m: Messages): string {
  const c = change(now, before);
  return c === null ? m.deltaNew : c === 0 ? m.deltaSame : signedPercent(c, m.locale).replace('\u2212', '-');
}

function totals(out: string[], report: Report, m: Messages, st: Style, width: number): void {
  heading(out, st, m.totals, width);
  const t = report.totals;
  const p = report.previous?.totals;
  const mark = report.undeduplicatedDays.length > 0 ? ' *' : '';
  const rows: [string, string, string][] = [
    [m.hits, String(t.hits), p ? deltaText(t.hits, p.hits, m) : ''],
    [m.visitors + mark, String(t.visitors), p ? deltaText(t.visitors, p.visitors, m) : ''],
    [m.visits + mark, String(t.visits), p ? deltaText(t.visits, p.visits, m) : ''],
    [m.pages, String(t.pages), p ? deltaText(t.pages, p.pages, m) : ''],
    [m.ips, String(t.ips), p ? deltaText(t.ips, p.ips, m) : ''],
    [m.bots, String(t.bots), p ? deltaText(t.bots, p.bots, m) : ''],
    [m.bytes, humanBytes(t.bytes, m.locale), p ? deltaText(t.bytes, p.bytes, m) : ''],
  ];
  if (hasVisitDetail(report)) {
    rows.push([m.bounceRate, percent(t.bounces, t.visits, m.locale), ''], [m.avgVisit, duration(t.visitSeconds / t.visits), '']);
  }
  const lw = maxOf(rows, (r) => displayWidth(r[0]));
  const vw = maxOf(rows, (r) => r[1].length);
  for (const [label, value, delta] of rows) out.push(cell(`  ${pad(label, lw)}${SEP}${pad(value, vw, true)}${delta === '' ? '' : SEP + delta}`, width));
  if (report.previous !== null) out.push(st.dim(cell(`  ${m.previousPeriod}: ${report.previous.from} – ${report.previous.to}`, width)));
}

function days(out: string[], report: Report, m: Messages, st: Style, width: number): void {
  heading(out, st, m.perDay, width);
  if (report.days.length === 0) {
    out.push(`  ${st.dim(m.noData)}`);
    return;
  }
  const axis = continuousDays(report.from, report.to, report.days);
  const undedup = new Set(report.undeduplicatedDays);
  table(out, axis, m.date, (d) => escapeControls(d.date) + (undedup.has(d.date) ? '*' : ''), m, st, width);
  if (undedup.size > 0) for (const l of wrap(`* ${m.undeduplicated}`, width - 2)) out.push(st.dim(`  ${l}`));
  if (axis.length < 2) return;
  heading(out, st, m.dayStats, width);
  const stats = dayStats(axis);
  const cells = DAY_METRICS.map((k) => {
    const f = (v: number): string => (k === 'bytes' ? humanBytes(v, m.locale) : String(Math.round(v)));
    return [k === 'bytes' ? m.bytes : m[k], f(stats[k].min), f(stats[k].avg), f(stats[k].max)] as const;
  });
  const head = ['', m.minimum, m.average, m.maximum] as const;
  const w = head.map((h, i) => maxOf(cells, (c) => displayWidth(c[i]!), displayWidth(h)));
  for (const r of [head, ...cells]) out.push(cell(`  ${r.map((c, i) => pad(c, w[i]!, i > 0)).join(SEP)}`, width));
}

function months(out: string[], report: Report, m: Messages, st: Style, width: number): void {
  if (report.months.length < 2) return;
  heading(out, st, m.perMonth, width);
  const rows: DayRow[] = report.months.map((x) => ({ ...x, date: x.month }));
  table(out, rows, m.month, (d) => d.date, m, st, width);
}

/** Date (or month) rows with their numbers and a bar of hits; columns drop on a narrow terminal. */
function table(out: string[], rows: readonly DayRow[], first: string, date: (d: DayRow) => string, m: Messages, st: Style, width: number): void {
  const all: [string, (d: DayRow) => string][] = [
    [first, date],
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
    widths = cols.map(([h, f]) => maxOf(rows, (d) => displayWidth(f(d)), displayWidth(h)));
    used = 2 + widths.reduce((a, b) => a + b, 0) + SEP.length * widths.length;
    if (used + 5 <= width) break;
  }
  const barWidth = Math.max(0, Math.min(40, width - used));
  const max = maxOf(rows, (d) => d.hits);
  const line = (cells: string[]): string => `  ${cells.map((c, i) => pad(c, widths[i] ?? 0, i > 0)).join(SEP)}`;
  out.push(line(cols.map(([h]) => h)));
  for (const d of rows) {
    const b = bar(d.hits, max, barWidth);
    out.push(`${line(cols.map(([, f]) => f(d)))}${b === '' ? '' : SEP + st.bar(b)}`);
  }
}

function hours(out: string[], report: Report, m: Messages, st: Style, width: number): void {
  heading(out, st, m.lists.hours, width);
  const rows = report.top.hours;
  const hitsW = maxOf(rows, (r) => String(r.hits).length, displayWidth(m.hits));
  const shareW = maxOf(rows, (r) => percent(r.hits, report.totals.hits, m.locale).length, displayWidth(m.share));
  const keyW = Math.max(2, displayWidth(m.hourOfDay));
  const barW = Math.max(0, Math.min(40, width - 2 - keyW - hitsW - shareW - 3 * SEP.length));
  const max = maxOf(rows, (r) => r.hits, 0);
  out.push(st.dim(`  ${pad(m.hourOfDay, keyW)}${SEP}${pad(m.hits, hitsW, true)}${SEP}${pad(m.share, shareW, true)}`));
  for (const r of rows) {
    const b = bar(r.hits, max, barW);
    out.push(`  ${pad(escapeControls(r.key), keyW)}${SEP}${pad(String(r.hits), hitsW, true)}${SEP}${pad(percent(r.hits, report.totals.hits, m.locale), shareW, true)}${b === '' ? '' : SEP + st.bar(b)}`);
  }
}

function statusClassTable(out: string[], report: Report, m: Messages, st: Style, width: number): void {
  const { classes, notListed } = statusClasses(report);
  if (classes.length === 0) return;
  heading(out, st, m.statusClasses, width);
  const rows = classes.map((c) => [m.statusClass[c.cls], String(c.hits), percent(c.hits, report.totals.hits, m.locale)] as const);
  if (notListed > 0) rows.push([m.notListed, String(notListed), percent(notListed, report.totals.hits, m.locale)]);
  const w = [0, 1, 2].map((i) => maxOf(rows, (r) => displayWidth(r[i]!)));
  for (const r of rows) out.push(cell(`  ${pad(r[0], w[0]!)}${SEP}${pad(r[1], w[1]!, true)}${SEP}${pad(r[2], w[2]!, true)}`, width));
}

function slowPages(out: string[], report: Report, m: Messages, st: Style, width: number): void {
  const rows = report.top.slowPages;
  if (rows.length === 0) return;
  heading(out, st, m.lists.slowPages, width);
  const cells = rows.map((r) => [String(r.hits), humanMs(r.totalMs, m.locale), humanMs(r.avgMs, m.locale), humanMs(r.maxMs, m.locale)] as const);
  const head = [m.requests, m.totalTime, m.avgTime, m.maxTime] as const;
  const w = head.map((h, i) => maxOf(cells, (c) => displayWidth(c[i]!), displayWidth(h)));
  const keyW = Math.max(6, width - 2 - w.reduce((a, b) => a + b, 0) - 4 * SEP.length);
  const line = (key: string, c: readonly string[]): string => `  ${pad(key, keyW)}${c.map((x, i) => SEP + pad(x, w[i]!, true)).join('')}`;
  out.push(st.dim(line(cell(m.keyColumn.slowPages, keyW), head)));
  rows.forEach((r, i) => out.push(line(cell(displayKey('slowPages', r.key, m), keyW), cells[i]!)));
}

/** Whether a list has anything to show (empty lists are left out). */
function hasRows(report: Report, list: TopList | FtpList): boolean {
  return listRows(report, list).length > 0 || otherRow(report, list) !== undefined;
}

function topList(out: string[], report: Report, list: TopList | FtpList, m: Messages, st: Style, width: number): void {
  if (!hasRows(report, list)) return;
  heading(out, st, m.lists[list], width);
  const { total, count: counted, bytes } = listBasis(report, list);
  const rows = listRows(report, list);
  const other = otherRow(report, list);
  const hitsCells = rows.map((r) => String(r.hits));
  const bytesCells = rows.map((r) => humanBytes(r.bytes, m.locale));
  const shareCells = rows.map((r) => percent(r.hits, total, m.locale));
  if (other !== undefined) {
    hitsCells.push(String(other.hits));
    bytesCells.push(humanBytes(other.bytes, m.locale));
    shareCells.push(percent(other.hits, total, m.locale));
  }
  const count = m[counted];
  const rankW = Math.max(displayWidth(m.rank), String(rows.length).length);
  const hitsW = maxOf(hitsCells, (s) => s.length, displayWidth(count));
  const shareW = maxOf(shareCells, (s) => s.length, displayWidth(m.share));
  const bytesW = bytes ? maxOf(bytesCells, (s) => s.length, displayWidth(m.bytes)) : 0;
  const keyW = Math.max(6, width - 2 - rankW - hitsW - shareW - bytesW - (bytes ? 4 : 3) * SEP.length);
  const line = (rank: string, key: string, hits: string, share: string, b: string): string =>
    `  ${pad(rank, rankW, true)}${SEP}${pad(key, keyW)}${SEP}${pad(hits, hitsW, true)}${SEP}${pad(share, shareW, true)}${bytes ? SEP + pad(b, bytesW, true) : ''}`;
  out.push(st.dim(line(m.rank, cell(m.keyColumn[list], keyW), count, m.share, m.bytes)));
  rows.forEach((r, i) => {
    out.push(line(String(i + 1), cell(displayKey(list, r.key, m), keyW), hitsCells[i] ?? '', shareCells[i] ?? '', bytesCells[i] ?? ''));
  });
  if (other !== undefined) {
    const i = rows.length;
    out.push(st.dim(line('', cell(m.other, keyW), hitsCells[i] ?? '', shareCells[i] ?? '', bytesCells[i] ?? '')));
  }
  if (list === 'browsers' && rows.some((r) => r.key === 'Unknown')) for (const l of wrap(m.unknownBrowsers, width - 2)) out.push(st.dim(`  ${l}`));
}

/** The text order of the lists: the page's groups, with versions after their families. */
const TEXT_LISTS: readonly TopList[] = LIST_GROUPS.flatMap((g) => g.lists).flatMap((l): TopList[] =>
  l === 'browsers' ? ['browsers', 'browserVersions'] : l === 'os' ? ['os', 'osVersions'] : [l],
);

/** Words to lines of at most `width` columns (a longer word gets a line of its own, cut). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let cur = '';
  for (const word of text.split(' ')) {
    const next = cur === '' ? word : `${cur} ${word}`;
    if (displayWidth(next) <= width || cur === '') cur = next;
    else {
      lines.push(cur);
      cur = word;
    }
  }
  if (cur !== '') lines.push(cur);
  return lines.map((l) => truncate(l, width));
}

export function renderText(report: Report, opts: TextOptions): string {
  const width = Math.max(40, Math.floor(opts.width ?? 80));
  const m = messages(opts.lang);
  const st = opts.color ? COLOUR : PLAIN;
  const out: string[] = [];

  out.push(st.heading(cell(m.title(report.site), width)));
  out.push(cell(`${m.period}: ${report.from} – ${report.to}`, width));
  out.push(cell(describeIpPolicy(m, report.meta.privacy.ip), width));
  out.push(cell(describeUserPolicy(m, report.meta.privacy.user), width));
  out.push(cell(m.rawWindow(report.meta.privacy.rawWindowDays), width));
  out.push(cell(m.threshold(report.meta.privacy.threshold), width));

  if (!ftpOnly(report)) {
    totals(out, report, m, st, width);
    days(out, report, m, st, width);
    months(out, report, m, st, width);
    if (report.totals.hits > 0) hours(out, report, m, st, width);
    for (const list of TEXT_LISTS) {
      if (list === 'slowPages') slowPages(out, report, m, st, width);
      else {
        if (list === 'statusCodes') statusClassTable(out, report, m, st, width);
        topList(out, report, list, m, st, width);
      }
    }
  }

  if (report.ftp.transfers > 0) {
    heading(out, st, m.ftp, width);
    out.push(`  ${m.transfers}: ${report.ftp.transfers}${SEP}${m.bytes}: ${humanBytes(report.ftp.bytes, m.locale)}`);
    for (const list of FTP_LISTS) topList(out, report, list, m, st, width);
  }

  if (report.rejected.lines > 0) {
    heading(out, st, `${m.rejectedLines}: ${report.rejected.lines}`, width);
    const reasons = sortedReasons(report);
    const cells = reasons.map(([id, n]) => [escapeControls(id), escapeControls(reasonLabel(m, id)), String(n)] as const);
    const idW = Math.min(24, maxOf(cells, (c) => displayWidth(c[0]), 0));
    const nW = maxOf(cells, (c) => c[2].length, 0);
    const labelW = Math.max(10, width - 2 - idW - nW - 2 * SEP.length);
    for (const [id, label, n] of cells) {
      out.push(`  ${pad(truncate(id, idW), idW)}${SEP}${pad(truncate(label, labelW), labelW)}${SEP}${pad(n, nW, true)}`);
    }
  }

  if (!ftpOnly(report) && report.totals.hits > 0) {
    heading(out, st, m.explainTitle, width);
    const explained: (keyof Messages['explain'])[] = ['hits', 'visitors', 'visits', 'pages'];
    if (hasVisitDetail(report)) explained.push('bounceRate', 'avgVisit');
    for (const k of explained) {
      const label = k === 'bounceRate' ? m.bounceRate : k === 'avgVisit' ? m.avgVisit : m[k];
      for (const l of wrap(`${label}: ${m.explain[k]}`, width - 4)) out.push(st.dim(`  ${l}`));
    }
  }

  if (report.meta.attribution.length > 0) {
    out.push('');
    // Not truncated: a licence (DB-IP, CC BY 4.0) requires the credit to be shown in full.
    for (const a of report.meta.attribution) out.push(st.dim(escapeControls(a)));
  }
  return `${out.join('\n')}\n`;
}
