/**
 * JSON schemas shared by the routes. Response schemas are output allow-lists (fastify serialises
 * only what they name), so the report schema lists the contract's fields in the contract's order
 * (report/build.ts): the API's JSON is the CLI's `--format json`, field for field.
 */
import { FTP_LISTS, TOP_LISTS } from '../report/index.js';

const int = { type: 'integer' } as const;
const str = { type: 'string' } as const;

export const topRowSchema = {
  type: 'object',
  required: ['key', 'hits', 'bytes'],
  additionalProperties: false,
  properties: { key: str, hits: int, bytes: int },
} as const;

const num = { type: 'number' } as const;

export const slowRowSchema = {
  type: 'object',
  required: ['key', 'hits', 'bytes', 'totalMs', 'avgMs', 'maxMs'],
  additionalProperties: false,
  properties: { key: str, hits: int, bytes: int, totalMs: num, avgMs: num, maxMs: num },
} as const;

const rowsOf = (lists: readonly string[]) => ({
  type: 'object',
  required: [...lists],
  additionalProperties: false,
  properties: Object.fromEntries(
    lists.map((l) => [l, { type: 'array', items: l === 'slowPages' ? slowRowSchema : { $ref: 'weblog-top-row#' } }]),
  ),
});

const totalsSchema = {
  type: 'object',
  required: ['hits', 'visitors', 'visits', 'pages', 'ips', 'bytes', 'bots', 'bounces', 'visitSeconds'],
  additionalProperties: false,
  properties: { hits: int, visitors: int, visits: int, pages: int, ips: int, bytes: int, bots: int, bounces: int, visitSeconds: int },
} as const;

const counter = { type: 'object', required: ['hits', 'bytes'], additionalProperties: false, properties: { hits: int, bytes: int } } as const;

export const reportSchema = {
  $id: 'weblog-report',
  title: 'Report',
  description: 'The report contract (docs/report-contract.md); identical to `weblog report --format json`.',
  type: 'object',
  required: ['site', 'from', 'to', 'totals', 'days', 'months', 'top', 'others', 'ftp', 'rejected', 'meta', 'previous', 'undeduplicatedDays'],
  additionalProperties: false,
  properties: {
    site: str,
    from: str,
    to: str,
    totals: totalsSchema,
    days: {
      type: 'array',
      items: {
        type: 'object',
        required: ['date', 'hits', 'visitors', 'visits', 'pages', 'bytes'],
        additionalProperties: false,
        properties: { date: str, hits: int, visitors: int, visits: int, pages: int, bytes: int },
      },
    },
    months: {
      type: 'array',
      items: {
        type: 'object',
        required: ['month', 'hits', 'visitors', 'visits', 'pages', 'bytes'],
        additionalProperties: false,
        properties: { month: str, hits: int, visitors: int, visits: int, pages: int, bytes: int },
      },
    },
    top: rowsOf(TOP_LISTS),
    others: {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries([...TOP_LISTS, ...FTP_LISTS].map((l) => [l, counter])),
    },
    ftp: {
      type: 'object',
      required: ['transfers', 'bytes', 'top'],
      additionalProperties: false,
      properties: { transfers: int, bytes: int, top: rowsOf(FTP_LISTS) },
    },
    rejected: {
      type: 'object',
      required: ['lines', 'reasons'],
      additionalProperties: false,
      properties: { lines: int, reasons: { type: 'object', additionalProperties: int } },
    },
    meta: {
      type: 'object',
      required: ['ipPolicy', 'userPolicy', 'attribution', 'privacy'],
      additionalProperties: false,
      properties: {
        ipPolicy: str,
        userPolicy: str,
        attribution: { type: 'array', items: str },
        privacy: {
          type: 'object',
          required: ['ip', 'user', 'rawWindowDays', 'threshold'],
          additionalProperties: false,
          properties: {
            ip: {
              type: 'array',
              items: {
                type: 'object',
                required: ['mode', 'v4', 'v6'],
                additionalProperties: false,
                properties: { mode: { type: 'string', enum: ['full', 'mask', 'pseudonym', 'drop'] }, v4: { type: ['integer', 'null'] }, v6: { type: ['integer', 'null'] } },
              },
            },
            user: {
              type: 'array',
              items: { type: 'object', required: ['mode'], additionalProperties: false, properties: { mode: { type: 'string', enum: ['full', 'pseudonym', 'drop'] } } },
            },
            rawWindowDays: int,
            threshold: int,
          },
        },
      },
    },
    previous: {
      type: 'object',
      nullable: true,
      required: ['from', 'to', 'totals'],
      additionalProperties: false,
      properties: { from: str, to: str, totals: totalsSchema },
    },
    undeduplicatedDays: { type: 'array', items: str },
  },
} as const;

export const errorSchema = {
  $id: 'weblog-error',
  type: 'object',
  required: ['error', 'code', 'message', 'statusCode'],
  properties: {
    error: { type: 'string', description: 'HTTP reason phrase' },
    code: { type: 'string', description: 'Stable error code (docs/errors.md)' },
    message: str,
    statusCode: int,
  },
} as const;

/** Responses every authenticated route can give, by reference. */
export const errorResponses = {
  400: { $ref: 'weblog-error#' },
  401: { $ref: 'weblog-error#' },
  403: { $ref: 'weblog-error#' },
  404: { $ref: 'weblog-error#' },
  429: { $ref: 'weblog-error#' },
} as const;

export const siteParams = {
  type: 'object',
  required: ['site'],
  properties: { site: { type: 'string', description: 'Site name (host name, case-insensitive)' } },
} as const;

export const dateString = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } as const;

export const SHARED_SCHEMAS = [{ $id: 'weblog-top-row', ...topRowSchema }, errorSchema, reportSchema] as const;
