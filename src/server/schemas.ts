/**
 * JSON schemas shared by the routes. Response schemas are output allow-lists (fastify serialises
 * only what they name), so the report schema lists the contract's fields in the contract's order
 * (report/build.ts): the API's JSON is the CLI's `--format json`, field for field.
 */
import { FTP_LISTS, TOP_LISTS } from '../report/contract.js';

const int = { type: 'integer' } as const;
const str = { type: 'string' } as const;

export const topRowSchema = {
  type: 'object',
  required: ['key', 'hits', 'bytes'],
  additionalProperties: false,
  properties: { key: str, hits: int, bytes: int },
} as const;

const rowsOf = (lists: readonly string[]) => ({
  type: 'object',
  required: [...lists],
  additionalProperties: false,
  properties: Object.fromEntries(lists.map((l) => [l, { type: 'array', items: { $ref: 'weblog-top-row#' } }])),
});

const counter = { type: 'object', required: ['hits', 'bytes'], additionalProperties: false, properties: { hits: int, bytes: int } } as const;

export const reportSchema = {
  $id: 'weblog-report',
  title: 'Report',
  description: 'The report contract (docs/report-contract.md); identical to `weblog report --format json`.',
  type: 'object',
  required: ['site', 'from', 'to', 'totals', 'days', 'top', 'others', 'ftp', 'rejected', 'meta'],
  additionalProperties: false,
  properties: {
    site: str,
    from: str,
    to: str,
    totals: {
      type: 'object',
      required: ['hits', 'visitors', 'visits', 'pages', 'ips', 'bytes', 'bots'],
      additionalProperties: false,
      properties: { hits: int, visitors: int, visits: int, pages: int, ips: int, bytes: int, bots: int },
    },
    days: {
      type: 'array',
      items: {
        type: 'object',
        required: ['date', 'hits', 'visitors', 'visits', 'pages', 'bytes'],
        additionalProperties: false,
        properties: { date: str, hits: int, visitors: int, visits: int, pages: int, bytes: int },
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
      required: ['ipPolicy', 'userPolicy', 'attribution'],
      additionalProperties: false,
      properties: { ipPolicy: str, userPolicy: str, attribution: { type: 'array', items: str } },
    },
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
