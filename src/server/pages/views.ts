/** The bodies of the web UI's pages. Every interpolated value goes through escapeHtml. */
import { TOP_LISTS, type FtpList, type Report, type TopList } from '../../report/contract.js';
import { describeIpPolicy, escapeHtml, messages, renderHtmlParts, type HtmlParts, type Lang } from '../../report/render/index.js';
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
  readonly from: string | null;
  readonly to: string | null;
  readonly ipPolicy: string | null;
}

export function sitesBody(lang: Lang, sites: readonly SiteSummary[]): string {
  const w = webMessages(lang);
  const m = messages(lang);
  if (sites.length === 0) return `<h1>${escapeHtml(w.sites)}</h1><p>${escapeHtml(w.noSites)}</p>`;
  const rows = sites
    .map((s) => {
      const href = escapeHtml(withQuery(`/sites/${encodeURIComponent(s.site)}`, { lang }));
      const period = s.from !== null && s.to !== null ? `${escapeHtml(s.from)} – ${escapeHtml(s.to)}` : escapeHtml(m.noData);
      const policy = s.ipPolicy !== null ? escapeHtml(describeIpPolicy(m, s.ipPolicy)) : '';
      return `<tr><th scope="row"><a href="${href}">${escapeHtml(s.site)}</a></th><td>${period}</td><td>${policy}</td></tr>`;
    })
    .join('');
  return (
    `<h1>${escapeHtml(w.sites)}</h1><div class="scroll"><table id="t-sites"><caption>${escapeHtml(w.sites)}</caption>` +
    `<thead><tr><th scope="col">${escapeHtml(w.site)}</th><th scope="col">${escapeHtml(w.period)}</th><th scope="col">${escapeHtml(w.policy)}</th></tr></thead>` +
    `<tbody>${rows}</tbody></table></div>`
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

export function weblogBody(lang: Lang, report: Report, range: Range): { body: string; parts: HtmlParts } {
  const m = messages(lang);
  const w = webMessages(lang);
  const base = `/sites/${encodeURIComponent(report.site)}/download/`;
  const q = rangeQuery(range);
  const tableName = (t: 'days' | TopList | FtpList): string => (t === 'days' ? m.perDay : m.lists[t]);
  const tableLinks = (t: 'days' | TopList | FtpList): string => {
    const link = (format: 'csv' | 'json'): string =>
      `<a href="${escapeHtml(withQuery(`${base}${t}`, { ...q, format }))}" download aria-label="${escapeHtml(w.download(tableName(t), format.toUpperCase()))}">${format.toUpperCase()}</a>`;
    return `<p class="dl">${link('csv')}${link('json')}</p>`;
  };
  const parts = renderHtmlParts(report, { lang, tableLinks });
  const empty = report.days.length === 0 ? `<p class="alert">${escapeHtml(w.noDataInRange)}</p>` : '';
  return { body: [parts.header, rangeForm(lang, report.site, range), empty, ...parts.sections.filter((s) => s !== '')].join('\n'), parts };
}

export function privacyBody(lang: Lang): string {
  const w = webMessages(lang);
  return `<h1>${escapeHtml(w.privacyTitle)}</h1>${w.privacyText.map((t) => `<p>${escapeHtml(t)}</p>`).join('')}`;
}

export function errorBody(lang: Lang, status: number, message: string, loggedIn: boolean): string {
  const w = webMessages(lang);
  const link = loggedIn
    ? `<a href="${escapeHtml(withQuery('/sites', { lang }))}">${escapeHtml(w.backToSites)}</a>`
    : `<a href="${escapeHtml(withQuery('/login', { lang }))}">${escapeHtml(w.backToLogin)}</a>`;
  return `<h1>${escapeHtml(w.errorTitle(status))}</h1><p>${escapeHtml(message)}</p><p>${link}</p>`;
}

export const TABLES: readonly ('days' | TopList | FtpList)[] = ['days', ...TOP_LISTS, 'ftpFiles', 'ftpIps', 'ftpUsers'];
