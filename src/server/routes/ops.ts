/** Operations and public resources: health, readiness, metrics, the stylesheet, the API docs. */
import type { FastifyInstance } from 'fastify';
import { escapeHtml } from '../../report/index.js';
import type { ServerDeps } from '../context.js';
import { WEB_CSS } from '../pages/layout.js';
import { LIVE_JS } from '../pages/live-script.js';

const statusSchema = {
  type: 'object',
  required: ['status'],
  additionalProperties: false,
  properties: { status: { type: 'string', enum: ['ok', 'closing', 'unavailable'] } },
} as const;

export async function opsRoutes(app: FastifyInstance, deps: ServerDeps): Promise<void> {
  app.get(
    '/healthz',
    { config: { access: 'public' }, schema: { summary: 'Liveness: the process answers', tags: ['operations'], response: { 200: statusSchema } } },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      config: { access: 'public' },
      schema: { summary: 'Readiness: the store answers and the server is not shutting down', tags: ['operations'], response: { 200: statusSchema, 503: statusSchema } },
    },
    async (_request, reply) => {
      if (deps.state.closing) return reply.code(503).send({ status: 'closing' });
      try {
        await deps.store.sites();
        return { status: 'ok' as const };
      } catch {
        return reply.code(503).send({ status: 'unavailable' });
      }
    },
  );

  app.get(
    '/metrics',
    {
      config: { access: 'public' },
      schema: {
        summary: 'Prometheus metrics (text exposition format)',
        tags: ['operations'],
        produces: ['text/plain'],
        response: { 200: { type: 'string' } },
      },
    },
    async (_request, reply) => {
      reply.type('text/plain; version=0.0.4; charset=utf-8');
      return deps.metrics.render();
    },
  );

  app.get('/static/weblog.css', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) => {
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600');
    return WEB_CSS;
  });

  app.get('/static/live.js', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) => {
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600');
    return LIVE_JS;
  });

  app.get('/docs/json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());

  // A static page instead of swagger-ui: no script, no extra dependency; the JSON is the reference.
  app.get('/docs', { config: { access: 'public', html: true }, schema: { hide: true } }, async (_request, reply) => {
    const doc = app.swagger() as { paths?: Record<string, Record<string, { summary?: string }>> };
    const rows: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths ?? {})) {
      for (const [method, op] of Object.entries(ops)) {
        rows.push(`<tr><td><code>${escapeHtml(method.toUpperCase())}</code></td><td><code>${escapeHtml(path)}</code></td><td>${escapeHtml(op.summary ?? '')}</td></tr>`);
      }
    }
    reply.type('text/html; charset=utf-8');
    return [
      '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
      '<title>weblog API</title><link rel="stylesheet" href="/static/weblog.css"></head><body><div class="wrap"><main id="main">',
      '<h1>weblog API</h1><p>The OpenAPI 3 document: <a href="/docs/json">/docs/json</a>. Authenticate with <code>Authorization: Bearer TOKEN</code>.</p>',
      `<div class="scroll" tabindex="0" role="region" aria-label="Routes"><table><caption>Routes</caption><thead><tr><th scope="col">Method</th><th scope="col">Path</th><th scope="col">Summary</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`,
      '</main></div></body></html>',
    ].join('\n');
  });
}
