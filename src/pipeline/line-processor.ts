/**
 * The per-line data path, left to right: parse → route → enrich → anonymise → aggregate.
 * Built once per ingest from compiled stages; `process` is the hot path and allocates nothing
 * per line beyond the slices the parser takes.
 */
import type { Aggregator } from '../aggregate/aggregator.js';
import { fnv1a32, type Anonymiser } from '../anonymise/index.js';
import { emptyParsedLine, type Enrichment, type ReferrerInfo, type RejectReason, type UaInfo } from '../core/record.js';
import { ownString } from '../core/strings.js';
import type { AttackSignal } from '../detect/index.js';
import type { ReferrerClassifier, UaClassifier } from '../enrich/index.js';
import type { LineParser } from '../parse/index.js';

export type Routing =
  | { readonly type: 'fixed'; readonly site: string }
  | {
      readonly type: 'vhost';
      /** Sites lines may go to; null accepts every vhost as its own site. */
      readonly known: ReadonlySet<string> | null;
      /** Host name → site, for the host names a site answers to besides its own name. */
      readonly aliases?: ReadonlyMap<string, string>;
    };

/** The enrichers the line processor calls (the country lookup runs inside the anonymiser). */
export interface Enrichers {
  readonly ua: UaClassifier | null;
  /** Creates the referrer classifier of a site (its own host names make referrers internal). */
  readonly referrerFor: ((site: string) => ReferrerClassifier) | null;
  readonly clientResolver: { resolve(line: ReturnType<typeof emptyParsedLine>): void } | null;
  /** Short-term attack detection on the raw line (nothing stored); null when off. */
  readonly attack: AttackSignal | null;
  /** Lower-case extensions of page-like URLs (Webalizer's PageType); extension-less paths are pages. */
  readonly pageExtensions: ReadonlySet<string>;
}

const UNKNOWN_UA: UaInfo = Object.freeze({ browser: 'Unknown', os: 'Unknown', device: 'Unknown', bot: false });
const NO_REFERRER: ReferrerInfo = Object.freeze({ kind: 'none', url: '', site: '', engine: '', term: '', spam: false });

interface UaEntry {
  readonly info: UaInfo;
  readonly hash: number;
}

const UA_CACHE_LIMIT = 50_000;

export interface LineProcessor {
  /** Returns the reject reason, or null when the line was counted. */
  process(line: string, parser: LineParser, routing: Routing, rejectSite: string): RejectReason | null;
}

/** The raw-record window: lines of sites that keep raw records are appended as collected. */
export interface RawSink {
  /** Whether a line of this site and day belongs in the window (a day already past it is never written). */
  keeps(site: string, date: string): boolean;
  append(site: string, date: string, line: string): void;
}

export function createLineProcessor(enrich: Enrichers, anonymiser: Anonymiser, aggregator: Aggregator, raw: RawSink | null): LineProcessor {
  const parsed = emptyParsedLine();
  const enrichment: Enrichment = { ua: UNKNOWN_UA, referrer: NO_REFERRER };
  const uaCache = new Map<string, UaEntry>();
  const referrers = new Map<string, ReferrerClassifier>();

  function uaEntry(ua: string): UaEntry {
    let e = uaCache.get(ua);
    if (e === undefined) {
      if (uaCache.size >= UA_CACHE_LIMIT) uaCache.clear();
      e = { info: enrich.ua && ua !== '' ? enrich.ua.classify(ua) : UNKNOWN_UA, hash: fnv1a32(ua) };
      uaCache.set(ownString(ua), e);
    }
    return e;
  }

  function isPage(path: string): boolean {
    if (path === '') return false;
    const slash = path.lastIndexOf('/');
    const dot = path.lastIndexOf('.');
    if (dot <= slash) return true;
    return enrich.pageExtensions.has(path.slice(dot + 1).toLowerCase());
  }

  return {
    process(line, parser, routing, rejectSite) {
      const reason = parser.parse(line, parsed);
      if (reason !== null) {
        aggregator.reject(rejectSite, reason);
        return reason;
      }
      let site: string;
      if (routing.type === 'fixed') site = routing.site;
      else {
        site = routing.aliases?.get(parsed.vhost) ?? parsed.vhost;
        if (site === '' || (routing.known !== null && !routing.known.has(site))) {
          aggregator.reject(rejectSite, 'no_site');
          return 'no_site';
        }
      }
      if (raw !== null && raw.keeps(site, parsed.date)) raw.append(site, parsed.date, line);
      enrich.clientResolver?.resolve(parsed);
      enrich.attack?.observe(parsed);
      const ua = uaEntry(parsed.userAgent);
      enrichment.ua = ua.info;
      if (enrich.referrerFor !== null && parsed.referrer !== '') {
        let rc = referrers.get(site);
        if (rc === undefined) {
          rc = enrich.referrerFor(site);
          referrers.set(site, rc);
        }
        enrichment.referrer = rc.classify(parsed.referrer);
      } else enrichment.referrer = NO_REFERRER;
      const hit = anonymiser.apply(site, parsed, enrichment, ua.hash, isPage(parsed.path));
      aggregator.add(site, hit);
      return null;
    },
  };
}
