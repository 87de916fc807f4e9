/**
 * A Report as one static, self-contained HTML page: no script, no external resource (charts are
 * server-rendered inline SVG, styles inline), so it can be mailed, archived or served as a file.
 * Every stored string goes through escapeHtml; a Content-Security-Policy meta tag forbids scripts
 * as a second line of defence should an escape ever be missed. No `style` attribute anywhere
 * either (the web UI's CSP forbids them): bar lengths are SVG geometry, not CSS.
 */

import { FTP_LISTS, type DayRow, type FtpList, type MonthRow, type Report, type TopList } from '../contract.js';
import { continuousDays } from '../periods.js';
import {
  change,
  dayStats,
  DAY_METRICS,
  displayKey,
  duration,
  escapeHtml,
  formatCount,
  ftpOnly,
  hasVisitDetail,
  humanBytes,
  humanMs,
  LIST_GROUPS,
  listBasis,
  listRows,
  maxOf,
  otherRow,
  percent,
  signedPercent,
  sortedReasons,
  statusClasses,
  versionsOf,
  type DayMetric,
} from './format.js';
import { describeIpPolicy, describeUserPolicy, messages, reasonLabel, type Lang, type Messages } from './i18n.js';

export type HtmlTable = 'days' | 'months' | TopList | FtpList;

export interface HtmlOptions {
  lang?: Lang;
  /**
   * Markup placed after each table (the web UI's download links). Trusted HTML: the caller
   * escapes what it interpolates. Absent: nothing is added (the standalone page).
   */
  tableLinks?: (table: HtmlTable) => string;
  /** Months for the month history (the web UI passes the last 12); default: the report's months. */
  history?: readonly MonthRow[];
}

/** A report page's pieces, for a caller that wraps them in its own shell (the web UI). */
export interface HtmlParts {
  readonly title: string;
  readonly header: string;
  /** The `<main>` element's content, one section per entry ('' for a section not shown). */
  readonly sections: readonly string[];
  /** Privacy policy in force and data attributions (the footer's content). */
  readonly footer: readonly string[];
}

/** Longer keys are cut in the page (the CSV keeps them whole): one hostile URL must not bloat it. */
const MAX_KEY_CHARS = 200;

/** Share-bar colours (CSS classes s1…s6); the rest of a share bar is s0. */
const SHARE_SLICES = 6;

/** The page styles; the web UI serves them as a stylesheet (its CSP allows no inline style). */
export const REPORT_CSS = `
:root{color-scheme:light dark;--fg:#1a1a1a;--muted:#555;--bg:#fff;--line:#d4d4d4;--card:#f6f7f9;--a:#1f5fa8;--b:#a34f00;--up:#1a6e31;--down:#b3261e;
--s1:#1f5fa8;--s2:#a34f00;--s3:#2e7d32;--s4:#8e24aa;--s5:#00838f;--s6:#c2185b;--s0:#9e9e9e}
@media (prefers-color-scheme:dark){:root{--fg:#ececec;--muted:#b0b0b0;--bg:#141414;--line:#3a3a3a;--card:#1e1f22;--a:#79aef2;--b:#f0a35e;--up:#7bd88f;--down:#ff8a80;
--s1:#79aef2;--s2:#f0a35e;--s3:#81c784;--s4:#ce93d8;--s5:#4dd0e1;--s6:#f48fb1;--s0:#757575}}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
.wrap{max-width:64rem;margin:0 auto;padding:1rem}
h1{font-size:1.6rem;line-height:1.25;margin:.5rem 0;overflow-wrap:anywhere}
h2{font-size:1.25rem;margin:2rem 0 .5rem}
h3{font-size:1.05rem;margin:1.25rem 0 .25rem}
.sub{color:var(--muted);margin:0}
.note{color:var(--muted);font-size:.875rem;margin:.25rem 0 1rem}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(9.5rem,1fr));gap:.75rem;margin:0}
.card{background:var(--card);border:1px solid var(--line);border-radius:.5rem;padding:.6rem .8rem}
.card dt{color:var(--muted);font-size:.875rem}
.card dd{margin:0;font-size:1.35rem;font-weight:600;font-variant-numeric:tabular-nums}
.card dd.delta{font-size:.875rem;font-weight:normal;color:var(--muted)}
.card dd.up{color:var(--up)}.card dd.down{color:var(--down)}
details.explain{margin:.75rem 0}
details.explain summary{cursor:pointer;color:var(--a)}
details.explain dl{margin:.5rem 0;display:grid;grid-template-columns:minmax(7rem,auto) 1fr;gap:.25rem 1rem}
details.explain dt{font-weight:600}
details.explain dd{margin:0}
.scroll{overflow-x:auto;max-width:100%;background:linear-gradient(to right,var(--bg) 30%,transparent),linear-gradient(to left,var(--bg) 30%,transparent) 100% 0,radial-gradient(farthest-side at 0 50%,rgba(0,0,0,.25),transparent),radial-gradient(farthest-side at 100% 50%,rgba(0,0,0,.25),transparent) 100% 0;background-repeat:no-repeat;background-size:2rem 100%,2rem 100%,.75rem 100%,.75rem 100%;background-attachment:local,local,scroll,scroll}
table{border-collapse:collapse;width:100%;margin:.25rem 0 1.25rem}
caption{text-align:left;font-weight:600;font-size:1.05rem;padding:.25rem 0}
th,td{padding:.3rem .5rem;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
thead th{font-size:.875rem;color:var(--muted)}
.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.d{white-space:nowrap;font-variant-numeric:tabular-nums}
tbody th{font-weight:normal;overflow-wrap:anywhere;word-break:break-word;min-width:6.5rem}
thead th.n{white-space:normal}
tbody th.d{overflow-wrap:normal;word-break:normal}
tr.other{color:var(--muted);font-style:italic}
tr.zero td,tr.zero th{color:var(--muted)}
svg.bar{display:block;width:100%;height:.3rem;margin-top:.15rem}
svg.bar rect{fill:var(--a)}
details.ver summary{cursor:pointer}
details.ver ul{list-style:none;margin:.25rem 0 0;padding:0 0 0 1rem;font-size:.875rem}
details.ver li{display:flex;flex-wrap:wrap;justify-content:space-between;gap:0 1rem}
details.ver li span{overflow-wrap:normal;word-break:normal}
.muted{color:var(--muted)}
figure{margin:0 0 1rem}
figure svg{width:100%;height:auto;display:block}
.ba{fill:var(--a)}.bb{fill:var(--b)}
.ax{fill:var(--muted);font-size:13px;paint-order:stroke;stroke:var(--bg);stroke-width:3px}
.grid{stroke:var(--line);stroke-width:1}
.legend{display:flex;gap:.25rem 1rem;flex-wrap:wrap;color:var(--muted);font-size:.875rem;margin:.25rem 0 0;padding:0;list-style:none}
.key{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem;vertical-align:-.05rem}
.key.a{background:var(--a)}.key.b{background:var(--b)}
svg.share{width:100%;height:1.1rem;display:block;border-radius:.25rem}
.s0{fill:var(--s0);background:var(--s0)}.s1{fill:var(--s1);background:var(--s1)}.s2{fill:var(--s2);background:var(--s2)}
.s3{fill:var(--s3);background:var(--s3)}.s4{fill:var(--s4);background:var(--s4)}.s5{fill:var(--s5);background:var(--s5)}.s6{fill:var(--s6);background:var(--s6)}
.part{border-top:3px solid var(--line);margin-top:2.5rem}
footer{border-top:1px solid var(--line);color:var(--muted);font-size:.875rem;margin-top:2rem;padding-top:.75rem}
footer a{color:inherit}
footer p{margin:.25rem 0}
@media (max-width:48rem){.ax{font-size:17px}}
@media (max-width:40rem){body{font-size:15px}th,td{padding:.25rem .3rem}.wrap{padding:.6rem}
.ax{font-size:24px;stroke-width:5px}.ax.wide{display:none}.rk{display:none}
.cards{grid-template-columns:repeat(2,minmax(0,1fr))}.card dd{font-size:1.15rem}
details.explain dl{grid-template-columns:1fr}}
`.trim();

function cutKey(s: string): string {
  if (s.length <= MAX_KEY_CHARS) return s;
  // Do not split a surrogate pair: a lone surrogate is not valid UTF-8 output.
  let end = MAX_KEY_CHARS;
  const c = s.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return `${s.slice(0, end)}…`;
}

// Table boxes scroll sideways on a phone: each is a named, focusable region, so that keyboard
// users can scroll it too (WCAG 2.1.1; axe's scrollable-region-focusable).

/** Fixed-precision SVG coordinate (keeps the markup short and stable). */
function px(n: number): string {
  return (Math.round(n * 10) / 10).toString();
}

interface Series {
  label: string;
  cls: 'ba' | 'bb';
  values: readonly number[];
}

const compactFormats = new Map<string, Intl.NumberFormat>();

/** Axis numbers stay short (12K / 1,2 Mio.) so they fit beside the bars on a phone. */
function compact(n: number, locale: string): string {
  let f = compactFormats.get(locale);
  if (f === undefined) {
    f = new Intl.NumberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 });
    compactFormats.set(locale, f);
  }
  return f.format(n);
}

/**
 * Grouped vertical bars with y-axis labels above the grid lines (0, half, max). Every bar carries
 * a <title> (hover tooltip, and read out by screen readers); the data is also in a table nearby.
 * Labels are in user units (the chart scales with the page): the stylesheet makes them larger on
 * narrow screens so that they stay at least 11 px, and hides every other one on a phone (class
 * `wide`) so that they do not collide.
 */
function barChart(id: string, label: string, xLabels: readonly string[], series: readonly Series[], m: Messages): string {
  const W = 720;
  const H = 240;
  const left = 4;
  const right = 4;
  const top = 30;
  const bottom = 36;
  const plotW = W - left - right;
  const plotH = H - top - bottom;
  const n = xLabels.length;
  let max = 0;
  for (const s of series) for (const v of s.values) if (v > max) max = v;
  const parts: string[] = [];
  parts.push(
    `<svg viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="${id}-t" xmlns="http://www.w3.org/2000/svg">`,
    `<title id="${id}-t">${escapeHtml(label)}</title>`,
  );
  for (const f of [0, 0.5, 1]) {
    const y = top + plotH - f * plotH;
    parts.push(`<line class="grid" x1="${left}" x2="${W - right}" y1="${px(y)}" y2="${px(y)}"/>`);
  }
  if (n > 0) {
    const gw = plotW / n;
    const bw = (gw * 0.8) / series.length;
    for (let i = 0; i < n; i++) {
      const x0 = left + i * gw + gw * 0.1;
      const xl = escapeHtml(xLabels[i] ?? '');
      series.forEach((s, j) => {
        const v = s.values[i] ?? 0;
        const h = max > 0 ? (v / max) * plotH : 0;
        parts.push(
          `<rect class="${s.cls}" x="${px(x0 + j * bw)}" y="${px(top + plotH - h)}" width="${px(Math.max(bw - 1, 0.5))}" height="${px(h)}">` +
            `<title>${xl}: ${escapeHtml(s.label)} ${escapeHtml(formatCount(v, m.locale))}</title></rect>`,
        );
      });
    }
    // Desktop: up to 24 short or 12 long labels; phone: half of those, on the same grid.
    const long = (xLabels[0] ?? '').length > 3;
    const every = Math.max(1, Math.ceil(n / (long ? 12 : 24)));
    const everyPhone = every * Math.max(1, Math.ceil(n / every / (long ? 6 : 12)));
    for (let i = 0; i < n; i += every) {
      const cls = i % everyPhone === 0 ? 'ax' : 'ax wide';
      // The first and last labels align with the plot's edges instead of sticking out of it.
      const [x, anchor] = i === 0 ? [left + gw * 0.1, 'start'] : i === n - 1 ? [left + (i + 1) * gw - gw * 0.1, 'end'] : [left + i * gw + gw / 2, 'middle'];
      parts.push(`<text class="${cls}" x="${px(x)}" y="${H - 8}" text-anchor="${anchor}">${escapeHtml(xLabels[i] ?? '')}</text>`);
    }
  }
  for (const f of [0.5, 1]) {
    const y = top + plotH - f * plotH;
    parts.push(`<text class="ax" x="${left + 2}" y="${px(y - 6)}">${escapeHtml(compact(Math.round(max * f), m.locale))}</text>`);
  }
  parts.push('</svg>');
  const legend = series
    .map((s) => `<li><span class="key ${s.cls === 'ba' ? 'a' : 'b'}" aria-hidden="true"></span>${escapeHtml(s.label)}</li>`)
    .join('');
  return `<figure>${parts.join('')}<figcaption><ul class="legend">${legend}</ul></figcaption></figure>`;
}

/** A row's bar: its hits against the list's largest row; decorative (the numbers are in the row). */
function rowBar(value: number, max: number): string {
  const w = max > 0 ? Math.max(0.5, (value / max) * 100) : 0;
  return `<svg class="bar" viewBox="0 0 100 4" preserveAspectRatio="none" aria-hidden="true" focusable="false"><rect width="${px(w)}" height="4"/></svg>`;
}

/** A column header: escaped, with soft hyphens in the language's long words (see Messages.breaks). */
function colHead(label: string, m: Messages): string {
  let out = escapeHtml(label);
  for (const b of m.breaks) out = out.replaceAll(b.replace('|', ''), b.replace('|', '&shy;'));
  return out;
}

type Links = (table: HtmlTable) => string;
const NO_LINKS: Links = () => '';

function section(id: string, title: string, body: string, cls = ''): string {
  return `<section aria-labelledby="${id}"${cls === '' ? '' : ` class="${cls}"`}><h2 id="${id}">${escapeHtml(title)}</h2>${body}</section>`;
}

function card(label: string, value: string, delta = ''): string {
  return `<div class="card"><dt>${escapeHtml(label)}</dt><dd>${escapeHtml(value)}</dd>${delta}</div>`;
}

/** The change against the previous period under a card; nothing when not compared. */
function deltaOf(report: Report, now: number, before: number | undefined, m: Messages): string {
  if (report.previous === null || before === undefined) return '';
  const c = change(now, before);
  const p = report.previous;
  const context = `<span class="visually-hidden"> ${escapeHtml(m.comparedWith(p.from, p.to))}</span>`;
  if (c === null) return `<dd class="delta">${escapeHtml(m.deltaNew)}${context}</dd>`;
  if (c === 0) return `<dd class="delta">${escapeHtml(m.deltaSame)}${context}</dd>`;
  const arrow = c > 0 ? '▲' : '▼';
  return `<dd class="delta ${c > 0 ? 'up' : 'down'}"><span aria-hidden="true">${arrow} </span>${escapeHtml(signedPercent(c, m.locale))}${context}</dd>`;
}

function totalsSection(report: Report, m: Messages): string {
  const t = report.totals;
  const p = report.previous?.totals;
  const mark = report.undeduplicatedDays.length > 0 ? ' *' : '';
  const cards = [
    card(m.hits, formatCount(t.hits, m.locale), deltaOf(report, t.hits, p?.hits, m)),
    card(m.visitors + mark, formatCount(t.visitors, m.locale), deltaOf(report, t.visitors, p?.visitors, m)),
    card(m.visits + mark, formatCount(t.visits, m.locale), deltaOf(report, t.visits, p?.visits, m)),
    card(m.pages, formatCount(t.pages, m.locale), deltaOf(report, t.pages, p?.pages, m)),
    card(m.ips, formatCount(t.ips, m.locale), deltaOf(report, t.ips, p?.ips, m)),
    card(m.bots, formatCount(t.bots, m.locale), deltaOf(report, t.bots, p?.bots, m)),
    card(m.bytes, humanBytes(t.bytes, m.locale), deltaOf(report, t.bytes, p?.bytes, m)),
  ];
  const explained: (keyof Messages['explain'])[] = ['hits', 'visitors', 'visits', 'pages', 'ips', 'bots', 'bytes'];
  if (hasVisitDetail(report)) {
    cards.push(card(m.bounceRate, percent(t.bounces, t.visits, m.locale)), card(m.avgVisit, duration(t.visitSeconds / t.visits)));
    explained.push('bounceRate', 'avgVisit');
  }
  const label: Record<keyof Messages['explain'], string> = {
    hits: m.hits,
    visitors: m.visitors,
    visits: m.visits,
    pages: m.pages,
    ips: m.ips,
    bots: m.bots,
    bytes: m.bytes,
    bounceRate: m.bounceRate,
    avgVisit: m.avgVisit,
  };
  const explain =
    `<details class="explain"><summary>${escapeHtml(m.explainTitle)}</summary><dl>` +
    explained.map((k) => `<dt>${escapeHtml(label[k])}</dt><dd>${escapeHtml(m.explain[k])}</dd>`).join('') +
    '</dl></details>';
  const compared = report.previous === null ? '' : `<p class="note">${escapeHtml(m.previousPeriod)}: ${escapeHtml(report.previous.from)} – ${escapeHtml(report.previous.to)}</p>`;
  const note = report.undeduplicatedDays.length > 0 ? `<p class="note">* ${escapeHtml(m.undeduplicated)}</p>` : '';
  return section('s-totals', m.totals, `<dl class="cards">${cards.join('')}</dl>${compared}${note}${explain}`);
}

function shortDate(dates: readonly string[]): string[] {
  // Short x labels (MM-DD) when the period is within one year keep the axis readable on a phone.
  const sameYear = dates.length > 0 && dates.every((d) => d.slice(0, 4) === dates[0]?.slice(0, 4));
  return sameYear ? dates.map((d) => (d.length === 10 ? d.slice(5) : d)) : [...dates];
}

function numberCells(d: Pick<DayRow, DayMetric>, m: Messages, order: readonly DayMetric[]): string {
  return order.map((k) => `<td class="n">${escapeHtml(k === 'bytes' ? humanBytes(d[k], m.locale) : formatCount(d[k], m.locale))}</td>`).join('');
}

const TABLE_ORDER: readonly DayMetric[] = ['hits', 'visitors', 'visits', 'pages', 'bytes'];

function metricLabel(k: DayMetric, m: Messages): string {
  return k === 'bytes' ? m.bytes : m[k];
}

function headRow(first: string, m: Messages): string {
  return (
    `<th scope="col">${colHead(first, m)}</th>` + TABLE_ORDER.map((k) => `<th scope="col" class="n">${colHead(metricLabel(k, m), m)}</th>`).join('')
  );
}

function daysSection(report: Report, m: Messages, links: Links): string {
  // No data at all: one "no data" row rather than a column of zeros.
  const axis = report.days.length === 0 ? [] : continuousDays(report.from, report.to, report.days);
  const undedup = new Set(report.undeduplicatedDays);
  const chart = barChart(
    'c-days',
    m.chartDays(report.from, report.to),
    shortDate(axis.map((d) => d.date)),
    [
      { label: m.hits, cls: 'ba', values: axis.map((d) => d.hits) },
      { label: m.visitors, cls: 'bb', values: axis.map((d) => d.visitors) },
    ],
    m,
  );
  const rows =
    axis.length === 0
      ? `<tr><td colspan="6">${escapeHtml(m.noData)}</td></tr>`
      : axis
          .map((d) => {
            const zero = d.hits === 0 && d.bytes === 0;
            return `<tr${zero ? ' class="zero"' : ''}><th scope="row" class="d">${escapeHtml(d.date)}${undedup.has(d.date) ? ' *' : ''}</th>${numberCells(d, m, TABLE_ORDER)}</tr>`;
          })
          .join('');
  const stats = dayStats(axis);
  const statRows = DAY_METRICS.map((k) => {
    const f = (v: number): string => (k === 'bytes' ? humanBytes(v, m.locale) : formatCount(v, m.locale));
    const s = stats[k];
    return `<tr><th scope="row">${escapeHtml(metricLabel(k, m))}</th><td class="n">${escapeHtml(f(s.min))}</td><td class="n">${escapeHtml(f(s.avg))}</td><td class="n">${escapeHtml(f(s.max))}</td></tr>`;
  }).join('');
  const statTable =
    axis.length < 2
      ? ''
      : `<div class="scroll" tabindex="0" role="region" aria-label="${escapeHtml(m.dayStats)}"><table id="t-daystats"><caption>${escapeHtml(m.dayStats)}</caption><thead><tr><th scope="col"><span class="visually-hidden">${escapeHtml(m.total)}</span></th>` +
        `<th scope="col" class="n">${colHead(m.minimum, m)}</th><th scope="col" class="n">${colHead(m.average, m)}</th><th scope="col" class="n">${colHead(m.maximum, m)}</th></tr></thead><tbody>${statRows}</tbody></table></div>`;
  const note = report.undeduplicatedDays.length > 0 ? `<p class="note">* ${escapeHtml(m.undeduplicated)}</p>` : '';
  return section(
    's-days',
    m.perDay,
    `${chart}<div class="scroll" tabindex="0" role="region" aria-label="${escapeHtml(m.tableOf(m.perDay))}"><table id="t-days"><caption>${escapeHtml(m.perDay)}</caption><thead><tr>${headRow(m.date, m)}</tr></thead><tbody>${rows}</tbody></table></div>${note}${links('days')}${statTable}`,
  );
}

function monthsSection(months: readonly MonthRow[], m: Messages, links: Links): string {
  if (months.length < 2) return '';
  const first = months[0]!.month;
  const last = months[months.length - 1]!.month;
  const chart = barChart(
    'c-months',
    m.chartMonths(first, last),
    months.map((x) => x.month),
    [
      { label: m.hits, cls: 'ba', values: months.map((x) => x.hits) },
      { label: m.visitors, cls: 'bb', values: months.map((x) => x.visitors) },
    ],
    m,
  );
  const rows = months.map((x) => `<tr${x.hits === 0 ? ' class="zero"' : ''}><th scope="row" class="d">${escapeHtml(x.month)}</th>${numberCells(x, m, TABLE_ORDER)}</tr>`).join('');
  return section(
    's-months',
    m.perMonth,
    `${chart}<div class="scroll" tabindex="0" role="region" aria-label="${escapeHtml(m.tableOf(m.perMonth))}"><table id="t-months"><caption>${escapeHtml(m.perMonth)}</caption><thead><tr>${headRow(m.month, m)}</tr></thead><tbody>${rows}</tbody></table></div>${links('months')}`,
  );
}

function hoursSection(report: Report, m: Messages, links: Links): string {
  const rows = report.top.hours;
  const chart = barChart('c-hours', m.chartHours, rows.map((r) => r.key), [{ label: m.hits, cls: 'ba', values: rows.map((r) => r.hits) }], m);
  const max = maxOf(rows, (r) => r.hits, 0);
  const body = rows
    .map(
      (r) =>
        `<tr><th scope="row" class="d">${escapeHtml(r.key)}${rowBar(r.hits, max)}</th><td class="n">${formatCount(r.hits, m.locale)}</td>` +
        `<td class="n">${escapeHtml(percent(r.hits, report.totals.hits, m.locale))}</td><td class="n">${escapeHtml(humanBytes(r.bytes, m.locale))}</td></tr>`,
    )
    .join('');
  const table =
    `<div class="scroll" tabindex="0" role="region" aria-label="${escapeHtml(m.lists.hours)}"><table id="t-hours"><caption>${escapeHtml(m.lists.hours)}</caption><thead><tr><th scope="col">${colHead(m.hourOfDay, m)}</th>` +
    `<th scope="col" class="n">${colHead(m.hits, m)}</th><th scope="col" class="n">${colHead(m.share, m)}</th><th scope="col" class="n">${colHead(m.bytes, m)}</th></tr></thead><tbody>${body}</tbody></table></div>`;
  return section('s-hours', m.chartHours, `${chart}${table}${links('hours')}`);
}

/** A stacked bar of the list's shares of `total`, with a legend: the first slices and the rest. */
function shareBar(report: Report, list: TopList, total: number, m: Messages): string {
  const rows = listRows(report, list).slice(0, SHARE_SLICES);
  if (rows.length === 0 || total <= 0) return '';
  const parts: string[] = [];
  const legend: string[] = [];
  let x = 0;
  const describe: string[] = [];
  rows.forEach((r, i) => {
    const w = (r.hits / total) * 100;
    const name = displayKey(list, r.key, m);
    parts.push(`<rect class="s${i + 1}" x="${px(x)}" width="${px(w)}" height="6"/>`);
    legend.push(`<li><span class="key s${i + 1}" aria-hidden="true"></span>${escapeHtml(cutKey(name))} ${escapeHtml(percent(r.hits, total, m.locale))}</li>`);
    describe.push(`${name} ${percent(r.hits, total, m.locale)}`);
    x += w;
  });
  if (x < 99.95) {
    parts.push(`<rect class="s0" x="${px(x)}" width="${px(100 - x)}" height="6"/>`);
    legend.push(`<li><span class="key s0" aria-hidden="true"></span>${escapeHtml(m.rest)} ${escapeHtml(percent(total - rows.reduce((a, r) => a + r.hits, 0), total, m.locale))}</li>`);
  }
  const label = `${m.shareOf(m.lists[list])}: ${describe.join(', ')}`;
  return (
    `<figure><svg class="share" viewBox="0 0 100 6" preserveAspectRatio="none" role="img" aria-label="${escapeHtml(cutKey(label))}" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>` +
    `<figcaption><ul class="legend">${legend.join('')}</ul></figcaption></figure>`
  );
}

/** The versions of one browser / OS family, expandable under its row (no script: <details>). */
function versionList(report: Report, list: TopList, family: string, total: number, m: Messages): string {
  if (list !== 'browsers' && list !== 'os') return '';
  const v = versionsOf(report, list, family);
  if (v.length === 0) return '';
  const items = v
    .map((r) => `<li><span>${escapeHtml(cutKey(displayKey(list === 'browsers' ? 'browserVersions' : 'osVersions', r.key, m)))}</span><span class="n">${formatCount(r.hits, m.locale)} · ${escapeHtml(percent(r.hits, total, m.locale))}</span></li>`)
    .join('');
  return `<details class="ver"><summary>${escapeHtml(m.showVersions(v.length))}</summary><ul aria-label="${escapeHtml(m.versions)}">${items}</ul></details>`;
}

function listTable(report: Report, list: TopList | FtpList, m: Messages, links: Links): string {
  const rows = listRows(report, list);
  const other = otherRow(report, list);
  if (rows.length === 0 && other === undefined) return '';
  const { total, count, bytes } = listBasis(report, list);
  const max = Math.max(maxOf(rows, (r) => r.hits, 0), other?.hits ?? 0);
  const head =
    `<th scope="col" class="n rk">${colHead(m.rank, m)}</th><th scope="col">${colHead(m.keyColumn[list], m)}</th>` +
    `<th scope="col" class="n">${colHead(m[count], m)}</th><th scope="col" class="n">${colHead(m.share, m)}</th>` +
    (bytes ? `<th scope="col" class="n">${colHead(m.bytes, m)}</th>` : '');
  const numbers = (hits: number, b: number): string =>
    `<td class="n">${formatCount(hits, m.locale)}</td><td class="n">${escapeHtml(percent(hits, total, m.locale))}</td>` +
    (bytes ? `<td class="n">${escapeHtml(humanBytes(b, m.locale))}</td>` : '');
  const body: string[] = [];
  const tl = list as TopList;
  rows.forEach((r, i) => {
    body.push(
      `<tr><td class="n rk">${i + 1}</td><th scope="row">${escapeHtml(cutKey(displayKey(list, r.key, m)))}${rowBar(r.hits, max)}${versionList(report, tl, r.key, total, m)}</th>` +
        `${numbers(r.hits, r.bytes)}</tr>`,
    );
  });
  if (other !== undefined) {
    body.push(`<tr class="other"><td class="n rk"></td><th scope="row">${escapeHtml(m.other)}${rowBar(other.hits, max)}</th>${numbers(other.hits, other.bytes)}</tr>`);
  }
  const share = list === 'browsers' || list === 'os' || list === 'devices' || list === 'countries' ? shareBar(report, list, total, m) : '';
  const unknown = list === 'browsers' && rows.some((r) => r.key === 'Unknown') ? `<p class="note">${escapeHtml(m.unknownBrowsers)}</p>` : '';
  return (
    `<h3 id="h-${list}">${escapeHtml(m.lists[list])}</h3>${share}<div class="scroll" tabindex="0" role="region" aria-label="${escapeHtml(m.lists[list])}"><table id="t-${list}" aria-labelledby="h-${list}">` +
    `<thead><tr>${head}</tr></thead><tbody>${body.join('')}</tbody></table></div>${unknown}${links(list)}`
  );
}

function statusTable(report: Report, m: Messages): string {
  const { classes, notListed } = statusClasses(report);
  if (classes.length === 0) return '';
  const total = report.totals.hits;
  const max = Math.max(maxOf(classes, (c) => c.hits), notListed);
  const rows = classes.map(
    (c) =>
      `<tr><th scope="row">${escapeHtml(m.statusClass[c.cls])}${rowBar(c.hits, max)}</th>` +
      `<td class="n">${formatCount(c.hits, m.locale)}</td><td class="n">${escapeHtml(percent(c.hits, total, m.locale))}</td></tr>`,
  );
  if (notListed > 0) {
    rows.push(
      `<tr class="other"><th scope="row">${escapeHtml(m.notListed)}${rowBar(notListed, max)}</th><td class="n">${formatCount(notListed, m.locale)}</td>` +
        `<td class="n">${escapeHtml(percent(notListed, total, m.locale))}</td></tr>`,
    );
  }
  return (
    `<h3 id="h-statusClasses">${escapeHtml(m.statusClasses)}</h3><div class="scroll" tabindex="0" role="region" aria-label="${escapeHtml(m.statusClasses)}"><table id="t-statusClasses" aria-labelledby="h-statusClasses"><thead><tr>` +
    `<th scope="col">${colHead(m.keyColumn.statusCodes, m)}</th><th scope="col" class="n">${colHead(m.hits, m)}</th><th scope="col" class="n">${colHead(m.share, m)}</th>` +
    `</tr></thead><tbody>${rows.join('')}</tbody></table></div>`
  );
}

function slowTable(report: Report, m: Messages, links: Links): string {
  const rows = report.top.slowPages;
  if (rows.length === 0) return '';
  const max = maxOf(rows, (r) => r.totalMs);
  const body = rows
    .map(
      (r, i) =>
        `<tr><td class="n rk">${i + 1}</td><th scope="row">${escapeHtml(cutKey(displayKey('slowPages', r.key, m)))}${rowBar(r.totalMs, max)}</th>` +
        `<td class="n">${formatCount(r.hits, m.locale)}</td><td class="n">${escapeHtml(humanMs(r.totalMs, m.locale))}</td>` +
        `<td class="n">${escapeHtml(humanMs(r.avgMs, m.locale))}</td><td class="n">${escapeHtml(humanMs(r.maxMs, m.locale))}</td></tr>`,
    )
    .join('');
  return (
    `<h3 id="h-slowPages">${escapeHtml(m.lists.slowPages)}</h3><div class="scroll" tabindex="0" role="region" aria-label="${escapeHtml(m.lists.slowPages)}"><table id="t-slowPages" aria-labelledby="h-slowPages"><thead><tr>` +
    `<th scope="col" class="n rk">${colHead(m.rank, m)}</th><th scope="col">${colHead(m.keyColumn.slowPages, m)}</th><th scope="col" class="n">${colHead(m.requests, m)}</th>` +
    `<th scope="col" class="n">${colHead(m.totalTime, m)}</th><th scope="col" class="n">${colHead(m.avgTime, m)}</th><th scope="col" class="n">${colHead(m.maxTime, m)}</th>` +
    `</tr></thead><tbody>${body}</tbody></table></div>${links('slowPages')}`
  );
}

function listSections(report: Report, m: Messages, links: Links): string[] {
  return LIST_GROUPS.map((g) => {
    const parts = g.lists.map((l) => {
      if (l === 'slowPages') return slowTable(report, m, links);
      const t = listTable(report, l, m, links);
      return l === 'statusCodes' && t !== '' ? statusTable(report, m) + t : t;
    });
    const body = parts.join('');
    return body === '' ? '' : section(`s-${g.id}`, m.groups[g.id], body);
  });
}

function ftpSection(report: Report, m: Messages, links: Links): string {
  if (report.ftp.transfers <= 0) return '';
  const summary = `<dl class="cards">${card(m.transfers, formatCount(report.ftp.transfers, m.locale))}${card(m.bytes, humanBytes(report.ftp.bytes, m.locale))}</dl>`;
  const tables = FTP_LISTS.map((l) => listTable(report, l, m, links)).join('');
  return section('s-ftp', m.ftp, `${summary}${tables}`, 'part');
}

function rejectedSection(report: Report, m: Messages): string {
  if (report.rejected.lines <= 0) return '';
  const rows = sortedReasons(report)
    .map(
      ([id, n]) =>
        `<tr><th scope="row">${escapeHtml(reasonLabel(m, id))} <code>${escapeHtml(id)}</code></th>` +
        `<td class="n">${formatCount(n, m.locale)}</td><td class="n">${escapeHtml(percent(n, report.rejected.lines, m.locale))}</td></tr>`,
    )
    .join('');
  return section(
    's-rejected',
    m.rejected,
    `<p>${escapeHtml(m.rejectedLines)}: ${formatCount(report.rejected.lines, m.locale)}</p>` +
      `<div class="scroll" tabindex="0" role="region" aria-label="${escapeHtml(m.tableOf(m.rejected))}"><table><caption>${escapeHtml(m.rejected)}</caption><thead><tr>` +
      `<th scope="col">${colHead(m.reason, m)}</th><th scope="col" class="n">${colHead(m.lines, m)}</th><th scope="col" class="n">${colHead(m.share, m)}</th>` +
      `</tr></thead><tbody>${rows}</tbody></table></div>`,
  );
}

const URL_IN_TEXT = /https?:\/\/[^\s<>"'()]+[^\s<>"'().,;:!?]/g;

/** Attribution text with its http(s) URLs as links (CC BY asks for a link to the source). */
function linkify(text: string): string {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(URL_IN_TEXT)) {
    const at = match.index ?? 0;
    out += escapeHtml(text.slice(last, at));
    const url = escapeHtml(match[0]);
    out += `<a href="${url}" rel="noreferrer">${url}</a>`;
    last = at + match[0].length;
  }
  return out + escapeHtml(text.slice(last));
}

/** The page's pieces, escaped and ready to place; renderHtml puts them in a standalone page. */
export function renderHtmlParts(report: Report, opts: HtmlOptions = {}): HtmlParts {
  const m = messages(opts.lang);
  const links = opts.tableLinks ?? NO_LINKS;
  const title = m.title(report.site);
  const attribution = report.meta.attribution.map((a) => `<p>${linkify(a)}</p>`).join('');
  // An FTP-only site is only its FTP part: no empty web sections.
  const web = ftpOnly(report)
    ? []
    : [
        totalsSection(report, m),
        daysSection(report, m, links),
        // The web UI's 12-month history is not the report's range: it has no download of its own.
        opts.history === undefined ? monthsSection(report.months, m, links) : monthsSection(opts.history, m, NO_LINKS),
        report.totals.hits > 0 ? hoursSection(report, m, links) : '',
        ...listSections(report, m, links),
      ];
  return {
    title,
    header: `<header><h1>${escapeHtml(title)}</h1><p class="sub">${escapeHtml(m.period)}: <span class="d">${escapeHtml(report.from)}</span> – <span class="d">${escapeHtml(report.to)}</span></p></header>`,
    sections: [...web, ftpSection(report, m, links), rejectedSection(report, m)],
    footer: [
      `<h2>${escapeHtml(m.privacy)}</h2>`,
      `<p>${escapeHtml(describeIpPolicy(m, report.meta.privacy.ip))}</p>`,
      `<p>${escapeHtml(describeUserPolicy(m, report.meta.privacy.user))}</p>`,
      `<p>${escapeHtml(m.rawWindow(report.meta.privacy.rawWindowDays))}</p>`,
      `<p>${escapeHtml(m.threshold(report.meta.privacy.threshold))}</p>`,
      attribution === '' ? '' : `<h2>${escapeHtml(m.dataSources)}</h2>${attribution}`,
    ],
  };
}

/** Styles the standalone page needs beyond REPORT_CSS (the web UI has them in its own sheet). */
const STANDALONE_CSS = '.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}';

export function renderHtml(report: Report, opts: HtmlOptions = {}): string {
  const m = messages(opts.lang);
  const parts = renderHtmlParts(report, opts);
  return [
    '<!DOCTYPE html>',
    `<html lang="${m.lang}">`,
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline';">`,
    '<meta name="robots" content="noindex, nofollow">',
    '<meta name="referrer" content="no-referrer">',
    `<title>${escapeHtml(parts.title)}</title>`,
    `<style>${REPORT_CSS}\n${STANDALONE_CSS}</style>`,
    '</head>',
    '<body>',
    '<div class="wrap">',
    parts.header,
    '<main>',
    ...parts.sections,
    '</main>',
    '<footer>',
    ...parts.footer,
    `<p>${escapeHtml(m.generatedBy)}</p>`,
    '</footer>',
    '</div>',
    '</body>',
    '</html>',
    '',
  ]
    .filter((s) => s !== '')
    .join('\n')
    .concat('\n');
}

