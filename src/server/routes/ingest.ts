/**
 * Log ingest over HTTP: `POST /ingest/:site` (every line belongs to the site) and `POST /ingest`
 * (each line routed by its virtual host). The body is text (as `curl --data-binary @access.log`
 * or a log shipper sends it), optionally gzip-encoded, and streams into the pipeline: nothing
 * buffers the whole body. Operator bearer tokens only.
 */
import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { appError, isAppError } from '../../core/errors.js';
import type { IngestSummary } from '../../pipeline/index.js';
import type { ServerDeps } from '../context.js';
import { bodyError, openBody } from '../ingest-body.js';
import { errorResponses, siteParams } from '../schemas.js';

/** What shippers send: plain text, or no useful type at all (curl's default is form-urlencoded). */
const TEXT_TYPES = new Set(['', 'text/plain', 'application/octet-stream', 'application/x-www-form-urlencoded', 'text/x-log']);

const resultSchema = {
  type: 'object',
  required: ['site', 'lines', 'accepted', 'rejected', 'sites', 'format'],
  additionalProperties: false,
  properties: {
    site: { type: ['string', 'null'], description: 'The site of every line, or null when routed by virtual host' },
    lines: { type: 'integer', description: 'Lines read' },
    accepted: { type: 'integer', description: 'Lines counted' },
    rejected: {
      type: 'object',
      required: ['lines', 'reasons'],
      additionalProperties: false,
      properties: { lines: { type: 'integer' }, reasons: { type: 'object', additionalProperties: { type: 'integer' } } },
    },
    sites: { type: 'array', items: { type: 'string' }, description: 'Sites that received data' },
    format: { type: 'string', description: 'Log format used (detected or configured)' },
  },
} as const;

export interface IngestResult {
  site: string | null;
  lines: number;
  accepted: number;
  rejected: { lines: number; reasons: Record<string, number> };
  sites: string[];
  format: string;
}

function result(site: string | null, s: IngestSummary): IngestResult {
  const reasons: Record<string, number> = {};
  for (const k of Object.keys(s.rejected).sort()) reasons[k] = s.rejected[k as keyof typeof s.rejected] ?? 0;
  return { site, lines: s.lines, accepted: s.parsed, rejected: { lines: s.lines - s.parsed, reasons }, sites: s.sites, format: Object.values(s.formats)[0] ?? '' };
}

export async function ingestRoutes(app: FastifyInstance, deps: ServerDeps): Promise<void> {
  // Every body stays an unread stream here; this scope only (fastify encapsulation).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

  async function ingest(request: FastifyRequest, reply: FastifyReply, site: string | null): Promise<IngestResult> {
    const arrived = Date.now();
    // Whatever happens, a half-read body must not be parsed as the next request.
    reply.header('connection', 'close');
    let stream: Readable | null = null;
    try {
      if (deps.state.closing) throw appError('ERR_SERVER_CLOSING');
      if (deps.metrics.ingestsQueued >= deps.limits.maxQueuedIngests) {
        // Bounded queue: a shipper is told to come back instead of piling up open requests.
        reply.header('retry-after', '5');
        throw appError('ERR_INGEST_BUSY', deps.metrics.ingestsQueued);
      }
      const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (!TEXT_TYPES.has(type)) throw appError('ERR_INGEST_MEDIA_TYPE', `content type ${type.slice(0, 60)}`);
      const encoding = (request.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
      const gzip = encoding === 'gzip' || encoding === 'x-gzip';
      if (!gzip && encoding !== 'identity') throw appError('ERR_INGEST_MEDIA_TYPE', `content encoding ${encoding.slice(0, 60)}`);
      const declared = Number(request.headers['content-length']);
      if (Number.isFinite(declared) && declared > deps.limits.maxBodyBytes) throw appError('ERR_INGEST_TOO_LARGE', deps.limits.maxBodyBytes);

      stream = openBody(request, reply, gzip, deps);
      const summary = await deps.ingest.run({ stream, site, arrived });
      deps.metrics.countIngest('ok');
      return result(site, summary);
    } catch (e) {
      // When the body failed (a limit, a timeout, gzip that is not, the client gone), that is the
      // answer, whichever stage noticed it first and however it reported it.
      const err = (stream !== null ? bodyError(stream) : null) ?? (isAppError(e) ? e : appError('ERR_INTERNAL', (e as Error).message));
      deps.metrics.countIngest(err.code);
      if (err.code === 'ERR_SOURCE_READ') throw appError('ERR_INGEST_BODY', err.message.replace(/^error reading http: /, ''));
      throw err;
    }
  }

  const common = {
    tags: ['ingest'],
    security: [{ bearer: [] }],
    consumes: ['text/plain'],
    headers: {
      type: 'object',
      properties: { 'content-encoding': { type: 'string', description: 'identity or gzip' } },
    },
    response: { 200: resultSchema, ...errorResponses, 413: { $ref: 'weblog-error#' }, 415: { $ref: 'weblog-error#' }, 503: { $ref: 'weblog-error#' } },
  };
  const config = {
    access: 'operator' as const,
    bearerOnly: true,
    rateLimit: { max: deps.limits.ingestPerMinute, timeWindow: 60_000 },
  };

  app.post<{ Params: { site: string } }>(
    '/ingest/:site',
    {
      config: { ...config, siteScope: 'ingest' as const },
      schema: { ...common, summary: 'Ingest access-log lines for one site', params: siteParams },
    },
    async (request, reply) => ingest(request, reply, request.site),
  );

  app.post(
    '/ingest',
    { config, schema: { ...common, summary: 'Ingest access-log lines, each routed to a site by its virtual host' } },
    async (request, reply) => ingest(request, reply, null),
  );
}
