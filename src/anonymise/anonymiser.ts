/**
 * The anonymise stage: the one place where a ParsedLine (with raw IP and user name) becomes an
 * AnonHit (without). It is the only module that may build an AnonHit; a test keeps it so.
 *
 * Costly work (a SHA-256 per address, masking) runs once per distinct value per site and day:
 * results are cached in per-site maps that are dropped when the site's day (and so its key)
 * changes, which also bounds them.
 */
import type { AnonHit, Enrichment, ParsedLine, RawIp } from '../core/record.js';
import { ownString } from '../core/strings.js';
import { keyedHash52, pseudonymText, visitorId } from './hash.js';
import { maskIp } from './ip-mask.js';
import { filterQuery } from './scrub.js';
import type { KeyRing } from './keyring.js';
import type { PrivacyPolicy } from './policy.js';

interface IpEntry {
  readonly key: string;
  readonly hash: number;
  /** ISO 3166-1 alpha-2 country code, '' when unknown or not looked up. */
  readonly country: string;
}

interface SiteDayState {
  date: string;
  secret: string;
  ips: Map<string, IpEntry>;
  users: Map<string, string>;
}

/** Entries per site and day before a cache is cleared (bounds memory on pathological days). */
const CACHE_LIMIT = 65_536;

export interface AnonymiserOptions {
  readonly policy: PrivacyPolicy;
  readonly keys: KeyRing;
  /** GoAccess does not count 4xx answers towards unique visitors unless told to. */
  readonly count4xxVisitors: boolean;
  /** Per-site overrides of the policy. */
  readonly sitePolicies?: ReadonlyMap<string, PrivacyPolicy>;
  /**
   * The enrich stage's country lookup (enrich/geo.ts), called once per address and day when the
   * address is first seen. Null: no countries.
   */
  readonly countryOf?: ((ip: RawIp) => string) | null;
}

export interface Anonymiser {
  /**
   * Build the AnonHit for one line. `uaHash` identifies the User-Agent (any stable 32-bit hash),
   * `page` says whether the URL is page-like. The returned object is reused by the next call.
   */
  apply(site: string, line: ParsedLine, e: Enrichment, uaHash: number, page: boolean): AnonHit;
  policyFor(site: string): PrivacyPolicy;
}

const allowSets = new WeakMap<PrivacyPolicy, ReadonlySet<string>>();

/** The path with what the policy keeps of its query string. */
function withQuery(policy: PrivacyPolicy, path: string, query: string): string {
  if (policy.query === 'keep') return `${path}?${query}`;
  if (policy.queryAllow.length === 0) return path;
  let allow = allowSets.get(policy);
  if (allow === undefined) {
    allow = new Set(policy.queryAllow);
    allowSets.set(policy, allow);
  }
  const kept = filterQuery(query, allow);
  return kept === '' ? path : `${path}?${kept}`;
}

export function createAnonymiser(opts: AnonymiserOptions): Anonymiser {
  const states = new Map<string, SiteDayState>();
  const hit = {
    ipKey: '',
    userKey: '',
    visitor: 0,
    countsAsVisitor: true,
    time: 0,
    date: '',
    hour: 0,
    method: '',
    path: '',
    status: 0,
    bytes: 0,
    page: false,
    ua: undefined as unknown as AnonHit['ua'],
    referrer: undefined as unknown as AnonHit['referrer'],
    country: '',
    channel: 'http',
  } as AnonHit;

  const policyFor = (site: string): PrivacyPolicy => opts.sitePolicies?.get(site) ?? opts.policy;
  const countryOf = opts.countryOf ?? null;

  function stateFor(site: string, date: string): SiteDayState {
    let st = states.get(site);
    if (st === undefined) {
      st = { date, secret: opts.keys.keyFor(site, date), ips: new Map(), users: new Map() };
      states.set(site, st);
    } else if (st.date !== date) {
      st.date = date;
      st.secret = opts.keys.keyFor(site, date);
      st.ips = new Map();
      st.users = new Map();
    }
    return st;
  }

  function ipEntry(st: SiteDayState, policy: PrivacyPolicy, ip: RawIp): IpEntry {
    let e = st.ips.get(ip);
    if (e !== undefined) return e;
    const h = keyedHash52(st.secret, ip);
    let key: string;
    switch (policy.ip) {
      case 'full':
        key = '';
        break;
      case 'mask':
        key = maskIp(ip, policy.ipv4Prefix, policy.ipv6Prefix);
        break;
      case 'pseudonym':
        key = pseudonymText('ip-', h);
        break;
      case 'drop':
        key = '';
        break;
    }
    if (st.ips.size >= CACHE_LIMIT) st.ips.clear();
    const owned = ownString(ip);
    e = { key: policy.ip === 'full' ? owned : key, hash: h, country: countryOf !== null ? countryOf(ip) : '' };
    st.ips.set(owned, e);
    return e;
  }

  function userKey(st: SiteDayState, policy: PrivacyPolicy, user: string): string {
    if (user === '' || policy.user === 'drop') return '';
    let k = st.users.get(user);
    if (k !== undefined) return k;
    const owned = ownString(user);
    k = policy.user === 'full' ? owned : pseudonymText('user-', keyedHash52(st.secret, `\u0001${user}`));
    if (st.users.size >= CACHE_LIMIT) st.users.clear();
    st.users.set(owned, k);
    return k;
  }

  return {
    policyFor,
    apply(site, line, e, uaHash, page) {
      const policy = policyFor(site);
      const st = stateFor(site, line.date);
      const ip = ipEntry(st, policy, line.ip);
      hit.ipKey = ip.key;
      hit.userKey = userKey(st, policy, line.user);
      hit.visitor = visitorId(ip.hash, uaHash);
      hit.countsAsVisitor = opts.count4xxVisitors || line.status < 400 || line.status > 499;
      hit.time = line.time;
      hit.date = line.date;
      hit.hour = line.hour;
      hit.method = line.method;
      hit.path = line.query === '' ? line.path : withQuery(policy, line.path, line.query);
      hit.status = line.status;
      hit.bytes = line.bytes;
      hit.page = page;
      hit.ua = e.ua;
      hit.referrer = e.referrer;
      hit.country = ip.country;
      hit.channel = line.channel;
      return hit;
    },
  };
}
