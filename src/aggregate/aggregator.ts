/**
 * The aggregate stage: AnonHits in, per site-day deltas out.
 *
 * Per line it does a handful of Map updates. Dimensions that come from cached enrichment
 * objects (User-Agent, Referer) are counted by object identity and only expanded into their
 * browser / OS / device / referrer / search-term lists when a batch is drained, so a line costs
 * one Map lookup for them instead of six. Keys are turned into display text (UTF-8, invalid
 * bytes as \xHH) at drain time, once per distinct key.
 */
import type { ListName } from '../core/lists.js';
import type { AnonHit, ReferrerInfo, UaInfo } from '../core/record.js';
import { ownString } from '../core/strings.js';
import type { Counter, DayDelta, RejectDelta } from './delta.js';
import { VisitorTable } from './visitor-table.js';

export interface AggregatorOptions {
  /** Seconds of inactivity after which a visitor's next hit opens a new visit. */
  readonly visitTimeoutSec: number;
  /** Keys kept per site, day and list in one batch; the rest is counted in `others`. */
  readonly topKeysPerDay: number;
  /** GoAccess --ignore-crawlers: bot hits only count in `bots`. */
  readonly ignoreCrawlers: boolean;
  /** Turns a latin1 byte string into display text. */
  readonly toText: (bytes: string) => string;
  /** Removes personal data (e-mail addresses, numbers, tokens) from URL-like text before it is stored. */
  readonly scrub: (text: string) => string;
}

class DayAgg {
  hits = 0;
  pages = 0;
  bytes = 0;
  bots = 0;
  visits = 0;
  ftpTransfers = 0;
  ftpBytes = 0;
  readonly visitors = new VisitorTable();
  readonly ips = new Map<string, Counter>();
  readonly urls = new Map<string, Counter>();
  readonly notFound = new Map<string, Counter>();
  readonly users = new Map<string, Counter>();
  readonly countries = new Map<string, Counter>();
  readonly statuses = new Map<number, Counter>();
  readonly hours: Counter[] = Array.from({ length: 24 }, () => ({ hits: 0, bytes: 0 }));
  readonly uas = new Map<UaInfo, Counter>();
  readonly refs = new Map<ReferrerInfo, Counter>();
  readonly ftpFiles = new Map<string, Counter>();
  readonly ftpIps = new Map<string, Counter>();
  readonly ftpUsers = new Map<string, Counter>();
  readonly others = new Map<ListName, Counter>();

  constructor(
    readonly site: string,
    readonly date: string,
  ) {}
}

export interface Aggregator {
  add(site: string, hit: AnonHit): void;
  reject(site: string, reason: string): void;
  /** Lines added since the last drain. */
  readonly pending: number;
  drain(): { days: DayDelta[]; rejected: RejectDelta[] };
}

export function createAggregator(opts: AggregatorOptions): Aggregator {
  const cap = opts.topKeysPerDay;
  let days = new Map<string, DayAgg>();
  let rejected = new Map<string, Map<string, number>>();
  let last: DayAgg | null = null;
  let pending = 0;

  /** Count a hit for `key`. String keys are copied on insert (see ownString); others are shared values. */
  function bump<K>(agg: DayAgg, list: ListName, map: Map<K, Counter>, key: K, bytes: number): void {
    const c = map.get(key);
    if (c !== undefined) {
      c.hits++;
      c.bytes += bytes;
      return;
    }
    if (map.size >= cap) {
      const o = agg.others.get(list);
      if (o === undefined) agg.others.set(list, { hits: 1, bytes });
      else {
        o.hits++;
        o.bytes += bytes;
      }
      return;
    }
    map.set(typeof key === 'string' ? (ownString(key) as K) : key, { hits: 1, bytes });
  }

  function dayFor(site: string, date: string): DayAgg {
    if (last !== null && last.date === date && last.site === site) return last;
    const id = `${site}\u0000${date}`;
    let d = days.get(id);
    if (d === undefined) {
      d = new DayAgg(site, ownString(date));
      days.set(id, d);
    }
    last = d;
    return d;
  }

  function add(site: string, h: AnonHit): void {
    pending++;
    const d = dayFor(site, h.date);
    const bytes = h.bytes;
    if (h.ua.bot) {
      d.bots++;
      if (opts.ignoreCrawlers) return;
    }
    if (h.channel === 'ftp') {
      d.ftpTransfers++;
      d.ftpBytes += bytes;
      bump(d, 'ftpFiles', d.ftpFiles, h.path, bytes);
      if (h.ipKey !== '') bump(d, 'ftpIps', d.ftpIps, h.ipKey, bytes);
      if (h.userKey !== '') bump(d, 'ftpUsers', d.ftpUsers, h.userKey, bytes);
      return;
    }
    d.hits++;
    d.bytes += bytes;
    if (h.page) d.pages++;
    if (h.countsAsVisitor) d.visits += d.visitors.hit(h.visitor, h.time, opts.visitTimeoutSec);
    if (h.ipKey !== '') bump(d, 'ips', d.ips, h.ipKey, bytes);
    if (h.userKey !== '') bump(d, 'users', d.users, h.userKey, bytes);
    const path = h.path;
    if (path !== '') {
      bump(d, 'urls', d.urls, path, bytes);
      if (h.status === 404) bump(d, 'notFound', d.notFound, path, bytes);
    }
    bump(d, 'statusCodes', d.statuses, h.status, bytes);
    const hc = d.hours[h.hour]!;
    hc.hits++;
    hc.bytes += bytes;
    bump(d, 'browsers', d.uas, h.ua, bytes);
    if (h.referrer.kind !== 'none') bump(d, 'referrers', d.refs, h.referrer, bytes);
    if (h.country !== '') bump(d, 'countries', d.countries, h.country, bytes);
  }

  function addTo(map: Map<string, Counter>, key: string, c: Counter): void {
    const e = map.get(key);
    if (e === undefined) map.set(key, { hits: c.hits, bytes: c.bytes });
    else {
      e.hits += c.hits;
      e.bytes += c.bytes;
    }
  }

  function textMap(src: Map<string, Counter>, scrubbed = false): Map<string, Counter> {
    const out = new Map<string, Counter>();
    for (const [k, c] of src) addTo(out, scrubbed ? opts.scrub(opts.toText(k)) : opts.toText(k), c);
    return out;
  }

  function toDelta(d: DayAgg): DayDelta {
    const lists = new Map<ListName, Map<string, Counter>>();
    lists.set('ips', textMap(d.ips));
    lists.set('users', textMap(d.users));
    lists.set('urls', textMap(d.urls, true));
    lists.set('notFound', textMap(d.notFound, true));
    lists.set('countries', d.countries);
    const statuses = new Map<string, Counter>();
    for (const [s, c] of d.statuses) statuses.set(s === 0 ? '-' : String(s), c);
    lists.set('statusCodes', statuses);
    const hours = new Map<string, Counter>();
    d.hours.forEach((c, h) => {
      if (c.hits > 0) hours.set(h < 10 ? `0${h}` : String(h), c);
    });
    lists.set('hours', hours);
    const browsers = new Map<string, Counter>();
    const os = new Map<string, Counter>();
    const devices = new Map<string, Counter>();
    for (const [ua, c] of d.uas) {
      addTo(browsers, ua.browser, c);
      addTo(os, ua.os, c);
      addTo(devices, ua.device, c);
    }
    lists.set('browsers', browsers);
    lists.set('os', os);
    lists.set('devices', devices);
    const referrers = new Map<string, Counter>();
    const sites = new Map<string, Counter>();
    const terms = new Map<string, Counter>();
    for (const [r, c] of d.refs) {
      if (r.kind === 'internal' || r.spam) continue;
      if (r.url !== '') addTo(referrers, opts.scrub(opts.toText(r.url)), c);
      if (r.site !== '') addTo(sites, opts.toText(r.site), c);
      if (r.term !== '') addTo(terms, opts.scrub(opts.toText(r.term)), c);
    }
    lists.set('referrers', referrers);
    lists.set('referringSites', sites);
    lists.set('searchTerms', terms);
    lists.set('ftpFiles', textMap(d.ftpFiles, true));
    lists.set('ftpIps', textMap(d.ftpIps));
    lists.set('ftpUsers', textMap(d.ftpUsers));
    // The UA and Referer lists share one capped map each; their overflow shows under each list.
    const uaOther = d.others.get('browsers');
    if (uaOther) {
      d.others.set('os', { ...uaOther });
      d.others.set('devices', { ...uaOther });
    }
    const refOther = d.others.get('referrers');
    if (refOther) d.others.set('referringSites', { ...refOther });
    return {
      site: d.site,
      date: d.date,
      hits: d.hits,
      pages: d.pages,
      bytes: d.bytes,
      bots: d.bots,
      visits: d.visits,
      ftpTransfers: d.ftpTransfers,
      ftpBytes: d.ftpBytes,
      visitors: d.visitors.toSet(),
      lists,
      others: d.others,
    };
  }

  return {
    add,
    reject(site, reason) {
      pending++;
      let m = rejected.get(site);
      if (m === undefined) {
        m = new Map();
        rejected.set(site, m);
      }
      m.set(reason, (m.get(reason) ?? 0) + 1);
    },
    get pending() {
      return pending;
    },
    drain() {
      const out = [...days.values()].map(toDelta);
      const rej: RejectDelta[] = [];
      for (const [site, m] of rejected) for (const [reason, lines] of m) rej.push({ site, reason, lines });
      days = new Map();
      rejected = new Map();
      last = null;
      pending = 0;
      return { days: out, rejected: rej };
    },
  };
}
