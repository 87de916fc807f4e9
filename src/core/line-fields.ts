/**
 * The byte-level record of one parsed line: text fields are [start, end) ranges into the bytes
 * the parser was given (or into the parser's scratch bytes when a value had to be rewritten),
 * numbers are numbers. One LineFields is reused for every line: a parse allocates nothing in the
 * common case.
 *
 * It holds raw data (client address, user name, X-Forwarded-For): like RawIp and RawUser, only
 * parse, enrich and anonymise may hold one (test/unit/privacy-boundary.test.ts).
 */

/** Client (%h/%a, $remote_addr, xferlog host, Caddy client_ip): an IP literal or a host name. */
export const F_IP = 0;
/** X-Forwarded-For value when the format has it. */
export const F_XFF = 1;
/** RFC 2617 user (%u, $remote_user, xferlog user, Caddy user_id); '-' is empty. */
export const F_USER = 2;
/** The request line as written (%r, $request), unescaped; empty when the format has none. */
export const F_REQUEST = 3;
export const F_METHOD = 4;
/** Path without query, undecoded. */
export const F_PATH = 5;
/** Query without '?'. */
export const F_QUERY = 6;
export const F_PROTOCOL = 7;
export const F_REFERRER = 8;
export const F_UA = 9;
/** Lower-cased, port dropped ('[v6]:p' keeps its brackets). */
export const F_VHOST = 10;
export const TEXT_FIELDS = 11;

/** Names of the text fields by index, for messages and tests. */
export const TEXT_FIELD_NAMES = ['ip', 'xff', 'user', 'request', 'method', 'path', 'query', 'protocol', 'referrer', 'ua', 'vhost'] as const;

export const CHANNEL_HTTP = 0;
export const CHANNEL_FTP = 1;

declare const lineFieldsBrand: unique symbol;

/** One parsed line; reused, every field reset by each parse. */
export class LineFields {
  declare readonly [lineFieldsBrand]: true;
  /** Bytes the ranges point into when inScratch[f] === 0: the buffer given to parse(). */
  src: Uint8Array = new Uint8Array(0);
  /** Parser-owned bytes for values that had to be rewritten (unescaped, lower-cased, constants). */
  scratch: Uint8Array = new Uint8Array(1024);
  /** Bytes of `scratch` in use by the current line. */
  scratchUsed = 0;
  /** TEXT_FIELDS entries; an absent or '-' field has start === end. */
  readonly start = new Int32Array(TEXT_FIELDS);
  readonly end = new Int32Array(TEXT_FIELDS);
  readonly inScratch = new Uint8Array(TEXT_FIELDS);
  /** F_IP holds a DNS host name (Apache HostnameLookups On), not an address literal. */
  clientIsName = false;
  /** Unix seconds, UTC (from the timestamp and its offset). */
  time = 0;
  /** The calendar date as written in the line, as days since 1970-01-01. */
  day = 0;
  /** 0-23 as written. */
  hour = 0;
  /** 100-599, 0 for '-'. */
  status = 0;
  /** 0 for '-'. */
  bytes = 0;
  /** Microseconds the request took; -1 when the format has no such field or it was '-'. */
  timeTakenUs = -1;
  /** CHANNEL_HTTP or CHANNEL_FTP (xferlog). */
  channel = CHANNEL_HTTP;
}

export interface ByteLineParser {
  /** Name of the format, e.g. 'combined' or 'apache:<template>'. */
  readonly format: string;
  /** True when lines carry a vhost (then routing by vhost is possible). */
  readonly hasVhost: boolean;
  /**
   * Parse src[start, end): one line without its '\n' (a trailing '\r' is stripped). Returns 0
   * when parsed, else a reject code: index + 1 into REJECT_REASONS. Never throws, never
   * allocates per line in the common case (no strings, no subarrays, no objects).
   */
  parse(src: Uint8Array, start: number, end: number, out: LineFields): number;
}
