/**
 * The customer web UI: login/logout, the list of sites, a site's weblog with range selection,
 * per-table CSV/JSON downloads, the operator overview, the "live today" event stream, and the
 * privacy notice. Server-rendered HTML; one small same-origin script updates today's numbers.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { appError } from '../../core/errors.js';
import { formatCount, type FtpList, type HtmlTable, humanBytes, type Lang, loadReport, messages, renderCsvTable, renderNotice, type Report, type TopList } from '../../report/index.js';
import { SESSION_COOKIE } from '../auth.js';
import type { ServerDeps } from '../context.js';
import { newDataNotice, siteNotices, type NewDataPolicy } from '../notice.js';
import { renderPage, type PageFooter } from '../pages/layout.js';
import { RANGE_KINDS, resolveRange, type Range, type RangeQuery } from '../pages/range.js';
import { monthHistory, operatorRows, OVERVIEW_DAYS, siteSummaries, todayOf } from '../pages/data.js';
import { errorBody, loginBody, operatorBody, privacyBody, sitesBody, TABLES, weblogBody } from '../pages/views.js';
import { pickLang, webMessages } from '../pages/web-i18n.js';
import { siteParams } from '../schemas.js';
import { checkLoginCsrf, checkSessionCsrf, isTls, issueLoginCsrf, LOGIN_CSRF_COOKIE } from '../security.js';
import { visibleSites } from '../tenant.js';

/** The one script of the web UI (live updates of today's numbers), served from 'self'. */
export const LIVE_SCRIPT_PATH = '/static/live.js';

/** What the pages need of the server's policy for new data (footer, notice). */
export type PageDefaults = NewDataPolicy;

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
  scripts: readonly string[] = [],
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
      operator: caller?.principal.role === 'operator',
      csrf: caller?.session?.csrf ?? null,
      scripts,
      footer: {
        reportFooter: footer?.reportFooter ?? null,
        defaultIp: defaults.ip,
        defaultUser: defaults.user,
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

async function reportFor(deps: ServerDeps, site: string, q: RangeQuery, top: number, compare: boolean): Promise<{ report: Report | null; range: Range }> {
  const { last } = await lastDayOf(deps, site);
  const range = resolveRange(q, last, today(deps));
  const report = last === null ? null : await loadReport(deps.store, { site, from: range.from, to: range.to, top, compare });
  return { report, range };
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
    const inputs = request.caller !== null ? await siteNotices(request.caller, deps, defaults) : [newDataNotice(defaults)];
    return htmlPage(request, reply, deps, defaults, webMessages(lang).privacyNotice, privacyBody(lang, inputs.map((n) => renderNotice(n, lang))));
  });

  app.get('/sites', { config: html, schema: { hide: true, querystring: { type: 'object', properties: { lang: langQuery } } } }, async (request, reply) => {
    const lang = langOf(request);
    const sites = await siteSummaries(deps.store, await visibleSites(request.caller!, deps));
    return htmlPage(request, reply, deps, defaults, webMessages(lang).sites, sitesBody(lang, sites, OVERVIEW_DAYS));
  });

  app.get('/operator', { config: { access: 'operator', ...html }, schema: { hide: true, querystring: { type: 'object', properties: { lang: langQuery } } } }, async (request, reply) => {
    const lang = langOf(request);
    const rows = await operatorRows(deps.store, deps.accounts, await visibleSites(request.caller!, deps), deps.live.lastIngest);
    return htmlPage(request, reply, deps, defaults, webMessages(lang).operator, operatorBody(lang, rows, today(deps)));
  });

  app.get<{ Params: { site: string }; Querystring: PageQuery }>(
    '/sites/:site',
    { config: html, schema: { hide: true, params: siteParams, querystring: { type: 'object', properties: rangeProps } } },
    async (request, reply) => {
      const lang = langOf(request);
      const { report, range } = await reportFor(deps, request.site, request.query, 10, true);
      if (report === null) throw appError('ERR_SITE_UNKNOWN', request.site);
      const [todayRow, history] = await Promise.all([todayOf(deps.store, request.site, today(deps)), monthHistory(deps.store, request.site, report.to)]);
      const { body, parts } = weblogBody(lang, report, range, { today: todayRow, history });
      const attribution = deps.attribution.filter((a) => !report.meta.attribution.includes(a));
      return htmlPage(request, reply, deps, defaults, parts.title, body, { reportFooter: parts.footer, attribution }, [LIVE_SCRIPT_PATH]);
    },
  );

  // "Live today": server-sent events with the site's current day whenever it changes.
  app.get<{ Params: { site: string }; Querystring: { lang?: Lang } }>(
    '/sites/:site/live',
    { schema: { hide: true, params: siteParams, querystring: { type: 'object', properties: { lang: langQuery } } } },
    async (request, reply) => {
      const lang = langOf(request);
      const m = messages(lang);
      const w = webMessages(lang);
      if (deps.state.closing) throw appError('ERR_SERVER_CLOSING');
      const raw = reply.raw;
      let unsubscribe: (() => void) | null = null;
      let heartbeat: NodeJS.Timeout | undefined;
      const end = (): void => {
        clearInterval(heartbeat);
        unsubscribe?.();
        if (!raw.writableEnded) raw.end();
      };
      const send = (day: { date: string; hits: number; visitors: number; visits: number; pages: number; bytes: number }): void => {
        const text = {
          hits: formatCount(day.hits, m.locale),
          visitors: formatCount(day.visitors, m.locale),
          visits: formatCount(day.visits, m.locale),
          pages: formatCount(day.pages, m.locale),
          bytes: humanBytes(day.bytes, m.locale),
        };
        const time = deps.now().toISOString().slice(11, 19);
        raw.write(`event: today\ndata: ${JSON.stringify({ day, text, status: w.liveOn(`${time} UTC`) })}\n\n`);
      };
      unsubscribe = deps.live.subscribe(request.site, send, end);
      if (unsubscribe === null) {
        reply.header('retry-after', '30');
        throw appError('ERR_LIVE_BUSY', deps.live.streams);
      }
      reply.hijack();
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        // nginx buffers proxied responses by default, which would hold events back.
        'x-accel-buffering': 'no',
        connection: 'keep-alive',
      });
      raw.write('retry: 10000\n\n');
      heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), 25_000);
      heartbeat.unref();
      request.raw.on('close', end);
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
      const table = request.params.table as HtmlTable;
      const { report } = await reportFor(deps, request.site, request.query, 0, false);
      if (report === null) throw appError('ERR_SITE_UNKNOWN', request.site);
      const name = `${safeFilePart(report.site)}-${table}-${report.from}_${report.to}`;
      if (request.query.format === 'json') {
        const rows =
          table === 'days' ? report.days : table === 'months' ? report.months : table.startsWith('ftp') ? report.ftp.top[table as FtpList] : report.top[table as TopList];
        const other = table === 'days' || table === 'months' ? undefined : report.others[table as TopList | FtpList];
        reply.type('application/json; charset=utf-8').header('content-disposition', `attachment; filename="${name}.json"`);
        return reply.send(JSON.stringify({ site: report.site, from: report.from, to: report.to, table, rows, ...(other ? { other } : {}) }, null, 2));
      }
      reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`);
      return reply.send(renderCsvTable(report, table));
    },
  );
}
