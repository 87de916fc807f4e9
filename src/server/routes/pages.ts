/**
 * The customer web UI: login/logout, the list of sites, a site's weblog with range selection,
 * per-table CSV/JSON downloads, and the privacy notice. Server-rendered HTML, no script.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { appError } from '../../core/errors.js';
import { buildReport } from '../../report/build.js';
import type { FtpList, Report, TopList } from '../../report/contract.js';
import { renderCsvTable, type Lang } from '../../report/render/index.js';
import { SESSION_COOKIE } from '../auth.js';
import type { ServerDeps } from '../context.js';
import { renderPage, type PageFooter } from '../pages/layout.js';
import { RANGE_KINDS, resolveRange, type Range, type RangeQuery } from '../pages/range.js';
import { errorBody, loginBody, privacyBody, sitesBody, TABLES, weblogBody, type SiteSummary } from '../pages/views.js';
import { pickLang, webMessages } from '../pages/web-i18n.js';
import { siteParams } from '../schemas.js';
import { checkLoginCsrf, checkSessionCsrf, isTls, issueLoginCsrf, LOGIN_CSRF_COOKIE } from '../security.js';
import { visibleSites } from '../tenant.js';

export interface PageDefaults {
  readonly ipPolicy: string;
  readonly userPolicy: string;
}

const langQuery = { type: 'string', enum: ['en', 'de'] } as const;
const rangeProps = {
  lang: langQuery,
  range: { type: 'string', enum: [...RANGE_KINDS] },
  month: { type: 'string', maxLength: 7 },
  from: { type: 'string', maxLength: 10 },
  to: { type: 'string', maxLength: 10 },
} as const;

type PageQuery = RangeQuery & { lang?: Lang };

export function langOf(request: FastifyRequest): Lang {
  const q = (request.query as { lang?: unknown } | undefined)?.lang;
  return pickLang(q, request.headers['accept-language']);
}

/** A form post's lang travels in the action URL; this keeps the rest of the query out. */
function selfUrl(request: FastifyRequest): string {
  const u = new URL(request.url, 'http://x');
  u.searchParams.delete('lang');
  return `${u.pathname}${u.search}`;
}

export function htmlPage(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: ServerDeps,
  defaults: PageDefaults,
  title: string,
  body: string,
  footer?: Partial<PageFooter>,
): FastifyReply {
  const lang = langOf(request);
  const caller = request.caller;
  reply.type('text/html; charset=utf-8');
  return reply.send(
    renderPage({
      lang,
      title,
      body,
      selfUrl: selfUrl(request),
      loggedIn: caller !== null && caller.via === 'session',
      csrf: caller?.session?.csrf ?? null,
      footer: {
        reportFooter: footer?.reportFooter ?? null,
        defaultIpPolicy: defaults.ipPolicy,
        defaultUserPolicy: defaults.userPolicy,
        attribution: footer?.attribution ?? deps.attribution,
      },
    }),
  );
}

export function renderErrorPage(request: FastifyRequest, reply: FastifyReply, deps: ServerDeps, defaults: PageDefaults, status: number, message: string): FastifyReply {
  const lang = langOf(request);
  return htmlPage(request, reply.code(status), deps, defaults, webMessages(lang).errorTitle(status), errorBody(lang, status, message, request.caller !== null));
}

async function lastDayOf(deps: ServerDeps, site: string): Promise<{ first: string | null; last: string | null }> {
  const r = (await deps.store.retention()).find((x) => x.site === site);
  return { first: r?.firstDay ?? null, last: r?.lastDay ?? null };
}

function today(deps: ServerDeps): string {
  return deps.now().toISOString().slice(0, 10);
}

async function reportFor(deps: ServerDeps, site: string, q: RangeQuery, top: number): Promise<{ report: Report | null; range: Range }> {
  const { last } = await lastDayOf(deps, site);
  const range = resolveRange(q, last, today(deps));
  const stored = last === null ? null : await deps.store.query({ site, from: range.from, to: range.to, top });
  return { report: stored === null ? null : buildReport(stored), range };
}

function safeFilePart(s: string): string {
  return s.replace(/[^a-z0-9._-]/gi, '_').slice(0, 100);
}

export async function pageRoutes(app: FastifyInstance, deps: ServerDeps, defaults: PageDefaults): Promise<void> {
  const html = { html: true } as const;

  app.get('/', { config: { access: 'public', ...html }, schema: { hide: true } }, async (request, reply) => {
    const lang = langOf(request);
    return reply.redirect(request.caller !== null ? `/sites?lang=${lang}` : `/login?lang=${lang}`, 303);
  });

  app.get<{ Querystring: { lang?: Lang } }>(
    '/login',
    { config: { access: 'public', ...html }, schema: { hide: true, querystring: { type: 'object', properties: { lang: langQuery } } } },
    async (request, reply) => {
      const lang = langOf(request);
      if (request.caller?.via === 'session') return reply.redirect(`/sites?lang=${lang}`, 303);
      const csrf = issueLoginCsrf(request, reply);
      return htmlPage(request, reply, deps, defaults, webMessages(lang).loginTitle, loginBody(lang, csrf, false));
    },
  );

  app.post<{ Querystring: { lang?: Lang }; Body: { token?: string; _csrf?: string } }>(
    '/login',
    {
      config: { access: 'public', ...html, rateLimit: { max: deps.limits.loginPerMinute, timeWindow: 60_000 } },
      schema: {
        hide: true,
        querystring: { type: 'object', properties: { lang: langQuery } },
        body: {
          type: 'object',
          properties: { token: { type: 'string', maxLength: 200 }, _csrf: { type: 'string', maxLength: 100 } },
        },
      },
    },
    async (request, reply) => {
      const lang = langOf(request);
      checkLoginCsrf(request, request.body?._csrf);
      const principal = await deps.accounts.verifyToken((request.body?.token ?? '').trim());
      if (principal === null) {
        request.log.info({ event: 'login-failed' }, 'login failed');
        const csrf = issueLoginCsrf(request, reply);
        return htmlPage(request, reply.code(401), deps, defaults, webMessages(lang).loginTitle, loginBody(lang, csrf, true));
      }
      await deps.accounts.purgeSessions();
      const { id } = await deps.accounts.createSession(principal, deps.sessionTtlSeconds);
      reply.setCookie(SESSION_COOKIE, id, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: isTls(request),
        maxAge: deps.sessionTtlSeconds,
      });
      reply.clearCookie(LOGIN_CSRF_COOKIE, { path: '/login' });
      request.log.info({ event: 'login', role: principal.role }, 'logged in');
      return reply.redirect(`/sites?lang=${lang}`, 303);
    },
  );

  app.post<{ Body: { _csrf?: string } }>(
    '/logout',
    {
      config: html,
      schema: { hide: true, body: { type: 'object', properties: { _csrf: { type: 'string', maxLength: 100 } } } },
    },
    async (request, reply) => {
      checkSessionCsrf(request, request.body?._csrf);
      const s = request.caller?.session;
      if (s) await deps.accounts.deleteSession(s.id);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.redirect(`/login?lang=${langOf(request)}`, 303);
    },
  );

  app.get('/privacy', { config: { access: 'public', ...html }, schema: { hide: true, querystring: { type: 'object', properties: { lang: langQuery } } } }, async (request, reply) => {
    const lang = langOf(request);
    return htmlPage(request, reply, deps, defaults, webMessages(lang).privacyNotice, privacyBody(lang));
  });

  app.get('/sites', { config: html, schema: { hide: true, querystring: { type: 'object', properties: { lang: langQuery } } } }, async (request, reply) => {
    const lang = langOf(request);
    const retention = new Map((await deps.store.retention()).map((r) => [r.site, r]));
    const sites: SiteSummary[] = [];
    for (const site of await visibleSites(request.caller!, deps)) {
      const r = retention.get(site);
      const last = r?.lastDay ?? null;
      const stored = last === null ? null : await deps.store.query({ site, from: last, to: last, top: 1 });
      sites.push({ site, from: r?.firstDay ?? null, to: last, ipPolicy: stored?.meta.ipPolicy ?? null });
    }
    return htmlPage(request, reply, deps, defaults, webMessages(lang).sites, sitesBody(lang, sites));
  });

  app.get<{ Params: { site: string }; Querystring: PageQuery }>(
    '/sites/:site',
    { config: html, schema: { hide: true, params: siteParams, querystring: { type: 'object', properties: rangeProps } } },
    async (request, reply) => {
      const lang = langOf(request);
      const { report, range } = await reportFor(deps, request.site, request.query, 10);
      if (report === null) throw appError('ERR_SITE_UNKNOWN', request.site);
      const { body, parts } = weblogBody(lang, report, range);
      const attribution = deps.attribution.filter((a) => !report.meta.attribution.includes(a));
      return htmlPage(request, reply, deps, defaults, parts.title, body, { reportFooter: parts.footer, attribution });
    },
  );

  app.get<{ Params: { site: string; table: string }; Querystring: PageQuery & { format?: 'csv' | 'json' } }>(
    '/sites/:site/download/:table',
    {
      config: html,
      schema: {
        hide: true,
        params: { type: 'object', required: ['site', 'table'], properties: { site: { type: 'string' }, table: { type: 'string', enum: [...TABLES] } } },
        querystring: { type: 'object', properties: { ...rangeProps, format: { type: 'string', enum: ['csv', 'json'], default: 'csv' } } },
      },
    },
    async (request, reply) => {
      const table = request.params.table as 'days' | TopList | FtpList;
      const { report } = await reportFor(deps, request.site, request.query, 0);
      if (report === null) throw appError('ERR_SITE_UNKNOWN', request.site);
      const name = `${safeFilePart(report.site)}-${table}-${report.from}_${report.to}`;
      if (request.query.format === 'json') {
        const rows = table === 'days' ? report.days : table.startsWith('ftp') ? report.ftp.top[table as FtpList] : report.top[table as TopList];
        const other = table === 'days' ? undefined : report.others[table as TopList | FtpList];
        reply.type('application/json; charset=utf-8').header('content-disposition', `attachment; filename="${name}.json"`);
        return reply.send(JSON.stringify({ site: report.site, from: report.from, to: report.to, table, rows, ...(other ? { other } : {}) }, null, 2));
      }
      reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`);
      return reply.send(renderCsvTable(report, table));
    },
  );
}
