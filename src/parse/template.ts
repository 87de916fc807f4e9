/**
 * The template engine shared by Apache LogFormat and nginx log_format. A format is compiled once
 * into a flat list of steps (literal, quoted field, field up to the next literal, self-delimited
 * time); `parse` runs them with indexOf/charCodeAt over the line. No regex, no per-line objects
 * beyond the field slices, no throwing.
 */
import type { ParsedLine, RawIp, RejectReason } from '../core/record.js';
import { appError } from '../core/errors.js';
import type { LineParser } from './parser.js';
import { isIp } from './ip.js';
import { unescapeRange } from './escape.js';
import { splitRequest, splitTarget } from './request-line.js';
import {
  DateCache,
  DayCache,
  HAS_DAY,
  HAS_EPOCH,
  HAS_MONTH,
  HAS_YEAR,
  TimeParts,
  parseClfTime,
  parseEpoch,
  parseIsoTime,
  runStrftime,
  setEpochTime,
  type StrftimeProgram,
  type TimeTarget,
} from './time.js';
import {
  MAX_LINE_LENGTH,
  isBlank,
  isDash,
  parseBytes,
  parseStatus,
  resetParsedLine,
  textField,
  vhostField,
} from './fields.js';

// What a field's value is used for.
export const K_IGNORE = 0;
export const K_IP = 1;
export const K_USER = 2;
export const K_REQUEST = 3;
export const K_METHOD = 4;
/** A path without query (%U, $uri). */
export const K_PATH = 5;
/** A query with its leading '?' or '' (%q). */
export const K_QUERY_Q = 6;
/** A query without '?' ($args). */
export const K_QUERY = 7;
/** Path and query ($request_uri). */
export const K_REQUEST_URI = 8;
export const K_PROTOCOL = 9;
export const K_STATUS = 10;
export const K_BYTES = 11;
export const K_REFERRER = 12;
export const K_USER_AGENT = 13;
export const K_FORWARDED_FOR = 14;
export const K_VHOST = 15;
export const K_TIME_CLF = 16;
export const K_TIME_ISO = 17;
export const K_TIME_EPOCH = 18;
export const K_TIME_STRF = 19;

export interface FieldToken {
  readonly t: 'field';
  kind: number;
  /** As written in the format, for error messages. */
  readonly name: string;
  /** Among fields feeding the same value, the highest rank wins (ties: the first). */
  readonly rank: number;
  /** The value never contains a space (so a last field ends at the first space). */
  token: boolean;
  /** A port (%p, $server_port): joins a preceding `vhost:` into one field. */
  readonly port: boolean;
  /** Epoch divisor for K_TIME_EPOCH. */
  readonly scale: number;
  readonly strf: StrftimeProgram | null;
  /** A time field that lost to another one: still parsed (to find its end), result dropped. */
  discard: boolean;
}

export interface LiteralToken {
  readonly t: 'lit';
  text: string;
}

export type TemplateToken = FieldToken | LiteralToken;

export function lit(text: string): LiteralToken {
  return { t: 'lit', text };
}

export function field(
  name: string,
  kind: number,
  opts: { rank?: number; token?: boolean; port?: boolean; scale?: number; strf?: StrftimeProgram } = {},
): FieldToken {
  return {
    t: 'field',
    kind,
    name,
    rank: opts.rank ?? 1,
    token: opts.token ?? false,
    port: opts.port ?? false,
    scale: opts.scale ?? 1,
    strf: opts.strf ?? null,
    discard: false,
  };
}

const S_LIT = 0;
const S_DELIM = 1;
const S_QUOTED = 2;
const S_TIME = 3;

/** One compiled step. All steps share one shape so the scanner's loop stays monomorphic. */
class Step {
  constructor(
    readonly type: number,
    readonly kind: number,
    /** S_LIT: the text; S_DELIM: the literal that ends the field ('' = end of line); S_QUOTED: what must follow the closing quote. */
    readonly text: string,
    readonly token: boolean,
    readonly scale: number,
    readonly strf: StrftimeProgram | null,
    readonly discard: boolean,
    public last: boolean,
  ) {}
}

export interface TemplateOptions {
  /** The parser's `format` name. */
  readonly format: string;
  /** Extra space-separated fields after the last one are ignored (combined-style presets). */
  readonly allowTrailing: boolean;
}

function badTemplate(why: string): Error {
  return appError('ERR_PARSE_BAD_TEMPLATE', why);
}

function isTimeKind(k: number): boolean {
  return k === K_TIME_CLF || k === K_TIME_ISO || k === K_TIME_EPOCH || k === K_TIME_STRF;
}

/** Which single value a kind feeds (fields of one group compete by rank). */
function groupOf(k: number): number {
  switch (k) {
    case K_QUERY_Q:
      return K_QUERY;
    default:
      return k;
  }
}

/** Keeps one winner per value so a format with `%h` and `%a` (say) is well defined. */
function resolveCompetition(fields: FieldToken[]): void {
  const hasRequest = fields.some((f) => f.kind === K_REQUEST);
  const hasRequestUri = fields.some((f) => f.kind === K_REQUEST_URI);
  for (const f of fields) {
    // %r / $request is the raw request: it beats the decoded %U/$uri and the separate parts.
    if (hasRequest && (f.kind === K_METHOD || f.kind === K_PATH || f.kind === K_QUERY || f.kind === K_QUERY_Q || f.kind === K_REQUEST_URI || f.kind === K_PROTOCOL)) {
      f.kind = K_IGNORE;
    } else if (!hasRequest && hasRequestUri && (f.kind === K_PATH || f.kind === K_QUERY || f.kind === K_QUERY_Q)) {
      f.kind = K_IGNORE;
    }
  }
  // Time: one of %t / $time_local / $time_iso8601 / $msec wins; strftime parts combine otherwise.
  const mainTime = fields.find((f) => f.kind === K_TIME_CLF || f.kind === K_TIME_ISO || f.kind === K_TIME_EPOCH);
  if (mainTime !== undefined) {
    for (const f of fields) {
      if (f === mainTime || !isTimeKind(f.kind)) continue;
      if (f.kind === K_TIME_EPOCH) f.kind = K_IGNORE;
      else f.discard = true;
    }
  }
  const best = new Map<number, FieldToken>();
  for (const f of fields) {
    if (f.kind === K_IGNORE || isTimeKind(f.kind)) continue;
    const g = groupOf(f.kind);
    const cur = best.get(g);
    if (cur === undefined || f.rank > cur.rank) best.set(g, f);
  }
  for (const f of fields) {
    if (f.kind === K_IGNORE || isTimeKind(f.kind)) continue;
    if (best.get(groupOf(f.kind)) !== f) f.kind = K_IGNORE;
  }
}

/** A line that stops inside an expected literal is short ('missing_field'), else it differs. */
function literalMismatch(line: string, pos: number, text: string): RejectReason {
  let k = 0;
  while (pos + k < line.length && k < text.length && line.charCodeAt(pos + k) === text.charCodeAt(k)) k++;
  return pos + k === line.length ? 'missing_field' : 'format_mismatch';
}

/** Parses lines of one compiled format. */
export class TemplateParser implements LineParser {
  readonly format: string;
  readonly hasVhost: boolean;
  readonly #steps: readonly Step[];
  readonly #allowTrailing: boolean;
  readonly #hasStrf: boolean;
  readonly #dateCache = new DateCache();
  readonly #dayCache = new DayCache();
  readonly #parts = new TimeParts();
  readonly #scratchParts = new TimeParts();
  readonly #scratchTime: TimeTarget = { time: 0, date: '', hour: 0 };
  readonly #scratchCache = new DateCache();
  /** Position of the next backslash at or after the scan position, -1 when none is left. */
  #bs = -1;
  /** Whether the last quoted field scanned had a backslash. */
  #quotedEscaped = false;

  constructor(tokens: readonly TemplateToken[], opts: TemplateOptions) {
    this.format = opts.format;
    this.#allowTrailing = opts.allowTrailing;
    // Work on copies: compiling mutates tokens (demotion, consumed quotes).
    const toks: TemplateToken[] = [];
    for (const t of tokens) {
      const c: TemplateToken = { ...t };
      const prev = toks[toks.length - 1];
      if (c.t === 'lit' && prev !== undefined && prev.t === 'lit') prev.text += c.text;
      else if (c.t !== 'lit' || c.text !== '') toks.push(c);
    }
    const fields = toks.filter((t): t is FieldToken => t.t === 'field');
    if (fields.length === 0) throw badTemplate('the format has no fields');
    resolveCompetition(fields);

    const timeFields = fields.filter((f) => isTimeKind(f.kind) && !f.discard);
    if (timeFields.length === 0) throw badTemplate('the format has no time field (%t, $time_local, $time_iso8601 or $msec)');
    if (timeFields[0]!.kind === K_TIME_STRF) {
      let provides = 0;
      for (const f of timeFields) provides |= f.strf!.provides;
      const date = HAS_YEAR | HAS_MONTH | HAS_DAY;
      if ((provides & HAS_EPOCH) === 0 && (provides & date) !== date) {
        throw badTemplate('the time fields do not give a full date (year, month and day)');
      }
    }
    this.#hasStrf = timeFields.some((f) => f.kind === K_TIME_STRF);

    // `%v:%p` / `$host:$server_port`: read as one field, so a vhost written without a port fits too.
    for (let i = 0; i + 2 < toks.length; i++) {
      const a = toks[i]!;
      const b = toks[i + 1]!;
      const c = toks[i + 2]!;
      const d = toks[i + 3];
      if (a.t === 'field' && a.kind === K_VHOST && b.t === 'lit' && b.text === ':' && c.t === 'field' && c.port && (d === undefined || (d.t === 'lit' && d.text.startsWith(' ')))) {
        a.token = true;
        toks.splice(i + 1, 2);
      }
    }

    const steps: Step[] = [];
    for (let i = 0; i < toks.length; i++) {
      const tk = toks[i]!;
      if (tk.t === 'lit') {
        if (tk.text !== '') steps.push(new Step(S_LIT, K_IGNORE, tk.text, false, 1, null, false, false));
        continue;
      }
      const prev = toks[i - 1];
      const next = toks[i + 1];
      if (tk.kind === K_TIME_CLF || tk.kind === K_TIME_ISO || tk.kind === K_TIME_STRF) {
        steps.push(new Step(S_TIME, tk.kind, '', true, 1, tk.strf, tk.discard, false));
        continue;
      }
      if (prev !== undefined && prev.t === 'lit' && prev.text.endsWith('"') && next !== undefined && next.t === 'lit' && next.text.startsWith('"')) {
        // The quoted field consumes its closing quote, so the scanner can verify what follows it.
        next.text = next.text.slice(1);
        steps.push(new Step(S_QUOTED, tk.kind, next.text, false, tk.scale, null, false, false));
        continue;
      }
      if (next === undefined) {
        steps.push(new Step(S_DELIM, tk.kind, '', tk.token, tk.scale, null, false, false));
        continue;
      }
      if (next.t === 'field') throw badTemplate(`${tk.name} and ${next.name} have nothing between them`);
      steps.push(new Step(S_DELIM, tk.kind, next.text, tk.token, tk.scale, null, false, false));
    }
    steps[steps.length - 1]!.last = true;
    this.#steps = steps;
    this.hasVhost = fields.some((f) => f.kind === K_VHOST);
  }

  parse(line: string, out: ParsedLine): RejectReason | null {
    resetParsedLine(out);
    let len = line.length;
    if (len > MAX_LINE_LENGTH) return 'too_long';
    if (len > 0 && line.charCodeAt(len - 1) === 13) line = line.slice(0, --len);
    if (len === 0 || ((line.charCodeAt(0) === 32 || line.charCodeAt(0) === 9) && isBlank(line))) return 'empty';
    this.#bs = line.indexOf('\\');
    if (this.#hasStrf) this.#parts.reset();
    const steps = this.#steps;
    let pos = 0;
    for (let k = 0; k < steps.length; k++) {
      const st = steps[k]!;
      switch (st.type) {
        case S_LIT:
          if (!line.startsWith(st.text, pos)) return literalMismatch(line, pos, st.text);
          pos += st.text.length;
          break;
        case S_DELIM: {
          let e: number;
          if (st.text === '') {
            e = len;
            if (st.token) {
              const sp = line.indexOf(' ', pos);
              if (sp !== -1) e = sp;
            }
          } else if (st.token && st.text.charCodeAt(0) === 32) {
            // A token ends at the first space; the literal step then checks the rest.
            e = line.indexOf(' ', pos);
            if (e === -1) return 'missing_field';
          } else {
            e = line.indexOf(st.text, pos);
            if (e === -1) return 'missing_field';
          }
          const r = this.#apply(st, line, pos, e, this.#escapedIn(line, pos, e), out);
          if (r !== null) return r;
          pos = e;
          break;
        }
        case S_QUOTED: {
          const close = this.#findClose(line, pos, len, st);
          if (close === -1) {
            if (!st.last) return 'bad_quote';
            // GoAccess's leniency: the last quoted field may lack its closing quote.
            const r = this.#apply(st, line, pos, len, this.#quotedEscaped, out);
            if (r !== null) return r;
            pos = len;
          } else {
            const r = this.#apply(st, line, pos, close, this.#quotedEscaped, out);
            if (r !== null) return r;
            pos = close + 1;
          }
          break;
        }
        default: {
          if (pos >= len) return 'missing_field';
          let e: number;
          if (st.kind === K_TIME_CLF) e = parseClfTime(line, pos, st.discard ? this.#scratchTime : out, st.discard ? this.#scratchCache : this.#dateCache);
          else if (st.kind === K_TIME_ISO) e = parseIsoTime(line, pos, st.discard ? this.#scratchTime : out, st.discard ? this.#scratchCache : this.#dateCache);
          else e = runStrftime(st.strf!, line, pos, st.discard ? this.#scratchParts : this.#parts);
          if (e === -1) return 'bad_time';
          pos = e;
          break;
        }
      }
    }
    if (pos < len) {
      if (!(this.#allowTrailing && line.charCodeAt(pos) === 32)) {
        for (let i = pos; i < len; i++) {
          const c = line.charCodeAt(i);
          if (c !== 32 && c !== 9) return 'trailing_garbage';
        }
      }
    }
    if (this.#hasStrf && !this.#parts.finish(out, this.#dayCache)) return 'bad_time';
    return null;
  }

  /** Whether line[start, end) holds a backslash; advances the backslash cursor (positions only grow). */
  #escapedIn(line: string, start: number, end: number): boolean {
    let b = this.#bs;
    if (b === -1) return false;
    if (b < start) {
      b = line.indexOf('\\', start);
      this.#bs = b;
    }
    return b !== -1 && b < end;
  }

  /**
   * Index of the quote that closes a quoted field starting at `pos`: the first unescaped `"`
   * that is followed by what the format expects next (so an unescaped quote inside the value,
   * as old servers write them, does not end it early). -1 when there is none (for the last
   * field: when it has no unescaped quote at all). Linear: both the quote and the backslash
   * cursors only move forward.
   */
  #findClose(line: string, pos: number, len: number, st: Step): number {
    this.#quotedEscaped = false;
    let q = line.indexOf('"', pos);
    let b = this.#bs;
    if (b !== -1 && b < pos) b = line.indexOf('\\', pos);
    let close = -1;
    let firstQuote = -1;
    for (;;) {
      if (b !== -1 && (q === -1 || b < q)) {
        // A backslash escapes the next char, which may be the quote.
        this.#quotedEscaped = true;
        const i = b + 2;
        if (q !== -1 && q < i) q = line.indexOf('"', i);
        b = i < len ? line.indexOf('\\', i) : -1;
        continue;
      }
      if (q === -1) break;
      if (firstQuote === -1) firstQuote = q;
      const after = q + 1;
      const follows = st.last
        ? after === len || line.charCodeAt(after) === 32 || line.charCodeAt(after) === 9
        : st.text === '' || line.startsWith(st.text, after);
      if (follows) {
        close = q;
        break;
      }
      q = line.indexOf('"', after);
    }
    this.#bs = b;
    // The last field has quotes but none fits: take the first, and let the trailing check judge.
    if (close === -1 && st.last) return firstQuote;
    return close;
  }

  #apply(st: Step, line: string, s: number, e: number, esc: boolean, out: ParsedLine): RejectReason | null {
    switch (st.kind) {
      case K_IGNORE:
        return null;
      case K_IP:
        if (!isIp(line, s, e)) return 'bad_ip';
        out.ip = line.slice(s, e) as RawIp;
        return null;
      case K_USER:
        out.user = textField(line, s, e, esc) as ParsedLine['user'];
        return null;
      case K_REQUEST:
        if (esc) {
          const v = unescapeRange(line, s, e);
          splitRequest(v, 0, v.length, out);
        } else splitRequest(line, s, e, out);
        return null;
      case K_METHOD:
        out.method = textField(line, s, e, esc);
        return null;
      case K_PATH:
        out.path = textField(line, s, e, esc);
        return null;
      case K_QUERY_Q:
        out.query = textField(line, line.charCodeAt(s) === 63 ? s + 1 : s, e, esc);
        return null;
      case K_QUERY:
        out.query = textField(line, s, e, esc);
        return null;
      case K_REQUEST_URI:
        if (isDash(line, s, e)) return null;
        if (esc) {
          const v = unescapeRange(line, s, e);
          splitTarget(v, 0, v.length, out);
        } else splitTarget(line, s, e, out);
        return null;
      case K_PROTOCOL:
        out.protocol = textField(line, s, e, esc);
        return null;
      case K_STATUS: {
        const v = parseStatus(line, s, e);
        if (v < 0) return 'bad_status';
        out.status = v;
        return null;
      }
      case K_BYTES: {
        const v = parseBytes(line, s, e);
        if (v < 0) return 'bad_bytes';
        out.bytes = v;
        return null;
      }
      case K_REFERRER:
        out.referrer = textField(line, s, e, esc);
        return null;
      case K_USER_AGENT:
        out.userAgent = textField(line, s, e, esc);
        return null;
      case K_FORWARDED_FOR:
        out.forwardedFor = textField(line, s, e, esc) as RawIp;
        return null;
      case K_VHOST: {
        const v = vhostField(line, s, e, esc);
        if (v === null) return 'format_mismatch';
        out.vhost = v;
        return null;
      }
      case K_TIME_EPOCH: {
        const v = parseEpoch(line, s, e, st.scale);
        if (Number.isNaN(v)) return 'bad_time';
        setEpochTime(v, out, this.#dayCache);
        return null;
      }
      default:
        return null;
    }
  }
}
