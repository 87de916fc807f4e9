/** The JSON API: the sites a caller may read, and a site's report (the CLI's JSON contract). */
import type { FastifyInstance } from 'fastify';
import { appError } from '../../core/errors.js';
import { loadReport } from '../../report/index.js';
import type { ServerDeps } from '../context.js';
import { isDate } from '../pages/range.js';
import { dateString, errorResponses, siteParams } from '../schemas.js';
import { visibleSites } from '../tenant.js';

interface ReportQuery {
  from?: string;
  to?: string;
  top: number;
  compare: boolean;
}

export async function apiRoutes(app: FastifyInstance, deps: ServerDeps): Promise<void> {
  app.get(
    '/api/sites',
    {
      schema: {
        summary: 'Sites the caller may read',
        tags: ['reports'],
        security: [{ bearer: [] }],
        response: {
          200: {
            type: 'object',
            required: ['sites'],
            additionalProperties: false,
            properties: { sites: { type: 'array', items: { type: 'string' } } },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => ({ sites: await visibleSites(request.caller!, deps) }),
  );

  app.get<{ Params: { site: string }; Querystring: ReportQuery }>(
    '/api/sites/:site/report',
    {
      schema: {
        summary: "A site's weblog for a date range: the report contract, as `weblog report --format json`",
        tags: ['reports'],
        security: [{ bearer: [] }],
        params: siteParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            from: { ...dateString, description: 'First day (default: the first day with data)' },
            to: { ...dateString, description: 'Last day (default: the last day with data)' },
            top: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 10, description: 'Rows per top list; 0 = all' },
            compare: { type: 'boolean', default: false, description: 'Also give the totals of the period of equal length just before (`previous`)' },
          },
        },
        response: { 200: { $ref: 'weblog-report#' }, ...errorResponses },
      },
    },
    async (request) => {
      const { from, to, top, compare } = request.query;
      for (const [k, v] of [['from', from], ['to', to]] as const) {
        if (v !== undefined && !isDate(v)) throw appError('ERR_REQUEST_INVALID', `${k} is not a calendar date: ${v}`);
      }
      if (from !== undefined && to !== undefined && from > to) throw appError('ERR_REQUEST_INVALID', `from ${from} is after to ${to}`);
      const report = await loadReport(deps.store, { site: request.site, from: from ?? null, to: to ?? null, top, compare });
      if (report === null) throw appError('ERR_SITE_UNKNOWN', request.site);
      return report;
    },
  );
}
