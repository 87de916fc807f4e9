/**
 * One registry of error codes (fastify's lib/errors.js pattern). Codes are stable: scripts and
 * docs/errors.md depend on them, and a retired code is never reused. Bad log lines are not
 * errors (they are counted as RejectReason); these are for config, usage, I/O and storage.
 * Messages never quote a raw log line: lines carry IPs.
 */

interface ErrorSpec {
  readonly message: string;
  readonly hint: string;
  /** Process exit code category: 2 usage/config, 1 runtime. */
  readonly exit: 1 | 2;
  /** The answer `weblog serve` gives for it; 500 when absent (a fault of the server, not the request). */
  readonly httpStatus?: number;
}

export const ERRORS = {
  ERR_USAGE: { message: '%s', hint: 'Run `weblog --help` or `weblog <command> --help`.', exit: 2, httpStatus: 400 },
  ERR_CONFIG_INVALID: {
    message: '%s',
    hint: 'Fix the named field; docs/configuration.md lists every field.',
    exit: 2,
    httpStatus: 400,
  },
  ERR_CONFIG_READ: { message: 'cannot read config %s: %s', hint: 'Check the path and its YAML/JSON syntax.', exit: 2 },
  ERR_PARSE_UNKNOWN_FORMAT: {
    message: 'unknown log format %s (known: %s)',
    hint: 'Use a preset name, or --log-format with an Apache LogFormat or nginx log_format string.',
    exit: 2,
    httpStatus: 400,
  },
  ERR_PARSE_BAD_TEMPLATE: { message: 'cannot compile log format: %s', hint: 'Check the LogFormat / log_format string.', exit: 2 },
  ERR_PARSE_NO_MATCH: {
    message: 'none of the first %s lines of %s matches format %s (%s); nothing was stored',
    hint: 'Compare --format / --log-format with the LogFormat or log_format of the web server, fix it and run the same command again.',
    exit: 1,
    httpStatus: 422,
  },
  ERR_PARSE_DETECT_FAILED: {
    message: 'could not detect the log format from the first %s lines (none of %s fits)',
    hint: 'Name it with --format NAME or --log-format STRING (`weblog ingest --help` lists the formats).',
    exit: 2,
    httpStatus: 422,
  },
  ERR_SOURCE_OPEN: { message: 'cannot open %s: %s', hint: 'Check that the file exists and is readable.', exit: 1 },
  ERR_SOURCE_IS_DIRECTORY: {
    message: '%s is a directory, not a log file',
    hint: "Name the log files in it, e.g. 'DIR/access.log*' in quotes: weblog expands the pattern and reads the files oldest first.",
    exit: 2,
    httpStatus: 400,
  },
  ERR_SOURCE_READ: { message: 'error reading %s: %s', hint: 'A truncated .gz or an I/O error; lines before it were committed.', exit: 1, httpStatus: 400 },
  ERR_SOURCE_BUSY: {
    message: 'another ingest moved this source first (it stands at byte %s, this batch started at %s)',
    hint: 'Two ingests read the same file at once; the other one counts it. Nothing was counted twice.',
    exit: 1,
  },
  ERR_INTERRUPTED: {
    message: 'stopped by a signal while waiting for %s',
    hint: 'What was committed stays (a batch counts only once its commit completed); a rerun resumes after it, so nothing is lost or counted twice.',
    exit: 1,
  },
  ERR_ENRICH_GEO_DB: { message: 'cannot open the country database %s: %s', hint: 'Pass --geo-db PATH to a .mmdb file, or --no-geo.', exit: 1 },
  ERR_STORE_OPEN: { message: 'cannot open store %s: %s', hint: 'Check --store / WEBLOG_STORE and the directory permissions.', exit: 1 },
  ERR_STORE_MISSING: {
    message: 'no store yet at %s: run `weblog ingest` first',
    hint: 'Check --store / WEBLOG_STORE; `weblog ingest --store PATH FILE` creates the store, this command only reads one.',
    exit: 1,
  },
  ERR_STORE_WRITE: {
    message: 'store write failed: %s',
    hint: 'Nothing of the failed batch was committed; rerun the same command to resume from the last checkpoint.',
    exit: 1,
  },
  ERR_STORE_BUSY: { message: 'store is locked by another writer: %s', hint: 'Wait for the other ingest to finish, or retry.', exit: 1, httpStatus: 503 },
  ERR_STORE_SCHEMA_NEWER: {
    message: 'store schema version %s is newer than this weblog supports (%s)',
    hint: 'Upgrade weblog.',
    exit: 1,
  },
  ERR_STORE_SCHEMA_OLDER: {
    message: 'store schema version %s is older than this weblog needs (%s) and the store is opened read-only',
    hint: 'Run `weblog store migrate --store PATH` once (any ingest also migrates it).',
    exit: 1,
  },
  ERR_STORE_URL: { message: 'unsupported store location %s', hint: 'Use a file path (SQLite) or clickhouse://user:pass@host:8123/database.', exit: 2 },
  ERR_SITE_UNKNOWN: { message: 'no data for site %s', hint: 'Check the site name; `weblog sites` lists them.', exit: 1, httpStatus: 404 },
  ERR_INTERNAL: { message: '%s', hint: 'This is a bug in weblog: rerun with WEBLOG_DEBUG=1 and report the stack.', exit: 1, httpStatus: 500 },
  ERR_DATA_REJECTED: {
    message: '%s of %s lines were rejected (--strict)',
    hint: 'See the reasons above; drop --strict to accept partial input.',
    exit: 1,
  },
  ERR_DATA_ALL_REJECTED: {
    message: 'every line was rejected: %s, none counted (%s)',
    hint: 'The lines do not match the log format: compare --format / --log-format with the LogFormat or log_format of the web server (the rejected lines are counted and listed above).',
    exit: 1,
    httpStatus: 422,
  },
  ERR_REPORT_UNKNOWN_TABLE: {
    message: 'unknown report table %s (known: %s)',
    hint: 'Use `days` or a list name from the report contract (urls, referrers, countries, …).',
    exit: 2,
    httpStatus: 404,
  },
  ERR_ACCOUNT_EXISTS: { message: '%s already exists', hint: 'Pick another id, or use the existing one.', exit: 1, httpStatus: 409 },
  ERR_ACCOUNT_UNKNOWN: { message: 'no such account: %s', hint: 'Create it first with `weblog customer add ID`.', exit: 1, httpStatus: 404 },
  ERR_ACCOUNT_CONFLICT: { message: '%s', hint: 'A site or host name belongs to exactly one customer; remove it there first.', exit: 1, httpStatus: 409 },
  ERR_AUTH_REQUIRED: {
    message: 'authentication required',
    hint: 'Send `Authorization: Bearer TOKEN` (see `weblog token create`) or log in.',
    exit: 1,
    httpStatus: 401,
  },
  ERR_AUTH_FORBIDDEN: { message: 'this needs the %s role', hint: 'Use a token of that role (`weblog token create --operator` for ingest).', exit: 1, httpStatus: 403 },
  ERR_AUTH_CSRF: { message: 'missing or wrong form token', hint: 'Reload the page and submit the form again.', exit: 1, httpStatus: 403 },
  ERR_NOT_FOUND: { message: 'not found: %s', hint: 'Check the URL; /docs lists the API routes.', exit: 1, httpStatus: 404 },
  ERR_REQUEST_INVALID: { message: '%s', hint: 'Fix the named parameter; /docs/json has every route schema.', exit: 2, httpStatus: 400 },
  ERR_RATE_LIMITED: { message: 'too many requests, retry in %s', hint: 'Wait and retry; log shippers should back off on 429.', exit: 1, httpStatus: 429 },
  ERR_INGEST_TOO_LARGE: {
    message: 'request body over the limit of %s bytes',
    hint: 'Send smaller chunks (Vector/Fluent Bit batch settings) or raise --max-body; nothing of this request was stored.',
    exit: 1,
    httpStatus: 413,
  },
  ERR_INGEST_MEDIA_TYPE: {
    message: 'unsupported body: %s',
    hint: 'Send text/plain log lines, optionally with Content-Encoding: gzip.',
    exit: 1,
    httpStatus: 415,
  },
  ERR_INGEST_BODY: {
    message: 'could not read the request body: %s',
    hint: 'A broken gzip stream or a dropped connection; nothing of this request was stored, send it again.',
    exit: 1,
    httpStatus: 400,
  },
  ERR_INGEST_BUSY: { message: '%s ingests are already waiting for the store', hint: 'Retry after the Retry-After seconds; log shippers should back off on 503.', exit: 1, httpStatus: 503 },
  ERR_SERVER_CLOSING: { message: 'server is shutting down', hint: 'Retry against the restarted server.', exit: 1, httpStatus: 503 },
  ERR_STORE_READ: { message: 'store read failed: %s', hint: 'Check that the store server is reachable (a ClickHouse URL: its /ping) and retry.', exit: 1 },
  ERR_LIVE_BUSY: { message: '%s live pages are open already', hint: 'The page works without live updates: reload it to see new data.', exit: 1, httpStatus: 503 },
  ERR_REQUEST_TIMEOUT: {
    message: 'request timed out: %s',
    hint: 'The upload stalled or took too long (--body-timeout, --request-timeout); nothing of this request was stored, send it again.',
    exit: 1,
    httpStatus: 408,
  },
  ERR_INGEST_EXPANDS: {
    message: 'the gzip body expands more than %s times',
    hint: 'Log text compresses far less; send it uncompressed or as ordinary gzip. Nothing of this request was stored.',
    exit: 1,
    httpStatus: 413,
  },
  ERR_PARSE_DETECT_GZIP: {
    message: 'could not detect the log format: the input is gzip-compressed',
    hint: 'Pipe it through zcat, or give the file name (weblog reads .gz files itself).',
    exit: 2,
    httpStatus: 422,
  },
  ERR_PARSE_DETECT_BINARY: {
    message: 'could not detect the log format: the input is binary, not text (%s)',
    hint: 'Check that this is an access log; weblog reads plain and .gz files, not other archives or databases.',
    exit: 2,
    httpStatus: 422,
  },
  ERR_PARSE_DETECT_JSON: {
    message: "could not detect the log format: the input is JSON lines, but not Caddy's access log",
    hint: 'JSON access logs: use --format caddy, or --log-format with nginx escape=json (docs/configuration.md).',
    exit: 2,
    httpStatus: 422,
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;
  readonly exit: 1 | 2;
  readonly httpStatus: number;

  constructor(code: ErrorCode, args: readonly (string | number)[] = [], options?: { cause?: unknown }) {
    const spec: ErrorSpec = ERRORS[code];
    let i = 0;
    super(spec.message.replace(/%s/g, () => String(args[i++] ?? '')), options);
    this.name = 'AppError';
    this.code = code;
    this.hint = spec.hint;
    this.exit = spec.exit;
    this.httpStatus = spec.httpStatus ?? 500;
  }
}

export function appError(code: ErrorCode, ...args: (string | number)[]): AppError {
  return new AppError(code, args);
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
