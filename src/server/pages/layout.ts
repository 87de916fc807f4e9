/**
 * The page shell of the web UI: skip link, navigation (sites, language switch, logout form),
 * content, and a footer that always states the privacy policy and data attributions. Styles come
 * from /static/weblog.css (the CSP forbids inline ones); the only script is /static/live.js on a
 * site's page, and every page works without it.
 */
import type { IpPolicySpec, UserPolicySpec } from '../../core/policy.js';
import { describeIpPolicy, describeUserPolicy, escapeHtml, type Lang, messages, REPORT_CSS } from '../../report/index.js';
import { webMessages } from './web-i18n.js';

export const WEB_CSS = `${REPORT_CSS}
.skip{position:absolute;left:-9999px;top:0;background:var(--bg);padding:.5rem;z-index:9}
.skip:focus{left:.5rem}
a{color:var(--a)}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible{outline:3px solid var(--b);outline-offset:2px}
nav.top{display:flex;flex-wrap:wrap;gap:.5rem 1.25rem;align-items:center;border-bottom:1px solid var(--line);padding:.5rem 0;margin-bottom:.5rem}
nav.top .brand{font-weight:700;text-decoration:none;color:var(--fg)}
nav.top ul{display:flex;gap:1rem;list-style:none;margin:0;padding:0;flex-wrap:wrap}
nav.top form{margin:0 0 0 auto}
.lang a[aria-current]{font-weight:700;text-decoration:none;color:var(--fg)}
button,input,select{font:inherit;color:inherit}
button,.button{background:var(--a);color:var(--bg);border:0;border-radius:.35rem;padding:.35rem .8rem;cursor:pointer}
nav.top button{background:transparent;color:var(--a);border:1px solid var(--line)}
input,select{background:var(--bg);border:1px solid var(--muted);border-radius:.3rem;padding:.3rem .4rem}
form.range{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:flex-end;background:var(--card);border:1px solid var(--line);border-radius:.5rem;padding:.6rem .8rem;margin:.75rem 0}
form.range fieldset{border:0;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.25rem .9rem}
form.range legend{font-weight:600;padding:0;margin-bottom:.25rem}
form.range label{display:flex;flex-direction:column;font-size:.875rem;color:var(--muted)}
form.range fieldset label{flex-direction:row;gap:.3rem;align-items:center;color:var(--fg);font-size:1rem}
.dl{margin:-.75rem 0 1.25rem;font-size:.875rem;display:flex;gap:1rem}
.login{max-width:28rem}
.login label{display:block;font-weight:600;margin:.75rem 0 .25rem}
.login input{width:100%}
.login .help{color:var(--muted);font-size:.875rem}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.alert{border:1px solid var(--b);border-radius:.4rem;padding:.5rem .75rem}
ul.sites{list-style:none;margin:1rem 0;padding:0;display:grid;align-items:start;grid-template-columns:repeat(auto-fill,minmax(min(100%,22rem),1fr));gap:1rem}
li.site{border:1px solid var(--line);border-radius:.5rem;padding:.75rem 1rem}
li.site h2{margin:0;font-size:1.2rem;overflow-wrap:anywhere}
li.site .cards{grid-template-columns:repeat(2,minmax(0,1fr));margin-top:.5rem}
svg.spark{width:100%;height:3rem;display:block;margin:.5rem 0}
.spark-line{fill:none;stroke:var(--a);stroke-width:1.5;vector-effect:non-scaling-stroke}
.spark-area{fill:var(--card)}
section.today{background:var(--card);border:1px solid var(--line);border-radius:.5rem;padding:.25rem .8rem .5rem;margin:.75rem 0}
section.today h2{margin:.5rem 0;font-size:1.1rem}
section.today .card{background:var(--bg)}
#t-operator td,#t-operator th{font-size:.9rem}
#t-operator th.site{white-space:nowrap;word-break:normal;overflow-wrap:normal}
@media (max-width:40rem){
table.stack thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
table.stack tr{display:block;border-bottom:1px solid var(--line);padding:.4rem 0}
table.stack th,table.stack td{display:flex;justify-content:space-between;gap:1rem;border:0;padding:.1rem .3rem;text-align:right}
table.stack td::before{content:attr(data-label);color:var(--muted);text-align:left}
table.stack th.site{white-space:normal}
}
`;

export interface PageFooter {
  /** Lines from renderHtmlParts (a weblog page) — or null: the server's default policy is shown. */
  readonly reportFooter: readonly string[] | null;
  readonly defaultIp: readonly IpPolicySpec[];
  readonly defaultUser: readonly UserPolicySpec[];
  readonly attribution: readonly string[];
}

export interface PageInput {
  readonly lang: Lang;
  readonly title: string;
  readonly body: string;
  /** Path + query of this page without `lang`, for the language switch. */
  readonly selfUrl: string;
  readonly loggedIn: boolean;
  /** The caller is an operator: the navigation offers the overview of all sites. */
  readonly operator?: boolean;
  readonly csrf: string | null;
  readonly footer: PageFooter;
  /** Same-origin script paths (the CSP allows 'self' only); the page must work without them. */
  readonly scripts?: readonly string[];
}

export function withQuery(path: string, q: Record<string, string>): string {
  const s = new URLSearchParams(q).toString();
  return s === '' ? path : `${path}${path.includes('?') ? '&' : '?'}${s}`;
}

function langSwitch(p: PageInput): string {
  const w = webMessages(p.lang);
  const items = (['en', 'de'] as const)
    .map((l) => {
      const label = l === 'en' ? 'English' : 'Deutsch';
      const href = escapeHtml(withQuery(p.selfUrl, { lang: l }));
      return l === p.lang
        ? `<a href="${href}" aria-current="true" lang="${l}" hreflang="${l}">${label}</a>`
        : `<a href="${href}" lang="${l}" hreflang="${l}">${label}</a>`;
    })
    .join(' ');
  return `<li class="lang"><span class="visually-hidden">${escapeHtml(w.language)}: </span>${items}</li>`;
}

function footer(p: PageInput): string {
  const m = messages(p.lang);
  const w = webMessages(p.lang);
  const parts: string[] = [];
  if (p.footer.reportFooter !== null) parts.push(...p.footer.reportFooter.filter((s) => s !== ''));
  else {
    parts.push(
      `<h2>${escapeHtml(m.privacy)}</h2>`,
      `<p>${escapeHtml(w.defaultPolicy)}: ${escapeHtml(describeIpPolicy(m, p.footer.defaultIp))}; ${escapeHtml(describeUserPolicy(m, p.footer.defaultUser))}</p>`,
    );
  }
  // Attribution (CC BY) on every page; the caller leaves out what the report footer already has.
  if (p.footer.attribution.length > 0) {
    const linked = p.footer.attribution.map(
      (a) => `<p>${escapeHtml(a).replace('https://db-ip.com', '<a href="https://db-ip.com" rel="noreferrer">https://db-ip.com</a>')}</p>`,
    );
    parts.push(`<h2>${escapeHtml(m.dataSources)}</h2>`, ...linked);
  }
  parts.push(`<p><a href="${escapeHtml(withQuery('/privacy', { lang: p.lang }))}">${escapeHtml(w.privacyNotice)}</a> · ${escapeHtml(m.generatedBy)}</p>`);
  return `<footer>${parts.join('\n')}</footer>`;
}

export function renderPage(p: PageInput): string {
  const w = webMessages(p.lang);
  const nav: string[] = [`<a class="brand" href="${escapeHtml(withQuery('/sites', { lang: p.lang }))}">${escapeHtml(w.appName)}</a>`, '<ul>'];
  if (p.loggedIn) nav.push(`<li><a href="${escapeHtml(withQuery('/sites', { lang: p.lang }))}">${escapeHtml(w.sites)}</a></li>`);
  if (p.loggedIn && p.operator === true) nav.push(`<li><a href="${escapeHtml(withQuery('/operator', { lang: p.lang }))}">${escapeHtml(w.operator)}</a></li>`);
  nav.push(langSwitch(p), '</ul>');
  if (p.loggedIn && p.csrf !== null) {
    nav.push(
      `<form method="post" action="/logout"><input type="hidden" name="_csrf" value="${escapeHtml(p.csrf)}"><button type="submit">${escapeHtml(w.logout)}</button></form>`,
    );
  }
  return [
    '<!DOCTYPE html>',
    `<html lang="${p.lang}">`,
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="robots" content="noindex, nofollow">',
    `<title>${escapeHtml(p.title)}</title>`,
    '<link rel="stylesheet" href="/static/weblog.css">',
    ...(p.scripts ?? []).map((src) => `<script src="${escapeHtml(src)}" defer></script>`),
    '</head>',
    '<body>',
    `<a class="skip" href="#main">${escapeHtml(w.skip)}</a>`,
    '<div class="wrap">',
    `<nav class="top" aria-label="${escapeHtml(w.mainNav)}">${nav.join('')}</nav>`,
    `<main id="main" tabindex="-1">${p.body}</main>`,
    footer(p),
    '</div>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
