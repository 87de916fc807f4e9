/**
 * The records that flow through the data path, left to right:
 *
 *   source → parse (ParsedLine) → enrich (Enrichment) → anonymise (AnonHit) → aggregate → store
 *
 * Privacy is carried by the types. Everything that can identify a person (client IP, RFC 2617
 * user name, X-Forwarded-For) exists only as `RawIp`/`RawUser`, and only on `ParsedLine`.
 * `AnonHit` has no field of those types and can only be built by the anonymise stage (its brand
 * is a unique symbol that no other module can name), and the aggregate stage and the Store accept
 * nothing else. So a raw value cannot reach the store by mistake: the compiler refuses it.
 *
 * Hot-path records are reused objects filled in place (pino's lesson: few allocations per line).
 * Text fields hold *byte strings*: the line is decoded as latin1, so one char is one byte, offsets
 * are byte offsets, and bytes that are not UTF-8 survive untouched. They are turned into display
 * text (UTF-8, invalid bytes as \xHH) once per distinct value, when a value is interned.
 */

export * from './line-fields.js';

declare const rawIpBrand: unique symbol;
declare const rawUserBrand: unique symbol;

/** A client address as the log wrote it. Only parse, enrich and anonymise may hold one. */
export type RawIp = string & { readonly [rawIpBrand]: true };
/** An RFC 2617 user name (`%u`) as the log wrote it. Only parse and anonymise may hold one. */
export type RawUser = string & { readonly [rawUserBrand]: true };

/** One parsed log line. Reused: the parser overwrites it for every line. */
export interface ParsedLine {
  /** Client address ('' when the line has none). IPv6 in the log's spelling. */
  ip: RawIp;
  /** The `X-Forwarded-For` value when the format has one, else ''. */
  forwardedFor: RawIp;
  /** RFC 2617 user name, '' for `-`. */
  user: RawUser;
  /** Unix time in seconds (UTC), from the timestamp and its offset. */
  time: number;
  /** Calendar date as written in the line (local to the server), 'YYYY-MM-DD'. */
  date: string;
  /** Hour of day as written in the line, 0–23. */
  hour: number;
  /** HTTP method ('' when the request line is `-`, empty or junk). */
  method: string;
  /** URL path, undecoded byte string ('' when the request line is unusable). */
  path: string;
  /** Query string without '?', '' when none. */
  query: string;
  /** Protocol, e.g. 'HTTP/1.1', '' when absent. */
  protocol: string;
  /** HTTP status, 0 when the log wrote `-`. */
  status: number;
  /** Response bytes, 0 for `-`. */
  bytes: number;
  /** Referer header, '' for `-` or empty. */
  referrer: string;
  /** User-Agent header, '' for `-` or empty. */
  userAgent: string;
  /** Virtual host (`%v`, `$host`, `$server_name`) without port, lower-cased; '' when absent. */
  vhost: string;
  /** 'http' for web servers, 'ftp' for xferlog transfers. */
  channel: 'http' | 'ftp';
}

export function emptyParsedLine(): ParsedLine {
  return {
    ip: '' as RawIp,
    forwardedFor: '' as RawIp,
    user: '' as RawUser,
    time: 0,
    date: '',
    hour: 0,
    method: '',
    path: '',
    query: '',
    protocol: '',
    status: 0,
    bytes: 0,
    referrer: '',
    userAgent: '',
    vhost: '',
    channel: 'http',
  };
}

/** Why a line was rejected. Stable identifiers: they appear in reports and metrics. */
export type RejectReason =
  | 'empty'
  | 'too_long'
  | 'bad_ip'
  | 'bad_time'
  | 'bad_status'
  | 'bad_bytes'
  | 'bad_quote'
  | 'missing_field'
  | 'trailing_garbage'
  | 'no_site'
  | 'format_mismatch'
  | 'bad_duration';

export const REJECT_REASONS: readonly RejectReason[] = [
  'empty',
  'too_long',
  'bad_ip',
  'bad_time',
  'bad_status',
  'bad_bytes',
  'bad_quote',
  'missing_field',
  'trailing_garbage',
  'no_site',
  'format_mismatch',
  // Appended, never inserted: a byte parser's reject code is index + 1 into this list.
  'bad_duration',
];

/** What enrichment learns about a line. Values are shared, cached objects: never mutate them. */
export interface UaInfo {
  readonly browser: string;
  readonly os: string;
  readonly device: string;
  readonly bot: boolean;
  /** "<browser> <major>" (e.g. "Chrome 120"), '' when the version is unknown. */
  readonly browserVersion: string;
  /** "<os> <version>" (e.g. "Windows 10", "Mac OS 10.15", "iOS 17"), '' when unknown. */
  readonly osVersion: string;
}

export type ReferrerKind = 'none' | 'internal' | 'external' | 'search' | 'social';

export interface ReferrerInfo {
  readonly kind: ReferrerKind;
  /** Scrubbed referrer URL: scheme, host and path (no query, no userinfo); '' for none/internal. */
  readonly url: string;
  /** Referring host, lower-cased, without `www.`; '' for none/internal. */
  readonly site: string;
  /** Search engine or social network name, '' otherwise. */
  readonly engine: string;
  /** Search term (lower-cased, whitespace folded) when a known engine carried one, else ''. */
  readonly term: string;
  /** Known referrer-spam domain. */
  readonly spam: boolean;
  /** The referring host without `www.`, as compared with a site's own host names ('' for none). */
  readonly host: string;
}

/**
 * What the enrich stage adds to a line. The country is not here: it depends on the address only,
 * so the anonymiser looks it up once per address and day, with the address's other derived
 * values (AnonymiserOptions.countryOf), instead of a second per-line lookup by address.
 */
export interface Enrichment {
  ua: UaInfo;
  referrer: ReferrerInfo;
}

declare const anonHitBrand: unique symbol;

/**
 * The only record that may pass the anonymise stage. It carries no raw identifier:
 * `ipKey` and `userKey` are what the privacy policy allows to be shown (full, masked, pseudonym
 * or ''), and `visitor` is a keyed hash used only to count distinct visitors.
 * Reused: the anonymiser overwrites it for every line.
 */
export interface AnonHit {
  readonly [anonHitBrand]: true;
  ipKey: string;
  userKey: string;
  /** Keyed 52-bit hash of (policy IP, User-Agent): counts unique visitors and visits. */
  visitor: number;
  /** Counts towards unique visitors (GoAccess excludes 4xx unless configured). */
  countsAsVisitor: boolean;
  time: number;
  date: string;
  hour: number;
  method: string;
  /** URL path (scrubbed per policy), '' when the request line was unusable. */
  path: string;
  status: number;
  bytes: number;
  page: boolean;
  ua: UaInfo;
  referrer: ReferrerInfo;
  country: string;
  channel: 'http' | 'ftp';
}

/** Construction is reserved to the anonymise stage; see src/anonymise/anonymiser.ts. */
export type AnonHitFields = Omit<AnonHit, typeof anonHitBrand>;
