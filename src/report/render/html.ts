/**
 * A Report as one static, self-contained HTML page: no script, no external resource (charts are
 * server-rendered inline SVG, styles inline), so it can be mailed, archived or served as a file.
 * Every stored string goes through escapeHtml; a Content-Security-Policy meta tag forbids scripts
 * as a second line of defence should an escape ever be missed.
 */

import { FTP_LISTS, TOP_LISTS, type FtpList, type Report, type TopList } from '../contract.js';
import {
  displayKey,
  escapeHtml,
  formatCount,
  hourBuckets,
  humanBytes,
  listRows,
  otherRow,
  percent,
  sortedReasons,
} from './format.js';
import { describeIpPolicy, describeUserPolicy, messages, reasonLabel, type Lang, type Messages } from './i18n.js';

export interface HtmlOptions {
  lang?: Lang;
  /**
   * Markup placed after each table (the web UI's download links). Trusted HTML: the caller
   * escapes what it interpolates. Absent: nothing is added (the standalone page).
   */
  tableLinks?: (table: 'days' | TopList | FtpList) => string;
}

/** A report page's pieces, for a caller that wraps them in its own shell (the web UI). */
export interface HtmlParts {
  readonly title: string;
  readonly header: string;
  /** The `<main>` element's content, one section per entry. */
  readonly sections: readonly string[];
  /** Privacy policy in force and data attributions (the footer's content). */
  readonly footer: readonly string[];
}

/** Longer keys are cut in the page (the CSV keeps them whole): one hostile URL must not bloat it. */
const MAX_KEY_CHARS = 200;

/** The page styles; the web UI serves them as a stylesheet (its CSP allows no inline style). */
export const REPORT_CSS = `
:root{color-scheme:light dark;--fg:#1a1a1a;--muted:#555;--bg:#fff;--line:#d4d4d4;--card:#f6f7f9;--a:#1f5fa8;--b:#a34f00}
@media (prefers-color-scheme:dark){:root{--fg:#ececec;--muted:#b0b0b0;--bg:#141414;--line:#3a3a3a;--card:#1e1f22;--a:#79aef2;--b:#f0a35e}}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
.wrap{max-width:64rem;margin:0 auto;padding:1rem}
h1{font-size:1.6rem;line-height:1.25;margin:.5rem 0;overflow-wrap:anywhere}
h2{font-size:1.25rem;margin:2rem 0 .5rem}
.sub{color:var(--muted);margin:0}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(9rem,1fr));gap:.75rem;margin:0}
.card{background:var(--card);border:1px solid var(--line);border-radius:.5rem;padding:.6rem .8rem}
.card dt{color:var(--muted);font-size:.875rem}
.card dd{margin:0;font-size:1.35rem;font-weight:600;font-variant-numeric:tabular-nums}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;margin:.25rem 0 1.25rem}
caption{text-align:left;font-weight:600;font-size:1.05rem;padding:.25rem 0}
th,td{padding:.3rem .5rem;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
thead th{font-size:.875rem;color:var(--muted)}
.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tbody th{font-weight:normal;overflow-wrap:anywhere;word-break:break-word}
tr.other{color:var(--muted);font-style:italic}
figure{margin:0 0 1rem}
svg{width:100%;height:auto;display:block}
.ba{fill:var(--a)}.bb{fill:var(--b)}
.ax{fill:var(--muted);font-size:11px}
.grid{stroke:var(--line);stroke-width:1}
.legend{display:flex;gap:1rem;flex-wrap:wrap;color:var(--muted);font-size:.875rem}
.key{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem;vertical-align:-.05rem}
.key.a{background:var(--a)}.key.b{background:var(--b)}
footer{border-top:1px solid var(--line);color:var(--muted);font-size:.875rem;margin-top:2rem;padding-top:.75rem}
footer a{color:inherit}
footer p{margin:.25rem 0}
@media (max-width:40rem){body{font-size:15px}th,td{padding:.25rem .3rem}.wrap{padding:.6rem}}
`.trim();

function cutKey(s: string): string {
  if (s.length <= MAX_KEY_CHARS) return s;
  // Do not split a surrogate pair: a lone surrogate is not valid UTF-8 output.
  let end = MAX_KEY_CHARS;
  const c = s.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return `${s.slice(0, end)}…`;
}

/** Fixed-precision SVG coordinate (keeps the markup short and stable). */
function px(n: number): string {
  return (Math.round(n * 10) / 10).toString();
}

interface Series {
  label: string;
  cls: 'ba' | 'bb';
  values: readonly number[];
}

/**
 * Grouped vertical bars with a y-axis (0, half, max) and every n-th x label. Each bar carries a
 * <title> (hover tooltip, and read out by screen readers); the data is also in a table nearby.
 */
function barChart(id: string, label: string, xLabels: readonly string[], series: readonly Series[], m: Messages): string {
  const W = 720;
  const H = 220;
  const left = 56;
  const right = 8;
  const top = 10;
  const bottom = 28;
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
    parts.push(
      `<line class="grid" x1="${left}" x2="${W - right}" y1="${px(y)}" y2="${px(y)}"/>`,
      `<text class="ax" x="${left - 6}" y="${px(y + 4)}" text-anchor="end">${escapeHtml(formatCount(Math.round(max * f), m.locale))}</text>`,
    );
  }
  if (n > 0) {
    const gw = plotW / n;
    const bw = (gw * 0.8) / series.length;
    const every = Math.max(1, Math.ceil(n / 12));
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
      if (i % every === 0) {
        parts.push(`<text class="ax" x="${px(left + i * gw + gw / 2)}" y="${H - 8}" text-anchor="middle">${xl}</text>`);
      }
    }
  }
  parts.push('</svg>');
  const legend = series
    .map((s) => `<span><span class="key ${s.cls === 'ba' ? 'a' : 'b'}" aria-hidden="true"></span>${escapeHtml(s.label)}</span>`)
    .join('');
  return `<figure>${parts.join('')}<figcaption class="legend">${legend}</figcaption></figure>`;
}

function totalsSection(report: Report, m: Messages): string {
  const t = report.totals;
  const cards: [string, string][] = [
    [m.hits, formatCount(t.hits, m.locale)],
    [m.visitors, formatCount(t.visitors, m.locale)],
    [m.visits, formatCount(t.visits, m.locale)],
    [m.pages, formatCount(t.pages, m.locale)],
    [m.ips, formatCount(t.ips, m.locale)],
    [m.bots, formatCount(t.bots, m.locale)],
    [m.bytes, humanBytes(t.bytes, m.locale)],
  ];
  const items = cards.map(([k, v]) => `<div class="card"><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd></div>`).join('');
  return `<section aria-labelledby="s-totals"><h2 id="s-totals">${escapeHtml(m.totals)}</h2><dl class="cards">${items}</dl></section>`;
}

type Links = (table: 'days' | TopList | FtpList) => string;
const NO_LINKS: Links = () => '';

function daysSection(report: Report, m: Messages, links: Links): string {
  const dates = report.days.map((d) => d.date);
  // Short x labels (MM-DD) when the period is within one year keep the axis readable on a phone.
  const sameYear = dates.length > 0 && dates.every((d) => d.slice(0, 4) === dates[0]?.slice(0, 4));
  const xLabels = sameYear ? dates.map((d) => (d.length === 10 ? d.slice(5) : d)) : dates;
  const chart = barChart(
    'c-days',
    m.chartDays(report.from, report.to),
    xLabels,
    [
      { label: m.hits, cls: 'ba', values: report.days.map((d) => d.hits) },
      { label: m.visitors, cls: 'bb', values: report.days.map((d) => d.visitors) },
    ],
    m,
  );
  const head = [m.date, m.hits, m.visitors, m.visits, m.pages, m.bytes]
    .map((h, i) => `<th scope="col"${i > 0 ? ' class="n"' : ''}>${escapeHtml(h)}</th>`)
    .join('');
  const rows =
    report.days.length === 0
      ? `<tr><td colspan="6">${escapeHtml(m.noData)}</td></tr>`
      : report.days
          .map(
            (d) =>
              `<tr><th scope="row">${escapeHtml(d.date)}</th><td class="n">${formatCount(d.hits, m.locale)}</td>` +
              `<td class="n">${formatCount(d.visitors, m.locale)}</td><td class="n">${formatCount(d.visits, m.locale)}</td>` +
              `<td class="n">${formatCount(d.pages, m.locale)}</td><td class="n">${escapeHtml(humanBytes(d.bytes, m.locale))}</td></tr>`,
          )
          .join('');
  return (
    `<section aria-labelledby="s-days"><h2 id="s-days">${escapeHtml(m.perDay)}</h2>${chart}` +
    `<div class="scroll"><table id="t-days"><caption>${escapeHtml(m.perDay)}</caption><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table></div>${links('days')}</section>`
  );
}

function hoursSection(report: Report, m: Messages): string {
  const { hits } = hourBuckets(report);
  const labels = hits.map((_, h) => String(h).padStart(2, '0'));
  const chart = barChart('c-hours', m.chartHours, labels, [{ label: m.hits, cls: 'ba', values: hits }], m);
  return `<section aria-labelledby="s-hours"><h2 id="s-hours">${escapeHtml(m.chartHours)}</h2>${chart}</section>`;
}

function listTable(report: Report, list: TopList | FtpList, total: number, m: Messages, links: Links): string {
  const rows = listRows(report, list);
  const other = otherRow(report, list);
  const head =
    `<th scope="col" class="n">${escapeHtml(m.rank)}</th><th scope="col">${escapeHtml(m.keyColumn[list])}</th>` +
    `<th scope="col" class="n">${escapeHtml(m.hits)}</th><th scope="col" class="n">${escapeHtml(m.share)}</th>` +
    `<th scope="col" class="n">${escapeHtml(m.bytes)}</th>`;
  const body: string[] = [];
  rows.forEach((r, i) => {
    body.push(
      `<tr><td class="n">${i + 1}</td><th scope="row">${escapeHtml(cutKey(displayKey(list, r.key, m)))}</th>` +
        `<td class="n">${formatCount(r.hits, m.locale)}</td><td class="n">${escapeHtml(percent(r.hits, total, m.locale))}</td>` +
        `<td class="n">${escapeHtml(humanBytes(r.bytes, m.locale))}</td></tr>`,
    );
  });
  if (other !== undefined) {
    body.push(
      `<tr class="other"><td class="n"></td><th scope="row">${escapeHtml(m.other)}</th>` +
        `<td class="n">${formatCount(other.hits, m.locale)}</td><td class="n">${escapeHtml(percent(other.hits, total, m.locale))}</td>` +
        `<td class="n">${escapeHtml(humanBytes(other.bytes, m.locale))}</td></tr>`,
    );
  }
  if (body.length === 0) body.push(`<tr><td colspan="5">${escapeHtml(m.noData)}</td></tr>`);
  return (
    `<div class="scroll"><table id="t-${list}"><caption>${escapeHtml(m.lists[list])}</caption>` +
    `<thead><tr>${head}</tr></thead><tbody>${body.join('')}</tbody></table></div>${links(list)}`
  );
}

function ftpSection(report: Report, m: Messages, links: Links): string {
  if (report.ftp.transfers <= 0) return '';
  const summary =
    `<dl class="cards"><div class="card"><dt>${escapeHtml(m.transfers)}</dt><dd>${formatCount(report.ftp.transfers, m.locale)}</dd></div>` +
    `<div class="card"><dt>${escapeHtml(m.bytes)}</dt><dd>${escapeHtml(humanBytes(report.ftp.bytes, m.locale))}</dd></div></dl>`;
  const tables = FTP_LISTS.map((l) => listTable(report, l, report.ftp.transfers, m, links)).join('');
  return `<section aria-labelledby="s-ftp"><h2 id="s-ftp">${escapeHtml(m.ftp)}</h2>${summary}${tables}</section>`;
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
  return (
    `<section aria-labelledby="s-rejected"><h2 id="s-rejected">${escapeHtml(m.rejected)}</h2>` +
    `<p>${escapeHtml(m.rejectedLines)}: ${formatCount(report.rejected.lines, m.locale)}</p>` +
    `<div class="scroll"><table><caption>${escapeHtml(m.rejected)}</caption><thead><tr>` +
    `<th scope="col">${escapeHtml(m.reason)}</th><th scope="col" class="n">${escapeHtml(m.lines)}</th><th scope="col" class="n">${escapeHtml(m.share)}</th>` +
    `</tr></thead><tbody>${rows}</tbody></table></div></section>`
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
  const lists = TOP_LISTS.map((l) => listTable(report, l, report.totals.hits, m, links)).join('');
  const attribution = report.meta.attribution.map((a) => `<p>${linkify(a)}</p>`).join('');
  return {
    title,
    header: `<header><h1>${escapeHtml(title)}</h1><p class="sub">${escapeHtml(m.period)}: ${escapeHtml(report.from)} – ${escapeHtml(report.to)}</p></header>`,
    sections: [
      totalsSection(report, m),
      daysSection(report, m, links),
      hoursSection(report, m),
      `<section aria-labelledby="s-lists"><h2 id="s-lists">${escapeHtml(m.topLists)}</h2>${lists}</section>`,
      ftpSection(report, m, links),
      rejectedSection(report, m),
    ],
    footer: [
      `<h2>${escapeHtml(m.privacy)}</h2>`,
      `<p>${escapeHtml(describeIpPolicy(m, report.meta.ipPolicy))}</p>`,
      `<p>${escapeHtml(describeUserPolicy(m, report.meta.userPolicy))}</p>`,
      attribution === '' ? '' : `<h2>${escapeHtml(m.dataSources)}</h2>${attribution}`,
    ],
  };
}

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
    `<style>${REPORT_CSS}</style>`,
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
