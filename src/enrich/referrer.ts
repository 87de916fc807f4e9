/**
 * Referer classification: none / internal / search / social / external, with the search term,
 * a scrubbed URL and the referrer-spam flag. Tables come from Matomo's lists (CC0; converted by
 * data/build-referrer-data.ts) and Matomo's referrer-spam list (public domain, data/referrer-spam.txt).
 *
 * Decisions (docs/enrichment.md has the full list):
 * - '' and '-' → kind 'none'.
 * - http(s) referrers are parsed by hand; anything else (no `scheme://`, `android-app://…`,
 *   junk) is kind 'external' with url = the raw value cut to 200 chars and site '', unless its
 *   host is a listed search engine (Matomo lists the Google app's `android-app://` host).
 * - A listed search-engine host is kind 'search' when it carries a keyword, an explicitly empty
 *   keyword parameter, or matches one of the engine's "hidden keyword" paths (Matomo's rule: Google
 *   has sent no keyword since 2011, so `https://www.google.com/` is a search with term ''). Other
 *   pages on such hosts (www.facebook.com is also listed as an engine) fall through to social or
 *   external.
 */
import { ownString } from '../core/strings.js';
import { isUtf8 } from 'node:buffer';
import type { ReferrerInfo } from '../core/record.js';
import { BoundedCache, DEFAULT_CACHE_SIZE } from './cache.js';
import { readDataFile } from './data-files.js';
import type { ReferrerClassifier, ReferrerClassifierOptions } from './enricher.js';

/** Longest url (and term, in bytes) kept: report keys, not archives. */
export const MAX_REFERRER_URL = 200;

/** Referers are classified (and cached) by their first 2048 chars; see the UA cache for why. */
const MAX_REFERRER_KEY = 2048;

const EMPTY_INFO = { url: '', site: '', engine: '', term: '', spam: false, host: '' } as const;
export const NO_REFERRER: ReferrerInfo = Object.freeze({ kind: 'none', ...EMPTY_INFO });
export const INTERNAL_REFERRER: ReferrerInfo = Object.freeze({ kind: 'internal', ...EMPTY_INFO });

interface EngineDef {
  readonly name: string;
  /** Query parameter names, or regexes over the referrer with the keyword in group 1; in order. */
  readonly params: readonly (string | RegExp)[];
  /** Paths (exact, or regexes over path?query#fragment) where the engine hides the keyword. */
  readonly hidden: readonly (string | RegExp)[];
  /** Legacy charsets to try when the keyword bytes are not UTF-8. */
  readonly charsets: readonly string[];
}

interface ReferrerTables {
  /** Matomo host patterns (optionally `host/path`, `{}` for a country code) → engine. */
  readonly engines: ReadonlyMap<string, EngineDef>;
  /** The host part (before any `/path`) of every engine pattern. */
  readonly engineHosts: ReadonlySet<string>;
  readonly countries: ReadonlySet<string>;
  readonly socials: ReadonlyMap<string, string>;
  readonly spam: ReadonlySet<string>;
}

interface SearchEnginesJson {
  countries: string[];
  engines: { name: string; params: string[]; hidden?: string[]; charsets?: string[] }[];
  hosts: Record<string, number>;
}

let tables: ReferrerTables | undefined;

function loadTables(): ReferrerTables {
  const se = JSON.parse(readDataFile('search-engines.json')) as SearchEnginesJson;
  // `/body/` entries are regexes, written PHP-style (validated by the build script).
  const asRegex = (p: string): RegExp => new RegExp(p.slice(1, -1));
  const defs: EngineDef[] = se.engines.map((e) => ({
    name: e.name,
    params: e.params.map((p) => (p.startsWith('/') ? asRegex(p) : p)),
    hidden: (e.hidden ?? []).map((h) => (h.length > 1 && h.startsWith('/') && h.endsWith('/') ? asRegex(h) : h)),
    charsets: e.charsets ?? [],
  }));
  const engines = new Map<string, EngineDef>();
  for (const [pattern, index] of Object.entries(se.hosts)) {
    const def = defs[index];
    if (def !== undefined) engines.set(pattern, def);
  }
  const socialsJson = JSON.parse(readDataFile('socials.json')) as { hosts: Record<string, string> };
  const spam = new Set<string>();
  for (const line of readDataFile('referrer-spam.txt').split('\n')) {
    const domain = line.trim().toLowerCase();
    if (domain !== '' && !domain.startsWith('#')) spam.add(domain);
  }
  const engineHosts = new Set<string>();
  for (const pattern of engines.keys()) {
    const slash = pattern.indexOf('/');
    engineHosts.add(slash < 0 ? pattern : pattern.slice(0, slash));
  }
  return {
    engines,
    engineHosts,
    countries: new Set(se.countries),
    socials: new Map(Object.entries(socialsJson.hosts)),
    spam,
  };
}

// ---------------------------------------------------------------------------------------------
// Small string helpers. Inputs are latin1 byte strings; only ASCII is case-folded, because
// folding bytes 0xC0–0xDE as latin1 letters would corrupt UTF-8 sequences.

function lowerAscii(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) return foldAscii(s);
  }
  return s;
}

function foldAscii(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += c >= 65 && c <= 90 ? String.fromCharCode(c | 0x20) : s.charAt(i);
  }
  return out;
}

function isSchemeChar(c: number, first: boolean): boolean {
  const alpha = (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  if (first) return alpha;
  return alpha || (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46; // digits + - .
}

function isDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function stripWww(host: string): string {
  return host.startsWith('www.') && host.length > 4 ? host.slice(4) : host;
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

/** Form decoding to bytes: `+` → space, `%XX` → that byte; a malformed `%` stays as it is. */
export function percentDecode(s: string): string {
  if (s.indexOf('%') < 0 && s.indexOf('+') < 0) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 43) {
      out += ' ';
    } else if (c === 37 && i + 2 < s.length) {
      const hi = hexVal(s.charCodeAt(i + 1));
      const lo = hexVal(s.charCodeAt(i + 2));
      if (hi >= 0 && lo >= 0) {
        out += String.fromCharCode(hi * 16 + lo);
        i += 2;
      } else {
        out += '%';
      }
    } else {
      out += s.charAt(i);
    }
  }
  return out;
}

function isAsciiSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** Collapses runs of ASCII whitespace to one space and trims. */
function foldSpaces(s: string): string {
  let out = '';
  let pendingSpace = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isAsciiSpace(c)) {
      pendingSpace = out.length > 0;
    } else {
      if (pendingSpace) out += ' ';
      pendingSpace = false;
      out += s.charAt(i);
    }
  }
  return out;
}

/** Cuts a UTF-8 byte string to at most `max` bytes without splitting a multi-byte sequence. */
function cutUtf8Bytes(s: string, max: number): string {
  if (s.length <= max) return s;
  let end = max;
  while (end > 0 && (s.charCodeAt(end) & 0xc0) === 0x80) end--;
  return s.slice(0, end).trimEnd();
}

const decoders = new Map<string, TextDecoder>();

function decoderFor(charset: string): TextDecoder {
  let d = decoders.get(charset);
  if (d === undefined) {
    d = new TextDecoder(charset);
    decoders.set(charset, d);
  }
  return d;
}

/**
 * Percent-decoded keyword bytes → the stored term: UTF-8 bytes, lower-cased, whitespace folded,
 * trimmed. Bytes that are not UTF-8 are read in the engine's legacy charset when Matomo lists one
 * (e.g. windows-1251 for Yandex), else kept as they are with only ASCII lower-cased.
 */
export function normaliseTerm(bytes: string, charsets: readonly string[]): string {
  const buf = Buffer.from(bytes, 'latin1');
  let text: string | null = null;
  if (isUtf8(buf)) text = buf.toString('utf8');
  else if (charsets[0] !== undefined) text = decoderFor(charsets[0]).decode(buf);
  if (text === null) return cutUtf8Bytes(foldSpaces(foldAscii(bytes)), MAX_REFERRER_URL);
  // \s also folds Unicode spaces (NBSP, ideographic space) that search boxes let through.
  const folded = text.toLowerCase().replace(/\s+/gu, ' ').trim();
  return cutUtf8Bytes(Buffer.from(folded, 'utf8').toString('latin1'), MAX_REFERRER_URL);
}

/** Value of the last `name=` in an `&`-separated query (PHP's rule), or null when absent. */
function queryParam(query: string, name: string): string | null {
  let found: string | null = null;
  let start = 0;
  while (start <= query.length) {
    let end = query.indexOf('&', start);
    if (end < 0) end = query.length;
    if (end - start > name.length && query.charCodeAt(start + name.length) === 61 && query.startsWith(name, start)) {
      found = query.slice(start + name.length + 1, end);
    }
    start = end + 1;
  }
  return found;
}

/**
 * Matomo's "lossy" host: `www.`/`w3.`/`search.` prefix and `m.` labels dropped, a country-code
 * TLD (with a `com`/`co`/`org`/… label before it) → `{}`, and a country-code label → `{}`.
 * So `www.google.co.uk` → `google.{}` and `de.search.yahoo.com` → `{}.search.yahoo.com`.
 */
export function lossyHost(host: string, countries: ReadonlySet<string>): string {
  const labels = host.split('.');
  const first = labels[0] ?? '';
  if (labels.length > 1 && (first === 'search' || /^w+[0-9]*$/.test(first))) labels.shift();
  for (let i = labels.length - 2; i >= 0; i--) if (labels[i] === 'm') labels.splice(i, 1);
  if (labels.length > 1 && countries.has(labels[labels.length - 1]!)) {
    labels.pop();
    const sld = labels[labels.length - 1]!;
    if (labels.length > 1 && (sld === 'com' || sld === 'org' || sld === 'net' || sld === 'co' || sld === 'it' || sld === 'edu')) {
      labels.pop();
    }
    labels.push('{}');
  }
  // Matomo's regex consumes the dot after a replaced label, so of two adjacent codes only the first
  // is replaced; kept for identical results.
  let replacedPrev = false;
  for (let i = 0; i < labels.length - 1; i++) {
    if (!replacedPrev && countries.has(labels[i]!)) {
      labels[i] = '{}';
      replacedPrev = true;
    } else {
      replacedPrev = false;
    }
  }
  return labels.join('.');
}

/** The engine of `host` + `path` (exact first, then the lossy host), given the host's facts. */
function findEngine(t: ReferrerTables, facts: HostFacts, host: string, path: string): EngineDef | undefined {
  if (!facts.maybeEngine) return undefined;
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  const exact = t.engines.get(host + path) ?? t.engines.get(host + trimmed) ?? t.engines.get(host);
  if (exact !== undefined) return exact;
  const lossy = facts.lossy;
  return t.engines.get(lossy + path) ?? t.engines.get(lossy + trimmed) ?? t.engines.get(lossy);
}

/**
 * What a Referer's host alone decides, the same for every URL on it. Distinct Referers are many
 * and mostly one-off (a log of 5,000 sites: 191k in 1M lines, most of them pages of the sites
 * themselves), their hosts few: worked out once per host instead of once per Referer.
 */
interface HostFacts {
  /** The host without `www.`, copied (it is kept in every info of the host). */
  readonly site: string;
  readonly spam: boolean;
  readonly social: string | undefined;
  readonly lossy: string;
  /** Whether an engine pattern has this host or its lossy form, with any path: else no path of it is an engine. */
  readonly maybeEngine: boolean;
}

function hostFacts(t: ReferrerTables, host: string): HostFacts {
  const lossy = lossyHost(host, t.countries);
  const socialDomain = matchDomain(t.socials, host);
  return {
    site: ownString(stripWww(host)),
    spam: matchDomain(t.spam, host) !== undefined,
    social: socialDomain === undefined ? undefined : t.socials.get(socialDomain),
    lossy,
    maybeEngine: t.engineHosts.has(host) || t.engineHosts.has(lossy),
  };
}

/** The host itself or its closest parent domain that `table` holds, walking label by label. */
function matchDomain(table: { has(key: string): boolean }, host: string): string | undefined {
  let h = host;
  for (;;) {
    if (table.has(h)) return h;
    const dot = h.indexOf('.');
    // Stop before a bare TLD: no list entry is one, and it would match everything under it.
    if (dot < 0 || h.indexOf('.', dot + 1) < 0) return undefined;
    h = h.slice(dot + 1);
  }
}

/** Where a referrer's keyword may hide: the parts after the host. */
interface UrlTail {
  /** Path as written, '' when there is none. */
  readonly path: string;
  readonly query: string;
  readonly fragment: string;
}

/**
 * The search term; '' for a search without one; null when the page is not a search result at all
 * (no keyword, no empty keyword parameter, no hidden-keyword path): Matomo's rule.
 */
function searchTerm(def: EngineDef, referrer: string, tail: UrlTail): string | null {
  // Some engines (Google "instant", Yandex) carry the keyword after '#'.
  const params = tail.fragment === '' ? tail.query : `${tail.query}&${tail.fragment}`;
  for (const p of def.params) {
    if (typeof p === 'string') {
      const raw = queryParam(params, p);
      if (raw === null) continue;
      // A present parameter decides, even when empty (`q=`): a search whose keyword was withheld.
      return normaliseTerm(percentDecode(raw), def.charsets);
    }
    const m = p.exec(referrer);
    if (m !== null) {
      const term = normaliseTerm(percentDecode(m[1] ?? ''), def.charsets);
      if (term !== '') return term;
      break;
    }
  }
  if (def.hidden.length === 0) return null;
  let where = tail.path;
  if (tail.query !== '') where += `?${tail.query}`;
  if (tail.fragment !== '') where += `#${tail.fragment}`;
  for (const h of def.hidden) {
    if (typeof h === 'string' ? h === where : h.test(where)) return '';
  }
  return null;
}

function junk(referrer: string): ReferrerInfo {
  return Object.freeze({
    kind: 'external',
    url: ownString(referrer.length > MAX_REFERRER_URL ? referrer.slice(0, MAX_REFERRER_URL) : referrer),
    site: '',
    engine: '',
    term: '',
    spam: false,
    host: '',
  });
}

class CachingReferrerClassifier implements ReferrerClassifier {
  readonly #ownHosts: ReadonlySet<string>;
  readonly #cache: BoundedCache<ReferrerInfo>;
  readonly #hosts: BoundedCache<HostFacts>;
  readonly #tables: ReferrerTables;

  constructor(hosts: readonly string[], cacheSize: number) {
    tables ??= loadTables();
    this.#tables = tables;
    const own = new Set<string>();
    for (const h of hosts) {
      const host = normaliseHostName(h);
      if (host === '') continue;
      own.add(host);
      own.add(stripWww(host));
    }
    this.#ownHosts = own;
    this.#cache = new BoundedCache<ReferrerInfo>(cacheSize);
    this.#hosts = new BoundedCache<HostFacts>(cacheSize);
  }

  #factsOf(host: string): HostFacts {
    let f = this.#hosts.get(host);
    if (f === undefined) {
      f = hostFacts(this.#tables, host);
      this.#hosts.set(host, f);
    }
    return f;
  }

  classify(referrer: string): ReferrerInfo {
    if (referrer.length === 0) return NO_REFERRER;
    const key = referrer.length > MAX_REFERRER_KEY ? referrer.slice(0, MAX_REFERRER_KEY) : referrer;
    const hit = this.#cache.get(key);
    if (hit !== undefined) return hit;
    const info = this.#compute(key);
    this.#cache.set(key, info);
    return info;
  }

  #compute(ref: string): ReferrerInfo {
    if (ref === '-') return NO_REFERRER;
    const sep = ref.indexOf('://');
    if (sep <= 0) return junk(ref);
    for (let i = 0; i < sep; i++) if (!isSchemeChar(ref.charCodeAt(i), i === 0)) return junk(ref);
    const scheme = lowerAscii(ref.slice(0, sep));

    const authStart = sep + 3;
    let authEnd = authStart;
    while (authEnd < ref.length) {
      const c = ref.charCodeAt(authEnd);
      if (c === 47 || c === 63 || c === 35) break; // / ? #
      authEnd++;
    }
    // Userinfo (`user:pass@`) is dropped: it can carry credentials, and it is not part of the site.
    const at = ref.lastIndexOf('@', authEnd - 1);
    const authority = ref.slice(at >= authStart ? at + 1 : authStart, authEnd);
    let host: string;
    let port = '';
    if (authority.startsWith('[')) {
      const close = authority.indexOf(']');
      if (close < 0) return junk(ref);
      host = authority.slice(0, close + 1);
      if (authority.charCodeAt(close + 1) === 58) port = authority.slice(close + 2);
    } else {
      const colon = authority.indexOf(':');
      host = colon < 0 ? authority : authority.slice(0, colon);
      if (colon >= 0) port = authority.slice(colon + 1);
    }
    host = lowerAscii(host.endsWith('.') ? host.slice(0, -1) : host);
    if (host === '') return junk(ref);

    const hostKey = stripWww(host);
    if (this.#ownHosts.has(host) || this.#ownHosts.has(hostKey)) return INTERNAL_REFERRER;

    const t = this.#tables;
    if (scheme !== 'http' && scheme !== 'https') {
      const engine = t.engines.get(host);
      if (engine === undefined) return junk(ref);
      return makeInfo('search', ref.slice(0, MAX_REFERRER_URL), '', engine.name, '', false, ownString(hostKey));
    }
    if (port !== '' && !isDigits(port)) return junk(ref);
    const defaultPort = scheme === 'http' ? '80' : '443';

    let pathEnd = authEnd;
    while (pathEnd < ref.length) {
      const c = ref.charCodeAt(pathEnd);
      if (c === 63 || c === 35) break;
      pathEnd++;
    }
    const rawPath = ref.slice(authEnd, pathEnd);
    const path = rawPath === '' ? '/' : rawPath;
    const hash = ref.indexOf('#', pathEnd);
    const tail: UrlTail = {
      path: rawPath,
      query: ref.charCodeAt(pathEnd) === 63 ? ref.slice(pathEnd + 1, hash < 0 ? ref.length : hash) : '',
      fragment: hash < 0 ? '' : ref.slice(hash + 1),
    };

    let url = `${scheme}://${host}${port === '' || port === defaultPort ? '' : `:${port}`}${path}`;
    if (url.length > MAX_REFERRER_URL) url = url.slice(0, MAX_REFERRER_URL);
    const facts = this.#factsOf(host);
    const { site, spam, social } = facts;

    const engine = findEngine(t, facts, host, path);
    const term = engine === undefined ? null : searchTerm(engine, ref, tail);
    if (engine !== undefined && term !== null) return makeInfo('search', url, site, engine.name, term, spam, site);
    if (social !== undefined) return makeInfo('social', url, site, social, '', spam, site);
    return makeInfo('external', url, site, '', '', spam, site);
  }
}

function makeInfo(
  kind: ReferrerInfo['kind'],
  url: string,
  site: string,
  engine: string,
  term: string,
  spam: boolean,
  host: string,
): ReferrerInfo {
  // Copies: url and term are slices of the Referer, which is a slice of a whole chunk of log
  // (site and host come copied).
  return Object.freeze({ kind, url: ownString(url), site, engine, term: ownString(term), spam, host });
}

/**
 * The keys a site's own host names match a Referer's `host` by (without `www.`): a Referer from
 * one of them is internal, not a referring site.
 */
export function ownHostKeys(hosts: readonly string[]): Set<string> {
  const own = new Set<string>();
  for (const h of hosts) {
    const host = normaliseHostName(h);
    if (host !== '') own.add(stripWww(host));
  }
  return own;
}

/** A configured site host: lower-cased, without port or trailing dot. */
function normaliseHostName(h: string): string {
  let host = h.trim();
  const scheme = host.indexOf('://');
  if (scheme >= 0) host = host.slice(scheme + 3);
  const slash = host.indexOf('/');
  if (slash >= 0) host = host.slice(0, slash);
  if (!host.startsWith('[')) {
    const colon = host.indexOf(':');
    if (colon >= 0) host = host.slice(0, colon);
  }
  if (host.endsWith('.')) host = host.slice(0, -1);
  return lowerAscii(host);
}

export function createReferrerClassifier(opts: ReferrerClassifierOptions): ReferrerClassifier {
  return new CachingReferrerClassifier(opts.hosts, opts.cacheSize ?? DEFAULT_CACHE_SIZE);
}
