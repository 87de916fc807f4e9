/**
 * The anonymising filter (`weblog anonymise`, the anonip use case): rewrites the client IP,
 * the RFC 2617 user name, the URL query and the Referer of access-log lines by the privacy
 * policy and leaves every other byte as it was, so the output is still a valid log for any tool.
 * xferlog lines get their remote host and user name rewritten.
 *
 * Works on Buffers, a chunk at a time, for speed (target ≥ 1M lines/s): IPv4 addresses are
 * parsed to a number while scanning and masked arithmetically; only what changes is written,
 * everything else is copied in runs.
 *
 * It fails closed (issue 13, item 3): a line it cannot read in the expected layout (the client
 * field is not an address, or the user or request field is missing) gets every IPv4 and IPv6
 * address found anywhere in it rewritten by the policy (`unparsed: 'mask'`, the default), or is
 * dropped; only `unparsed: 'pass'`, asked for, lets it through unchanged. anonip re-joins such
 * lines and logs them to stderr, address and all.
 */
import { randomBytes } from 'node:crypto';
import { createParser, type LineParser } from '../parse/index.js';
import { emptyParsedLine } from '../core/record.js';
import { keyedHash52, pseudonymText } from './hash.js';
import { findIpLiterals } from './ip-literals.js';
import { ipv6Groups, maskIp } from './ip-mask.js';
import type { PrivacyPolicy } from './policy.js';
import { filterQuery } from './scrub.js';

/** Where the fields are: the client first (combined, common, nginx), after `%v:%p ` (vhost_combined), or xferlog's. */
export type FilterLayout = 'client-first' | 'vhost-first' | 'xferlog';
/** What happens to a line the layout does not fit. */
export type UnparsedPolicy = 'mask' | 'drop' | 'pass';

export interface FilterOptions {
  readonly policy: PrivacyPolicy;
  readonly layout: FilterLayout;
  readonly unparsed: UnparsedPolicy;
  /** Today's date for key rotation; injectable for tests. */
  readonly today: () => string;
}

export interface FilterStats {
  lines: number;
  /** Lines not in the expected layout (handled by `unparsed`). */
  unrecognised: number;
  /** Addresses found anywhere in such lines and rewritten (`unparsed: 'mask'`). */
  fallbackV4: number;
  fallbackV6: number;
  /** Such lines dropped (`unparsed: 'drop'`). */
  dropped: number;
  /** Such lines passed through unchanged (`unparsed: 'pass'`). */
  passed: number;
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
  const stats: FilterStats = { lines: 0, unrecognised: 0, fallbackV4: 0, fallbackV6: 0, dropped: 0, passed: 0 };
  const xferlog: LineParser | null = opts.layout === 'xferlog' ? createParser({ format: 'xferlog' }) : null;
  const parsed = emptyParsedLine();
  let day = '';
  let secret = '';
  let v4cache = new Map<number, string>();
  let textCache = new Map<string, string>();
  const allow = new Set(p.queryAllow);

  function rotate(): void {
    const d = opts.today();
    if (d === day) return;
    day = d;
    // A fresh secret per day, in memory only: the filter's pseudonyms rotate daily and die with it.
    secret = randomBytes(32).toString('latin1');
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

  /** A web log line in the layout; false (with `out` partly written) when it is not one. */
  function rewriteWeb(b: Buffer, s: number, e: number, out: Out): boolean {
    let i = s;
    if (opts.layout === 'vhost-first') {
      const sp = b.indexOf(SPACE, i);
      if (sp === -1 || sp >= e) return false;
      out.copy(b, i, sp + 1);
      i = sp + 1;
    }
    const ipEnd = b.indexOf(SPACE, i);
    if (ipEnd === -1 || ipEnd >= e || !writeIp(b, i, ipEnd, out)) return false;
    // ident, then user.
    const identEnd = b.indexOf(SPACE, ipEnd + 1);
    const userEnd = identEnd === -1 ? -1 : b.indexOf(SPACE, identEnd + 1);
    if (userEnd === -1 || userEnd >= e) return false;
    out.copy(b, ipEnd, identEnd + 1);
    if (userEnd - identEnd === 2 && b[identEnd + 1] === 0x2d) out.byte(0x2d);
    else out.ascii(userText(b.toString('latin1', identEnd + 1, userEnd)));
    // Timestamp, then the quoted request.
    const rq = b.indexOf(QUOTE, userEnd);
    if (rq === -1 || rq >= e) return false;
    const rqEnd = closingQuote(b, rq + 1, e);
    if (rqEnd === -1) return false;
    out.copy(b, userEnd, rq + 1);
    writeRequest(b, rq + 1, rqEnd, out);
    // Status and bytes, then the quoted Referer (common format has none).
    const rf = b.indexOf(QUOTE, rqEnd + 1);
    if (rf === -1 || rf >= e) {
      out.copy(b, rqEnd, e);
      return true;
    }
    const rfEnd = closingQuote(b, rf + 1, e);
    if (rfEnd === -1) return false;
    out.copy(b, rqEnd, rf + 1);
    writeReferrer(b, rf + 1, rfEnd, out);
    out.copy(b, rfEnd, e);
    return true;
  }

  /** An xferlog line: the remote host and the user name (for anonymous logins, the e-mail typed as password). */
  function rewriteXferlog(b: Buffer, s: number, e: number, out: Out): boolean {
    const line = b.toString('latin1', s, e);
    if (xferlog!.parse(line, parsed) !== null) return false;
    // The parser checked the layout; find the fields as it does. Left: ctime (day padded to
    // two), transfer time, remote host. Right: completion status (optional), authenticated id,
    // authentication method, service, user name, access mode, direction, flag, type.
    let p = line.charCodeAt(8) === SPACE ? 9 : 8;
    p = line.indexOf(' ', p) + 15;
    const hostStart = line.indexOf(' ', p) + 1;
    const hostEnd = line.indexOf(' ', hostStart);
    let end = line.length;
    while (end > 0 && (line.charCodeAt(end - 1) === SPACE || line.charCodeAt(end - 1) === 9)) end--;
    const tok: [number, number][] = [];
    for (let te = end; tok.length < 9; ) {
      const sp = line.lastIndexOf(' ', te - 1);
      tok.push([sp + 1, te]);
      te = sp;
    }
    const is = (k: number, chars: string): boolean => tok[k]![1] - tok[k]![0] === 1 && chars.includes(line[tok[k]![0]]!);
    const trailing = is(8, 'ab') && is(6, 'oid') && is(5, 'agr') && is(0, 'ci') ? 9 : 8;
    const [us, ue] = tok[trailing - 5]!;
    out.copy(b, s, s + hostStart);
    out.ascii(rewriteIpText(line.slice(hostStart, hostEnd)) ?? '0.0.0.0');
    out.copy(b, s + hostEnd, s + us);
    if (ue - us === 1 && (line[us] === '-' || line[us] === '*')) out.copy(b, s + us, s + ue);
    else out.ascii(userText(line.slice(us, ue)));
    out.copy(b, s + ue, e);
    return true;
  }

  /** Every address anywhere in the line, rewritten by the policy; the rest as it was. */
  function maskEverywhere(b: Buffer, s: number, e: number, out: Out): void {
    const line = b.toString('latin1', s, e);
    let at = 0;
    for (const l of findIpLiterals(line)) {
      const r = p.ip === 'full' ? null : rewriteIpText(line.slice(l.start, l.end));
      if (r === null) continue;
      out.copy(b, s + at, s + l.start);
      out.ascii(r);
      at = l.end;
      if (l.v6) stats.fallbackV6++;
      else stats.fallbackV4++;
    }
    out.copy(b, s + at, e);
  }

  /** Rewrites one line; false when it is dropped (then its line end goes too). */
  function rewriteLine(b: Buffer, s: number, e: number, out: Out): boolean {
    stats.lines++;
    const mark = out.len;
    if (opts.layout === 'xferlog' ? rewriteXferlog(b, s, e, out) : rewriteWeb(b, s, e, out)) return true;
    out.len = mark;
    stats.unrecognised++;
    switch (opts.unparsed) {
      case 'mask':
        maskEverywhere(b, s, e, out);
        return true;
      case 'drop':
        stats.dropped++;
        return false;
      case 'pass':
        stats.passed++;
        out.copy(b, s, e);
        return true;
    }
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
        if (e === s || rewriteLine(chunk, s, e, out)) out.copy(chunk, e, Math.min(nl + 1, chunk.length));
        s = nl + 1;
      }
      return out.buf.subarray(0, out.len);
    },
  };
}
