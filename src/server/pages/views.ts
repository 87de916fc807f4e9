/** The bodies of the web UI's pages. Every interpolated value goes through escapeHtml. */
import type { IpPolicySpec } from '../../core/policy.js';
import { type DayRow, describeIpPolicy, escapeHtml, formatCount, type FtpList, type HtmlParts, type HtmlTable, humanBytes, type Lang, messages, type MonthRow, type Notice, renderHtmlParts, type Report, TOP_LISTS, type TopList } from '../../report/index.js';
import { withQuery } from './layout.js';
import { rangeQuery, type Range } from './range.js';
import { webMessages } from './web-i18n.js';

export function loginBody(lang: Lang, csrf: string, failed: boolean): string {
  const w = webMessages(lang);
  return [
    '<section class="login">',
    `<h1>${escapeHtml(w.loginTitle)}</h1>`,
    `<p>${escapeHtml(w.loginIntro)}</p>`,
    failed ? `<p class="alert" role="alert" id="login-error">${escapeHtml(w.loginFailed)}</p>` : '',
    `<form method="post" action="${escapeHtml(withQuery('/login', { lang }))}">`,
    `<input type="hidden" name="_csrf" value="${escapeHtml(csrf)}">`,
    `<label for="token">${escapeHtml(w.tokenLabel)}</label>`,
    `<input id="token" name="token" type="password" autocomplete="current-password" required spellcheck="false" aria-describedby="token-help${failed ? ' login-error' : ''}">`,
    `<p class="help" id="token-help">${escapeHtml(w.tokenHelp)}</p>`,
    `<button type="submit">${escapeHtml(w.login)}</button>`,
    '</form>',
    '</section>',
  ].join('\n');
}

export interface SiteSummary {
  readonly site: string;
  /** The site's first and last day with data (null: none yet). */
  readonly from: string | null;
  readonly to: string | null;
  /** IP policies of the site's stored data; null without data. */
  readonly ip: readonly IpPolicySpec[] | null;
  /** The last 30 days with data (ending on `to`), every day, zeros included; null without data. */
  readonly recent: { readonly report: Report; readonly axis: readonly DayRow[] } | null;
}

/** An inline SVG line of hits per day; its label states the range and the extremes. */
export function sparkline(lang: Lang, axis: readonly DayRow[]): string {
  if (axis.length === 0) return '';
  const w = webMessages(lang);
  const m = messages(lang);
  const W = 120;
  const H = 32;
  const values = axis.map((d) => d.hits);
  const max = Math.max(...values);
  const min = Math.min(...values);
  const step = values.length > 1 ? W / (values.length - 1) : 0;
  const y = (v: number): number => Math.round((H - 2 - (max > 0 ? (v / max) * (H - 4) : 0)) * 10) / 10;
  const pts = values.map((v, i) => `${Math.round(i * step * 10) / 10},${y(v)}`).join(' ');
  const label = w.sparkline(axis[0]!.date, axis[axis.length - 1]!.date, formatCount(min, m.locale), formatCount(max, m.locale));
  return (
    `<svg class="spark" viewBox="0 0 ${W} ${H}" preserveAspectRatio="none" role="img" aria-label="${escapeHtml(label)}" xmlns="http://www.w3.org/2000/svg">` +
    `<polygon class="spark-area" points="0,${H} ${pts} ${W},${H}"/><polyline class="spark-line" points="${pts}"/></svg>`
  );
}

/** A date range whose dates never break inside (a phone wraps between them, not within). */
function period(from: string, to: string): string {
  return `<span class="d">${escapeHtml(from)}</span> – <span class="d">${escapeHtml(to)}</span>`;
}

export function sitesBody(lang: Lang, sites: readonly SiteSummary[], days: number): string {
  const w = webMessages(lang);
  const m = messages(lang);
  if (sites.length === 0) return `<h1>${escapeHtml(w.sites)}</h1><p>${escapeHtml(w.noSites)}</p>`;
  const items = sites
    .map((s) => {
      const href = escapeHtml(withQuery(`/sites/${encodeURIComponent(s.site)}`, { lang }));
      const policy = s.ip !== null ? `<p class="note">${escapeHtml(describeIpPolicy(m, s.ip))}</p>` : '';
      if (s.recent === null) {
        return `<li class="site"><h2><a href="${href}">${escapeHtml(s.site)}</a></h2><p>${escapeHtml(w.noDataYet)}</p>${policy}</li>`;
      }
      const t = s.recent.report.totals;
      const ftp = s.recent.report.ftp;
      if (t.hits === 0 && ftp.transfers > 0) {
        // An FTP-only site: its headline numbers are transfers, not (zero) web hits.
        const cards =
          `<dl class="cards"><div class="card"><dt>${escapeHtml(m.transfers)}</dt><dd>${formatCount(ftp.transfers, m.locale)}</dd></div>` +
          `<div class="card"><dt>${escapeHtml(m.bytes)}</dt><dd>${escapeHtml(humanBytes(ftp.bytes, m.locale))}</dd></div></dl>`;
        return (
          `<li class="site"><h2><a href="${href}">${escapeHtml(s.site)}</a></h2>` +
          `<p class="sub">${escapeHtml(m.ftp)} · ${period(s.recent.report.from, s.recent.report.to)}</p>${cards}${policy}</li>`
        );
      }
      const numbers =
        `<dl class="cards">` +
        `<div class="card"><dt>${escapeHtml(m.hits)}</dt><dd>${formatCount(t.hits, m.locale)}</dd></div>` +
        `<div class="card"><dt>${escapeHtml(m.visitors)}</dt><dd>${formatCount(t.visitors, m.locale)}</dd></div>` +
        `<div class="card"><dt>${escapeHtml(m.pages)}</dt><dd>${formatCount(t.pages, m.locale)}</dd></div>` +
        `<div class="card"><dt>${escapeHtml(m.bytes)}</dt><dd>${escapeHtml(humanBytes(t.bytes, m.locale))}</dd></div></dl>`;
      return (
        `<li class="site"><h2><a href="${href}">${escapeHtml(s.site)}</a></h2>` +
        `<p class="sub">${period(s.recent.report.from, s.recent.report.to)}</p>` +
        `${sparkline(lang, s.recent.axis)}${numbers}${policy}</li>`
      );
    })
    .join('');
  return `<h1>${escapeHtml(w.sites)}</h1><p class="sub">${escapeHtml(w.overviewIntro(days))}</p><ul class="sites">${items}</ul>`;
}

export interface OperatorRow {
  readonly site: string;
  readonly customer: string | null;
  readonly hits30: number;
  readonly rejected: number;
  readonly lastDay: string | null;
  readonly lastIngest: Date | null;
  readonly rawWindowDays: number;
  readonly rawDays: number;
  readonly rawBytes: number;
  readonly contractEnd: string | null;
  /** The day the retention rules delete the weblog (null: no contract end). */
  readonly deletedOn: string | null;
}

export function operatorBody(lang: Lang, rows: readonly OperatorRow[], today: string): string {
  const w = webMessages(lang);
  const m = messages(lang);
  const head = [w.site, w.customer, w.hits30, w.rejected, w.lastData, w.lastIngest, w.rawWindow, w.contractEnd, w.retention];
  let col = 0;
  // data-label: on a phone the table stacks, each cell with its column's name.
  const cell = (s: string, cls = ''): string => `<td data-label="${escapeHtml(head[++col % head.length]!)}"${cls === '' ? '' : ` class="${cls}"`}>${escapeHtml(s)}</td>`;
  const body = rows
    .map((r) => {
      const href = escapeHtml(withQuery(`/sites/${encodeURIComponent(r.site)}`, { lang }));
      const retention =
        r.deletedOn === null ? w.retentionActive : today >= r.deletedOn ? w.retentionEnded(r.deletedOn) : w.retentionEnds(r.deletedOn);
      col = 0;
      return (
        `<tr><th scope="row" class="site"><a href="${href}">${escapeHtml(r.site)}</a></th>` +
        cell(r.customer ?? w.none) +
        cell(formatCount(r.hits30, m.locale), 'n') +
        cell(formatCount(r.rejected, m.locale), 'n') +
        cell(r.lastDay ?? w.none, 'd') +
        cell(r.lastIngest === null ? w.none : r.lastIngest.toISOString().slice(0, 19).replace('T', ' ') + ' UTC', 'd') +
        cell(`${w.days(r.rawWindowDays)}; ${r.rawDays === 0 ? w.rawNone : w.rawHeld(r.rawDays, humanBytes(r.rawBytes, m.locale))}`) +
        cell(r.contractEnd ?? w.none, 'd') +
        cell(retention) +
        '</tr>'
      );
    })
    .join('');
  const headRow = head.map((h, i) => `<th scope="col"${i === 2 || i === 3 ? ' class="n"' : ''}>${escapeHtml(h)}</th>`).join('');
  return (
    `<h1>${escapeHtml(w.operator)}</h1><p class="sub">${escapeHtml(w.operatorIntro)}</p>` +
    `<div class="scroll" tabindex="0" role="region" aria-label="${escapeHtml(w.operator)}"><table id="t-operator" class="stack"><caption class="visually-hidden">${escapeHtml(w.operator)}</caption><thead><tr>${headRow}</tr></thead><tbody>${body}</tbody></table></div>` +
    `<p class="note">${escapeHtml(w.lastIngestNote)}</p>`
  );
}

/** Today's numbers, updated by /static/live.js from the site's event stream when scripts run. */
export function todayPanel(lang: Lang, site: string, day: DayRow): string {
  const w = webMessages(lang);
  const m = messages(lang);
  const src = withQuery(`/sites/${encodeURIComponent(site)}/live`, { lang });
  const card = (k: 'hits' | 'visitors' | 'visits' | 'pages' | 'bytes', label: string, value: string): string =>
    `<div class="card"><dt>${escapeHtml(label)}</dt><dd data-live="${k}">${escapeHtml(value)}</dd></div>`;
  return (
    `<section aria-labelledby="s-today" class="today" id="today" data-live-src="${escapeHtml(src)}" data-live-off="${escapeHtml(w.liveOff)}">` +
    `<h2 id="s-today">${escapeHtml(w.today(day.date))}</h2><dl class="cards">` +
    card('hits', m.hits, formatCount(day.hits, m.locale)) +
    card('visitors', m.visitors, formatCount(day.visitors, m.locale)) +
    card('visits', m.visits, formatCount(day.visits, m.locale)) +
    card('pages', m.pages, formatCount(day.pages, m.locale)) +
    card('bytes', m.bytes, humanBytes(day.bytes, m.locale)) +
    `</dl><p class="note" id="live-status" aria-live="polite">${escapeHtml(w.liveLoaded)}</p></section>`
  );
}

function rangeForm(lang: Lang, site: string, r: Range): string {
  const w = webMessages(lang);
  const radio = (value: string, label: string): string =>
    `<label><input type="radio" name="range" value="${value}"${r.kind === value ? ' checked' : ''}> ${escapeHtml(label)}</label>`;
  return [
    `<form class="range" method="get" action="/sites/${escapeHtml(encodeURIComponent(site))}">`,
    `<input type="hidden" name="lang" value="${lang}">`,
    `<fieldset><legend>${escapeHtml(w.range)}</legend>`,
    radio('7d', w.last7),
    radio('30d', w.last30),
    radio('month', w.month),
    radio('custom', w.custom),
    radio('all', w.all),
    '</fieldset>',
    `<label for="f-month">${escapeHtml(w.month)}<input id="f-month" type="month" name="month" value="${escapeHtml(r.month)}"></label>`,
    `<label for="f-from">${escapeHtml(w.from)}<input id="f-from" type="date" name="from" value="${escapeHtml(r.from ?? '')}"></label>`,
    `<label for="f-to">${escapeHtml(w.to)}<input id="f-to" type="date" name="to" value="${escapeHtml(r.to ?? '')}"></label>`,
    `<button type="submit">${escapeHtml(w.show)}</button>`,
    '</form>',
  ].join('\n');
}

export function weblogBody(
  lang: Lang,
  report: Report,
  range: Range,
  extra: { readonly today: DayRow; readonly history: readonly MonthRow[] },
): { body: string; parts: HtmlParts } {
  const m = messages(lang);
  const w = webMessages(lang);
  const base = `/sites/${encodeURIComponent(report.site)}/download/`;
  const q = rangeQuery(range);
  const tableName = (t: HtmlTable): string => (t === 'days' ? m.perDay : t === 'months' ? m.perMonth : m.lists[t]);
  const tableLinks = (t: HtmlTable): string => {
    const link = (format: 'csv' | 'json'): string =>
      `<a href="${escapeHtml(withQuery(`${base}${t}`, { ...q, format }))}" download aria-label="${escapeHtml(w.download(tableName(t), format.toUpperCase()))}">${format.toUpperCase()}</a>`;
    return `<p class="dl">${link('csv')}${link('json')}</p>`;
  };
  const parts = renderHtmlParts(report, { lang, tableLinks, history: extra.history });
  const empty = report.days.length === 0 ? `<p class="alert">${escapeHtml(w.noDataInRange)}</p>` : '';
  // An FTP-only site has no web day to watch.
  const today = report.totals.hits === 0 && report.ftp.transfers > 0 ? '' : todayPanel(lang, report.site, extra.today);
  const body = [parts.header, today, rangeForm(lang, report.site, range), empty, ...parts.sections.filter((s) => s !== '')];
  return { body: body.join('\n'), parts };
}

/** One privacy notice per site (report/notice.ts), or the one for data not yet received. */
export function privacyBody(lang: Lang, notices: readonly Notice[]): string {
  const w = webMessages(lang);
  const one = (n: Notice, h: 'h1' | 'h2'): string => `<section><${h}>${escapeHtml(n.title)}</${h}>${n.paragraphs.map((t) => `<p>${escapeHtml(t)}</p>`).join('')}</section>`;
  if (notices.length === 1) return one(notices[0]!, 'h1');
  if (notices.length === 0) return `<h1>${escapeHtml(w.privacyNotice)}</h1><p>${escapeHtml(w.noSites)}</p>`;
  return `<h1>${escapeHtml(w.privacyNotice)}</h1>${notices.map((n) => one(n, 'h2')).join('')}`;
}

export function errorBody(lang: Lang, status: number, message: string, loggedIn: boolean): string {
  const w = webMessages(lang);
  const link = loggedIn
    ? `<a href="${escapeHtml(withQuery('/sites', { lang }))}">${escapeHtml(w.backToSites)}</a>`
    : `<a href="${escapeHtml(withQuery('/login', { lang }))}">${escapeHtml(w.backToLogin)}</a>`;
  return `<h1>${escapeHtml(w.errorTitle(status))}</h1><p>${escapeHtml(message)}</p><p>${link}</p>`;
}

export const TABLES: readonly HtmlTable[] = ['days', 'months', ...TOP_LISTS, 'ftpFiles', 'ftpIps', 'ftpUsers'];
