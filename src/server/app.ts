/**
 * The composition root of `weblog serve`: builds the fastify instance from its parts — logger
 * with redaction, plugins, auth (auth.ts), tenant scoping (tenant.ts), security headers, error
 * mapping — and registers the route modules. Holds no logic of its own beyond the wiring.
 */
import { STATUS_CODES } from 'node:http';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { ipPolicySpec, userPolicySpec } from '../anonymise/index.js';
import { AppError, appError, isAppError } from '../core/errors.js';
import { DBIP_ATTRIBUTION } from '../enrich/index.js';
import { settingsFromConfig } from '../pipeline/index.js';
import type { Store } from '../store/index.js';
import { registerAuth } from './auth.js';
import { DEFAULT_LIMITS, type ServerDeps, type ServerOptions } from './context.js';
import { createIngestRunner } from './ingest-runner.js';
import { LiveFeed } from './live.js';
import { Metrics, type StoreOp } from './metrics.js';
import { todayOf } from './pages/data.js';
import { apiRoutes } from './routes/api.js';
import { ingestRoutes } from './routes/ingest.js';
import { opsRoutes } from './routes/ops.js';
import type { NewDataPolicy } from './notice.js';
import { pageRoutes, renderErrorPage } from './routes/pages.js';
import { SHARED_SCHEMAS } from './schemas.js';
import { registerSecurityHeaders } from './security.js';
import { registerTenantScope } from './tenant.js';

export interface App {
  readonly fastify: FastifyInstance;
  readonly deps: ServerDeps;
  /**
   * Graceful stop: refuse new ingests, let running ones commit, close the HTTP server. The
   * stores stay open: the caller that opened them closes them.
   */
  close(): Promise<void>;
}

/** Paths pino must never write: credentials, and anything that may carry an address or a log line. */
export const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'ip',
  'ua',
  'raw',
  '*.ip',
  '*.ua',
  '*.raw',
  'body.token',
];

function timedStore(store: Store, metrics: Metrics): Store {
  const timed = new Set<string>(['query', 'commit', 'sites']);
  return new Proxy(store, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof prop !== 'string' || !timed.has(prop) || typeof v !== 'function') return typeof v === 'function' ? v.bind(target) : v;
      return async (...args: unknown[]) => {
        const t0 = process.hrtime.bigint();
        try {
          return await (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } finally {
          metrics.observeStore(prop as StoreOp, Number(process.hrtime.bigint() - t0) / 1e9);
        }
      };
    },
  });
}

function loggerOptions(opts: ServerOptions): FastifyServerOptions['logger'] {
  if (opts.logger === false) return false;
  return {
    level: opts.logLevel ?? 'info',
    redact: { paths: REDACT, censor: '[redacted]' },
    // No client address in the logs: customers' visitors never reach here, but their own
    // addresses (and the shippers') are personal data too and nothing needs them.
    serializers: {
      req: (req: { method?: string; url?: string; id?: string }) => ({ method: req.method, url: req.url?.split('?')[0], id: req.id }),
    },
    ...(opts.logger !== undefined && opts.logger !== true ? { stream: opts.logger } : {}),
  };
}

export async function createApp(opts: ServerOptions): Promise<App> {
  const metrics = new Metrics();
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const store = timedStore(opts.store, metrics);
  const state = { closing: false };
  const geo = opts.ingestConfig.enrich.geo && opts.ingestConfig.enrich.geoDatabase === null;
  const now = opts.now ?? (() => new Date());
  const live = new LiveFeed({
    read: (site, day) => todayOf(store, site, day),
    today: () => now().toISOString().slice(0, 10),
    pollMs: opts.livePollMs ?? 10_000,
    maxStreams: limits.maxLiveStreams,
  });
  const deps: ServerDeps = {
    store,
    accounts: opts.accounts,
    ingest: createIngestRunner({
      store,
      accounts: opts.accounts,
      keys: opts.keys,
      config: opts.ingestConfig,
      metrics,
      acceptUnknownVhosts: opts.acceptUnknownVhosts ?? false,
      rawDir: opts.rawDir ?? null,
      onCommitted: (sites) => live.notify(sites),
      today: () => now().toISOString().slice(0, 10),
    }),
    metrics,
    limits,
    sessionTtlSeconds: opts.sessionTtlSeconds ?? 12 * 3600,
    attribution: geo ? [DBIP_ATTRIBUTION] : [],
    now,
    live,
    state,
  };
  const settings = settingsFromConfig({ ...opts.ingestConfig, source: { type: 'stdin', paths: [], follow: false }, routing: { ...opts.ingestConfig.routing, type: 'vhost' } }, 1);
  const defaults: NewDataPolicy = {
    ip: [ipPolicySpec(settings.privacy)],
    user: [userPolicySpec(settings.privacy)],
    rawWindowDays: settings.rawWindowDays,
    countries: settings.enrich.geo,
  };

  const app = Fastify({
    logger: loggerOptions(opts),
    // A list, never `true`: fastify (proxy-addr) then walks X-Forwarded-For from the right and
    // stops at the first address that is not a trusted proxy, so rate limits key on that.
    trustProxy: opts.trustedProxies !== undefined && opts.trustedProxies.length > 0 ? [...opts.trustedProxies] : false,
    bodyLimit: 64 * 1024,
    // Routes are exact: `/api/sites/x/report/` is not `/api/sites/x/report`.
    routerOptions: { ignoreTrailingSlash: false, caseSensitive: true },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // Node's own clock for every request (slow headers or form bodies); ingest bodies also have
    // their precise timers, with the registry's error (ingest-body.ts).
    requestTimeout: limits.requestTimeoutMs,
  });

  for (const s of SHARED_SCHEMAS) app.addSchema(s);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'weblog', version: '0.1.0', description: 'Per-site web statistics from anonymised access logs.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: '`weblog token create`' } } },
    },
    hideUntagged: false,
  });
  await app.register(fastifyCookie);
  await app.register(fastifyRateLimit, { global: false });

  registerSecurityHeaders(app);
  registerAuth(app, deps);
  registerTenantScope(app, deps);

  app.addHook('onResponse', async (_request, reply) => {
    metrics.countHttp(reply.statusCode);
  });

  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    let e: AppError;
    if (isAppError(error)) e = error;
    else if ((error as FastifyError).validation) e = appError('ERR_REQUEST_INVALID', error.message);
    else if (error.statusCode === 429) e = appError('ERR_RATE_LIMITED', `${Math.ceil(Number(reply.getHeader('retry-after') ?? 60))} s`);
    else if (error.statusCode === 413) e = appError('ERR_INGEST_TOO_LARGE', limits.maxBodyBytes);
    else if (error.statusCode === 415) e = appError('ERR_INGEST_MEDIA_TYPE', error.message);
    else if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) e = appError('ERR_REQUEST_INVALID', error.message);
    else e = new AppError('ERR_INTERNAL', [error.message], { cause: error });
    const status = e.httpStatus;
    if (status >= 500) request.log.error({ err: error, code: e.code }, 'request failed');
    else request.log.info({ code: e.code, statusCode: status }, 'request refused');
    // 5xx details stay in the log.
    const message = status >= 500 && e.code === 'ERR_INTERNAL' ? 'internal error' : e.message;
    if (request.routeOptions.config?.html) return renderErrorPage(request, reply, deps, defaults, status, message);
    return reply.code(status).send({ error: STATUS_CODES[status] ?? 'Error', code: e.code, message, statusCode: status });
  });

  app.setNotFoundHandler((request, reply) => {
    const e = appError('ERR_NOT_FOUND', `${request.method} ${request.url.split('?')[0]!.slice(0, 200)}`);
    reply.code(404).send({ error: 'Not Found', code: e.code, message: e.message, statusCode: 404 });
  });

  await app.register(async (scope) => opsRoutes(scope, deps));
  await app.register(async (scope) => apiRoutes(scope, deps));
  await app.register(async (scope) => ingestRoutes(scope, deps));
  await app.register(async (scope) => {
    await scope.register(fastifyFormbody);
    await pageRoutes(scope, deps, defaults);
  });
  await app.ready();

  return {
    fastify: app,
    deps,
    async close() {
      state.closing = true;
      await deps.ingest.idle();
      await deps.ingest.close();
      // Open event streams never go idle: end them, or closing would wait for them forever.
      live.close();
      await app.close();
    },
  };
}
