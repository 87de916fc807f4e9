/**
 * Caddy's JSON access log (the `http.log.access` logger, `format json`), one object per line:
 *
 *   {"level":"info","ts":1703373474.81,"logger":"http.log.access.log0","msg":"handled request",
 *    "request":{"remote_ip":"1.2.3.4","client_ip":"1.2.3.4","proto":"HTTP/2.0","method":"GET",
 *    "host":"example.com","uri":"/a?b","headers":{"User-Agent":["…"],"Referer":["…"]}},
 *    "user_id":"","duration":0.0013,"size":3609,"status":200,"resp_headers":{…}}
 *
 * Read as GoAccess's CADDY format and Matomo's importer read it: client = request.client_ip
 * (Caddy ≥ 2.7, after its trusted_proxies) else request.remote_ip (else the address of the
 * pre-2.5 request.remote_addr), vhost = request.host, the first User-Agent and Referer header,
 * time = ts. Members may come in any order; unknown ones are skipped. `ts` is epoch seconds
 * (Caddy's default); larger numbers are read as milliseconds, microseconds or nanoseconds (the
 * unix_milli_float / unix_nano time formats), a string as an ISO 8601 / RFC 3339 time; `duration`
 * is seconds (the default duration_format) or a Go duration string ("1.5ms").
 */
import {
  F_IP,
  F_METHOD,
  F_PROTOCOL,
  F_REFERRER,
  F_UA,
  F_USER,
  F_XFF,
  type ByteLineParser,
  type LineFields,
} from '../core/line-fields.js';
import { ESC_JSON, unescapeInto } from './escape.js';
import { MAX_LINE_LENGTH, isBlank, parseBytes, parseDuration, parseStatus, resetFields, setField, vhostField } from './fields.js';
import { isIp, isIpv4 } from './ip.js';
import { MAX_DEPTH, isNull, keyIs, numberValue, scanNumber, scanObject, scanString, skipValue, skipWs, stringEscaped, type MemberReader } from './json-scan.js';
import { splitTarget } from './request-line.js';
import { reserveScratch } from './scratch.js';
import { DateCache, parseIsoTime, setEpochTime } from './time.js';
import {
  R_BAD_BYTES,
  R_BAD_DURATION,
  R_BAD_IP,
  R_BAD_STATUS,
  R_BAD_TIME,
  R_EMPTY,
  R_FORMAT_MISMATCH,
  R_MISSING_FIELD,
  R_OK,
  R_TOO_LONG,
  R_TRAILING_GARBAGE,
} from './reject.js';

const key = (s: string): Uint8Array => Buffer.from(s, 'latin1');
const TS = key('ts');
const REQUEST = key('request');
const USER_ID = key('user_id');
const DURATION = key('duration');
const SIZE = key('size');
const STATUS = key('status');
const REMOTE_IP = key('remote_ip');
const CLIENT_IP = key('client_ip');
const REMOTE_ADDR = key('remote_addr');
const PROTO = key('proto');
const METHOD = key('method');
const HOST = key('host');
const URI = key('uri');
const HEADERS = key('headers');
const USER_AGENT = key('User-Agent');
const REFERER = key('Referer');
const XFF = key('X-Forwarded-For');

// Which header a header array feeds.
const H_NONE = 0;
const H_UA = 1;
const H_REFERER = 2;
const H_XFF = 3;

export class CaddyParser implements ByteLineParser {
  readonly format = 'caddy';
  readonly hasVhost = true;
  readonly #dateCache = new DateCache();
  /** Where the client candidates are, until the whole line is read (client_ip wins). */
  #clientStart = -1;
  #clientEnd = -1;
  #remoteStart = -1;
  #remoteEnd = -1;
  #hasTime = false;
  #hasStatus = false;
  /** A reject found inside a nested object (the walkers return positions). */
  #reject = R_OK;

  parse(b: Uint8Array, start: number, end: number, out: LineFields): number {
    resetFields(out, b);
    if (end - start > MAX_LINE_LENGTH) return R_TOO_LONG;
    if (end > start && b[end - 1] === 13) end--;
    if (end === start || isBlank(b, start, end)) return R_EMPTY;
    const p = skipWs(b, start, end);
    if (b[p] !== 123) return R_FORMAT_MISMATCH;
    this.#clientStart = this.#clientEnd = this.#remoteStart = this.#remoteEnd = -1;
    this.#hasTime = this.#hasStatus = false;
    this.#reject = R_OK;
    const after = this.#top(b, p, end, out);
    if (this.#reject !== R_OK) return this.#reject;
    if (after === -1) return R_FORMAT_MISMATCH;
    if (!isBlank(b, after, end)) return R_TRAILING_GARBAGE;
    if (!this.#hasTime || !this.#hasStatus) return R_MISSING_FIELD;
    if (this.#clientStart !== -1) setField(out, F_IP, this.#clientStart, this.#clientEnd, 0);
    else if (this.#remoteStart !== -1) setField(out, F_IP, this.#remoteStart, this.#remoteEnd, 0);
    else return R_MISSING_FIELD;
    return R_OK;
  }

  /** The top-level object at b[p] ('{'); returns the position after it, or -1. */
  #top(b: Uint8Array, p: number, end: number, out: LineFields): number {
    this.#out = out;
    return scanObject(b, p, end, 0, this.#topMember);
  }

  // Member readers, made once: they reach the line's fields through #out.
  #out: LineFields | null = null;

  readonly #topMember: MemberReader = (b, ks, kEnd, v, end) => {
    const out = this.#out!;
    let q: number;
    if (keyIs(b, ks, kEnd, REQUEST, false) && b[v] === 123) q = scanObject(b, v, end, 0, this.#requestMember);
    else if (keyIs(b, ks, kEnd, TS, false)) q = this.#time(b, v, end, out);
    else if (keyIs(b, ks, kEnd, STATUS, false)) q = this.#status(b, v, end, out);
    else if (keyIs(b, ks, kEnd, SIZE, false)) q = this.#size(b, v, end, out);
    else if (keyIs(b, ks, kEnd, DURATION, false)) q = this.#duration(b, v, end, out);
    else if (keyIs(b, ks, kEnd, USER_ID, false)) q = this.#text(b, v, end, F_USER, out);
    else q = skipValue(b, v, end, 1);
    return this.#reject !== R_OK ? -1 : q;
  };

  /** The `request` object's members. */
  readonly #requestMember: MemberReader = (b, ks, kEnd, v, end) => {
    const out = this.#out!;
    let q: number;
    if (keyIs(b, ks, kEnd, CLIENT_IP, false)) q = this.#address(b, v, end, true);
    else if (keyIs(b, ks, kEnd, REMOTE_IP, false)) q = this.#address(b, v, end, false);
    else if (keyIs(b, ks, kEnd, REMOTE_ADDR, false)) q = this.#remoteAddr(b, v, end);
    else if (keyIs(b, ks, kEnd, METHOD, false)) q = this.#text(b, v, end, F_METHOD, out);
    else if (keyIs(b, ks, kEnd, PROTO, false)) q = this.#text(b, v, end, F_PROTOCOL, out);
    else if (keyIs(b, ks, kEnd, URI, false)) q = this.#uri(b, v, end, out);
    else if (keyIs(b, ks, kEnd, HOST, false)) q = this.#host(b, v, end, out);
    else if (keyIs(b, ks, kEnd, HEADERS, false) && b[v] === 123) q = scanObject(b, v, end, 0, this.#headerMember);
    else q = skipValue(b, v, end, 2);
    return this.#reject !== R_OK ? -1 : q;
  };

  /** `request.headers`: arrays of values per header name (Go's canonical spelling, matched in any case). */
  readonly #headerMember: MemberReader = (b, ks, kEnd, v, end) => {
    const h = keyIs(b, ks, kEnd, USER_AGENT, true) ? H_UA : keyIs(b, ks, kEnd, REFERER, true) ? H_REFERER : keyIs(b, ks, kEnd, XFF, true) ? H_XFF : H_NONE;
    return h !== H_NONE && b[v] === 91 ? this.#headerValues(b, v, end, h, this.#out!) : skipValue(b, v, end, 3);
  };

  /**
   * A header's array of strings at b[p] ('['): User-Agent and Referer take the first value,
   * X-Forwarded-For joins them all with ", " (several header lines are one list).
   */
  #headerValues(b: Uint8Array, p: number, end: number, h: number, out: LineFields): number {
    let q = skipWs(b, p + 1, end);
    if (q < end && b[q] === 93) return q + 1;
    let n = 0;
    let from = -1;
    for (;;) {
      if (q >= end) return -1;
      if (b[q] === 34) {
        const e = scanString(b, q, end);
        if (e === -1) return -1;
        if (h === H_XFF) {
          if (n === 0) {
            from = out.scratchUsed;
          } else {
            const k = reserveScratch(out, 2);
            out.scratch[k] = 44;
            out.scratch[k + 1] = 32;
            out.scratchUsed = k + 2;
          }
          unescapeInto(b, q + 1, e - 1, ESC_JSON, out);
        } else if (n === 0) this.#setString(b, q + 1, e - 1, stringEscaped, h === H_UA ? F_UA : F_REFERRER, out);
        n++;
        q = e;
      } else {
        q = skipValue(b, q, end, MAX_DEPTH - 1);
        if (q === -1) return -1;
      }
      q = skipWs(b, q, end);
      if (q >= end) return -1;
      if (b[q] === 93) break;
      if (b[q] !== 44) return -1;
      q = skipWs(b, q + 1, end);
    }
    if (h === H_XFF && n > 0 && out.scratchUsed > from) setField(out, F_XFF, from, out.scratchUsed, 1);
    return q + 1;
  }

  /** A string member into field `f` ('' and null are absent). */
  #text(b: Uint8Array, p: number, end: number, f: number, out: LineFields): number {
    if (b[p] !== 34) return skipValue(b, p, end, 1);
    const e = scanString(b, p, end);
    if (e === -1) return -1;
    this.#setString(b, p + 1, e - 1, stringEscaped, f, out);
    return e;
  }

  #setString(b: Uint8Array, s: number, e: number, escaped: boolean, f: number, out: LineFields): void {
    if (e === s) return;
    if (escaped) {
      const from = out.scratchUsed;
      setField(out, f, from, unescapeInto(b, s, e, ESC_JSON, out), 1);
    } else setField(out, f, s, e, 0);
  }

  /** remote_ip / client_ip: an address literal; "" and null are absent. */
  #address(b: Uint8Array, p: number, end: number, client: boolean): number {
    if (b[p] !== 34) return skipValue(b, p, end, 2);
    const e = scanString(b, p, end);
    if (e === -1) return -1;
    const s = p + 1;
    const ve = e - 1;
    if (ve === s) return e;
    if (stringEscaped || !isIp(b, s, ve)) {
      this.#reject = R_BAD_IP;
      return e;
    }
    if (client) {
      this.#clientStart = s;
      this.#clientEnd = ve;
    } else {
      this.#remoteStart = s;
      this.#remoteEnd = ve;
    }
    return e;
  }

  /** Caddy < 2.5: "remote_addr":"1.2.3.4:5678" or "[2001:db8::1]:5678". Used when remote_ip is absent. */
  #remoteAddr(b: Uint8Array, p: number, end: number): number {
    if (b[p] !== 34) return skipValue(b, p, end, 2);
    const e = scanString(b, p, end);
    if (e === -1) return -1;
    if (this.#remoteStart !== -1) return e;
    let s = p + 1;
    let ve = e - 1;
    if (b[s] === 91) {
      let rb = s;
      while (rb < ve && b[rb] !== 93) rb++;
      s++;
      ve = rb;
    } else {
      let colon = s;
      while (colon < ve && b[colon] !== 58) colon++;
      if (colon < ve && isIpv4(b, s, colon)) ve = colon;
    }
    if (ve > s && isIp(b, s, ve)) {
      this.#remoteStart = s;
      this.#remoteEnd = ve;
    } else if (ve > s) this.#reject = R_BAD_IP;
    return e;
  }

  #uri(b: Uint8Array, p: number, end: number, out: LineFields): number {
    if (b[p] !== 34) return skipValue(b, p, end, 2);
    const e = scanString(b, p, end);
    if (e === -1) return -1;
    if (stringEscaped) {
      const from = out.scratchUsed;
      splitTarget(out.scratch, from, unescapeInto(b, p + 1, e - 1, ESC_JSON, out), 1, out);
    } else splitTarget(b, p + 1, e - 1, 0, out);
    return e;
  }

  #host(b: Uint8Array, p: number, end: number, out: LineFields): number {
    if (b[p] !== 34) return skipValue(b, p, end, 2);
    const e = scanString(b, p, end);
    if (e === -1) return -1;
    if (!vhostField(out, b, p + 1, e - 1, stringEscaped)) this.#reject = R_FORMAT_MISMATCH;
    return e;
  }

  /** `ts`: epoch seconds (or ms/µs/ns by magnitude), or an ISO 8601 string. */
  #time(b: Uint8Array, p: number, end: number, out: LineFields): number {
    if (b[p] === 34) {
      const e = scanString(b, p, end);
      if (e === -1) return -1;
      if (stringEscaped || parseIsoTime(b, p + 1, e - 1, out, this.#dateCache) !== e - 1) this.#reject = R_BAD_TIME;
      this.#hasTime = true;
      return e;
    }
    const e = scanNumber(b, p, end);
    if (e === -1) {
      this.#reject = R_BAD_TIME;
      return skipValue(b, p, end, 1);
    }
    // The whole part exactly: a float's rounding must not move a time across a second.
    let i = p;
    let t = 0;
    while (i < e && b[i]! >= 48 && b[i]! <= 57) t = t * 10 + (b[i++]! - 48);
    if (i < e && b[i] === 46) {
      i++;
      while (i < e && b[i]! >= 48 && b[i]! <= 57) i++;
    }
    // A sign or an exponent: Caddy never writes one, read the number as it is.
    if (i !== e) t = Math.floor(numberValue(b, p, e));
    // Epoch seconds stay below 1e11 until the year 5138.
    if (t >= 1e17) t = Math.floor(t / 1e9);
    else if (t >= 1e14) t = Math.floor(t / 1e6);
    else if (t >= 1e11) t = Math.floor(t / 1e3);
    if (!(t >= 0) || !Number.isFinite(t)) this.#reject = R_BAD_TIME;
    else setEpochTime(t, out);
    this.#hasTime = true;
    return e;
  }

  #status(b: Uint8Array, p: number, end: number, out: LineFields): number {
    const e = scanNumber(b, p, end);
    if (e === -1) {
      this.#reject = R_BAD_STATUS;
      return skipValue(b, p, end, 1);
    }
    // Caddy logs 0 when no response was written (the client went away): like Apache's '-'.
    const v = e - p === 1 && b[p] === 48 ? 0 : parseStatus(b, p, e);
    if (v < 0) this.#reject = R_BAD_STATUS;
    else out.status = v;
    this.#hasStatus = true;
    return e;
  }

  #size(b: Uint8Array, p: number, end: number, out: LineFields): number {
    const e = scanNumber(b, p, end);
    if (e === -1) {
      if (isNull(b, p, end)) return p + 4;
      this.#reject = R_BAD_BYTES;
      return skipValue(b, p, end, 1);
    }
    const v = parseBytes(b, p, e);
    if (v < 0) this.#reject = R_BAD_BYTES;
    else out.bytes = v;
    return e;
  }

  /** Seconds as a number (the default), or a Go duration string such as "1.5ms". */
  #duration(b: Uint8Array, p: number, end: number, out: LineFields): number {
    if (b[p] === 34) {
      const e = scanString(b, p, end);
      if (e === -1) return -1;
      const v = goDuration(b, p + 1, e - 1);
      if (v < 0) this.#reject = R_BAD_DURATION;
      else out.timeTakenUs = v;
      return e;
    }
    const e = scanNumber(b, p, end);
    if (e === -1) {
      if (isNull(b, p, end)) return p + 4;
      this.#reject = R_BAD_DURATION;
      return skipValue(b, p, end, 1);
    }
    let v = parseDuration(b, p, e, 1e6);
    if (v === -2) {
      // An exponent (1e-05) or a sign: read the number itself.
      const x = numberValue(b, p, e);
      v = x >= 0 && Number.isFinite(x) ? Math.round(x * 1e6) : -2;
    }
    if (v < 0) this.#reject = R_BAD_DURATION;
    else out.timeTakenUs = v;
    return e;
  }
}

/** Microseconds of a Go duration string ("1.5ms", "2s", "1m30.5s", "750µs"); -1 when it is not one. */
export function goDuration(b: Uint8Array, s: number, e: number): number {
  if (s === e) return -1;
  let i = s;
  let total = 0;
  while (i < e) {
    const ns = i;
    let v = 0;
    while (i < e && b[i]! >= 48 && b[i]! <= 57) v = v * 10 + (b[i++]! - 48);
    let scale = 1;
    if (i < e && b[i] === 46) {
      i++;
      while (i < e && b[i]! >= 48 && b[i]! <= 57) {
        scale /= 10;
        v += (b[i++]! - 48) * scale;
      }
    }
    if (i === ns) return -1;
    let unit: number;
    const c = b[i];
    const c2 = i + 1 < e ? b[i + 1] : 0;
    if (c === 110 && c2 === 115) {
      unit = 1e-3;
      i += 2;
    } else if (c === 117 && c2 === 115) {
      unit = 1;
      i += 2;
    } else if (c === 0xc2 && c2 === 0xb5 && i + 2 < e && b[i + 2] === 115) {
      unit = 1; // µs in UTF-8
      i += 3;
    } else if (c === 109 && c2 === 115) {
      unit = 1e3;
      i += 2;
    } else if (c === 115) {
      unit = 1e6;
      i += 1;
    } else if (c === 109) {
      unit = 6e7;
      i += 1;
    } else if (c === 104) {
      unit = 3.6e9;
      i += 1;
    } else return -1;
    total += v * unit;
  }
  return Math.round(total);
}
