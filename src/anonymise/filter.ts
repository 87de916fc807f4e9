/**
 * The anonymising filter (`weblog anonymise`, the anonip use case): rewrites the client IP,
 * the RFC 2617 user name, the URL query and the Referer of access-log lines by the privacy
 * policy and leaves every other byte as it was, so the output is still a valid log for any tool.
 *
 * Works on Buffers, a chunk at a time, for speed (target ≥ 1M lines/s): IPv4 addresses are
 * parsed to a number while scanning and masked arithmetically; only what changes is written,
 * everything else is copied in runs. Lines it does not recognise (first field not an address)
 * are passed through unchanged and counted, as anonip does.
 */
import { keyedHash52, pseudonymText } from './hash.js';
import { ipv6Groups, maskIp } from './ip-mask.js';
import type { KeyRing } from './keyring.js';
import type { PrivacyPolicy } from './policy.js';
import { filterQuery } from './scrub.js';

export interface FilterOptions {
  readonly policy: PrivacyPolicy;
  readonly keys: KeyRing;
  /** Pseudonyms are per site (the key ring's site). */
  readonly site: string;
  /** The client is the second field (Apache vhost_combined: `%v:%p %h …`). */
  readonly vhostFirst: boolean;
  /** Today's date for key rotation; injectable for tests. */
  readonly today: () => string;
}

export interface FilterStats {
  lines: number;
  /** Lines whose client field was not an address: passed through unchanged. */
  unrecognised: number;
}

const SPACE = 0x20;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NL = 0x0a;

/** Growable output buffer: rewritten fields can be longer than the originals. */
class Out {
  buf: Buffer;
  len = 0;
  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }
  ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
  copy(src: Buffer, start: number, end: number): void {
    const n = end - start;
    if (n <= 0) return;
    this.ensure(n);
    // Buffer#copy crosses into C++ (~100 ns a call); most spans here are a few bytes long.
    if (n < 48) {
      const buf = this.buf;
      let o = this.len;
      for (let i = start; i < end; i++) buf[o++] = src[i]!;
    } else src.copy(this.buf, this.len, start, end);
    this.len += n;
  }
  ascii(s: string): void {
    this.ensure(s.length);
    this.len += this.buf.write(s, this.len, 'latin1');
  }
  byte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b;
  }
  /** Write 0–255 in decimal. */
  octet(v: number): void {
    this.ensure(3);
    if (v >= 100) this.buf[this.len++] = 48 + ((v / 100) | 0);
    if (v >= 10) this.buf[this.len++] = 48 + (((v / 10) | 0) % 10);
    this.buf[this.len++] = 48 + (v % 10);
  }
}

/** Index of the closing quote of a quoted field that starts after `from`, honouring \" escapes; -1 if none. */
function closingQuote(b: Buffer, from: number, end: number): number {
  for (let i = from; i < end; i++) {
    const c = b[i]!;
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i;
  }
  return -1;
}

export interface LineFilter {
  /** Rewrite the complete lines of `chunk` (it must end with a newline); returns the output bytes. */
  rewrite(chunk: Buffer): Buffer;
  readonly stats: FilterStats;
}

export function createLineFilter(opts: FilterOptions): LineFilter {
  const p = opts.policy;
  const v4mask = p.ipv4Prefix <= 0 ? 0 : p.ipv4Prefix >= 32 ? 0xffffffff : (0xffffffff << (32 - p.ipv4Prefix)) >>> 0;
  const stats: FilterStats = { lines: 0, unrecognised: 0 };
  let day = '';
  let secret = '';
  let v4cache = new Map<number, string>();
  let textCache = new Map<string, string>();
  const allow = new Set(p.queryAllow);

  function rotate(): void {
    const d = opts.today();
    if (d === day) return;
    day = d;
    secret = opts.keys.keyFor(opts.site, d);
    v4cache = new Map();
    textCache = new Map();
  }

  /** A pseudonym that still parses as an address: a unique-local IPv6 from the keyed hash. */
  function pseudonymIp(ip: string): string {
    const h = keyedHash52(secret, ip);
    const hex = h.toString(16).padStart(13, '0');
    return `fd${hex.slice(0, 2)}:${hex.slice(2, 6)}:${hex.slice(6, 10)}::${hex.slice(10)}`;
  }

  function rewriteIpText(ip: string): string | null {
    let r = textCache.get(ip);
    if (r !== undefined) return r;
    const isV6 = ip.includes(':');
    if (isV6 ? ipv6Groups(ip) === null : maskIp(ip, 32, 128) === '') return null;
    switch (p.ip) {
      case 'full':
        r = ip;
        break;
      case 'mask':
        r = maskIp(ip, p.ipv4Prefix, p.ipv6Prefix);
        break;
      case 'pseudonym':
        r = pseudonymIp(ip);
        break;
      case 'drop':
        r = isV6 ? '::' : '0.0.0.0';
        break;
    }
    if (textCache.size > 100_000) textCache.clear();
    textCache.set(ip, r);
    return r;
  }

  function userText(user: string): string {
    if (p.user === 'full') return user;
    if (p.user === 'drop') return '-';
    let r = textCache.get(`\u0001${user}`);
    if (r === undefined) {
      r = pseudonymText('user-', keyedHash52(secret, `\u0001${user}`));
      textCache.set(`\u0001${user}`, r);
    }
    return r;
  }

  /** Writes the client field [s, e); returns false when it is not an address. */
  function writeIp(b: Buffer, s: number, e: number, out: Out): boolean {
    // IPv4 fast path: parse while checking.
    let n = 0;
    let oct = 0;
    let digits = 0;
    let dots = 0;
    let ok = e - s >= 7 && e - s <= 15;
    for (let i = s; ok && i < e; i++) {
      const c = b[i]!;
      if (c >= 48 && c <= 57) {
        oct = oct * 10 + (c - 48);
        digits++;
        ok = digits <= 3 && oct <= 255;
      } else if (c === 46) {
        ok = digits > 0 && dots < 3;
        n = n * 256 + oct;
        oct = 0;
        digits = 0;
        dots++;
      } else ok = false;
    }
    if (ok && dots === 3 && digits > 0) {
      n = (n * 256 + oct) >>> 0;
      if (p.ip === 'full') out.copy(b, s, e);
      else if (p.ip === 'mask') {
        const m = (n & v4mask) >>> 0;
        out.octet(m >>> 24);
        out.byte(46);
        out.octet((m >>> 16) & 255);
        out.byte(46);
        out.octet((m >>> 8) & 255);
        out.byte(46);
        out.octet(m & 255);
      } else if (p.ip === 'drop') out.ascii('0.0.0.0');
      else {
        let r = v4cache.get(n);
        if (r === undefined) {
          r = pseudonymIp(b.toString('latin1', s, e));
          if (v4cache.size > 500_000) v4cache.clear();
          v4cache.set(n, r);
        }
        out.ascii(r);
      }
      return true;
    }
    const r = rewriteIpText(b.toString('latin1', s, e));
    if (r === null) return false;
    out.ascii(r);
    return true;
  }

  /** Copy a request line `METHOD target PROTO` with the target's query filtered. */
  function writeRequest(b: Buffer, s: number, e: number, out: Out): void {
    const sp = b.indexOf(SPACE, s);
    if (sp === -1 || sp >= e) return out.copy(b, s, e);
    const q = b.indexOf(0x3f, sp);
    if (q === -1 || q >= e || p.query === 'keep') return out.copy(b, s, e);
    let qe = b.indexOf(SPACE, q);
    if (qe === -1 || qe > e) qe = e;
    out.copy(b, s, q);
    if (allow.size > 0) {
      const kept = filterQuery(b.toString('latin1', q + 1, qe), allow);
      if (kept !== '') {
        out.byte(0x3f);
        out.ascii(kept);
      }
    }
    out.copy(b, qe, e);
  }

  /** Copy a Referer, reduced to scheme://host/path when it has user info, a query or a fragment. */
  function writeReferrer(b: Buffer, s: number, e: number, out: Out): void {
    let cut = -1;
    let hasAt = false;
    for (let i = s; i < e; i++) {
      const c = b[i]!;
      if (c === 0x3f || c === 0x23) {
        cut = i;
        break;
      }
      if (c === 0x40) hasAt = true;
    }
    if (!hasAt && (cut === -1 || p.query === 'keep')) return out.copy(b, s, e);
    const end = cut === -1 || p.query === 'keep' ? e : cut;
    if (hasAt) {
      const sep = b.indexOf('://', s);
      const at = b.lastIndexOf(0x40, end - 1);
      const slash = sep === -1 ? -1 : b.indexOf(0x2f, sep + 3);
      if (sep !== -1 && at > sep && (slash === -1 || slash > at || slash >= end)) {
        out.copy(b, s, sep + 3);
        out.copy(b, at + 1, end);
        return;
      }
    }
    out.copy(b, s, end);
  }

  function rewriteLine(b: Buffer, s: number, e: number, out: Out): void {
    stats.lines++;
    let i = s;
    if (opts.vhostFirst) {
      const sp = b.indexOf(SPACE, i);
      if (sp === -1 || sp >= e) {
        stats.unrecognised++;
        return out.copy(b, s, e);
      }
      out.copy(b, i, sp + 1);
      i = sp + 1;
    }
    const ipEnd = b.indexOf(SPACE, i);
    if (ipEnd === -1 || ipEnd >= e || !writeIp(b, i, ipEnd, out)) {
      stats.unrecognised++;
      return out.copy(b, i, e);
    }
    // ident, then user.
    const identEnd = b.indexOf(SPACE, ipEnd + 1);
    const userEnd = identEnd === -1 ? -1 : b.indexOf(SPACE, identEnd + 1);
    if (userEnd === -1 || userEnd >= e) return out.copy(b, ipEnd, e);
    out.copy(b, ipEnd, identEnd + 1);
    if (userEnd - identEnd === 2 && b[identEnd + 1] === 0x2d) out.byte(0x2d);
    else out.ascii(userText(b.toString('latin1', identEnd + 1, userEnd)));
    // Timestamp, then the quoted request.
    const rq = b.indexOf(QUOTE, userEnd);
    if (rq === -1 || rq >= e) return out.copy(b, userEnd, e);
    const rqEnd = closingQuote(b, rq + 1, e);
    if (rqEnd === -1) return out.copy(b, userEnd, e);
    out.copy(b, userEnd, rq + 1);
    writeRequest(b, rq + 1, rqEnd, out);
    // Status and bytes, then the quoted Referer.
    const rf = b.indexOf(QUOTE, rqEnd + 1);
    if (rf === -1 || rf >= e) return out.copy(b, rqEnd, e);
    const rfEnd = closingQuote(b, rf + 1, e);
    if (rfEnd === -1) return out.copy(b, rqEnd, e);
    out.copy(b, rqEnd, rf + 1);
    writeReferrer(b, rf + 1, rfEnd, out);
    out.copy(b, rfEnd, e);
  }

  return {
    stats,
    rewrite(chunk) {
      rotate();
      const out = new Out(chunk.length + (chunk.length >> 2) + 64);
      let s = 0;
      while (s < chunk.length) {
        let nl = chunk.indexOf(NL, s);
        if (nl === -1) nl = chunk.length;
        // Keep a CR of CRLF endings where it was.
        const e = nl > s && chunk[nl - 1] === 0x0d ? nl - 1 : nl;
        if (e > s) rewriteLine(chunk, s, e, out);
        out.copy(chunk, e, Math.min(nl + 1, chunk.length));
        s = nl + 1;
      }
      return out.buf.subarray(0, out.len);
    },
  };
}
