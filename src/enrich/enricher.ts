/**
 * The enrich stage's public interface. Enrichment is the last stage allowed to see a raw client IP:
 * it turns a line's User-Agent, client address and Referer into the shared, frozen values of
 * `Enrichment` (src/core/record.ts).
 *
 * Every enricher is built once and then called once per log line. Each one memoises per distinct
 * input in a bounded cache (FIFO eviction, src/enrich/cache.ts), and returns shared frozen objects:
 * a cache hit is one Map lookup and allocates nothing. Callers must never mutate a result.
 *
 * Strings in and out are latin1 byte strings like every text field (record.ts): a percent-decoded
 * search term holds the UTF-8 bytes of the term, one char per byte.
 */
import type { RawIp, ReferrerInfo, UaInfo } from '../core/record.js';

export interface UaClassifier {
  /** Browser, OS, device class and crawler flag. '' → the shared "unknown" info. */
  classify(userAgent: string): UaInfo;
}

export interface UaClassifierOptions {
  /** Distinct User-Agents remembered (default 20,000). */
  cacheSize?: number;
}

export interface GeoLookup {
  /** ISO 3166-1 alpha-2 code; '' for empty, invalid, private or unknown addresses. */
  country(ip: RawIp): string;
  /** The same for an address written in bytes[s, e), as two packed char codes (c1 << 8 | c2); 0 for unknown. */
  countryOfBytes(bytes: Uint8Array, s: number, e: number): number;
  /** Credit line a report must show for the database in use, null when none is required. */
  readonly attribution: string | null;
  close?(): void;
}

export interface GeoLookupOptions {
  /** An .mmdb country (or city) database; default: the bundled DB-IP Lite country db. */
  path?: string;
  /** Where the database's range table is cached (default: geoCacheDir()). */
  cacheDir?: string;
}

export interface ReferrerClassifier {
  classify(referrer: string): ReferrerInfo;
}

export interface ReferrerClassifierOptions {
  /** The site's own host names; a Referer from one of them (or its www. twin) is internal. */
  hosts: readonly string[];
  /** Distinct Referer values remembered (default 20,000). */
  cacheSize?: number;
}

export { createUaClassifier } from './ua.js';
export { openGeoLookup, DBIP_ATTRIBUTION } from './geo.js';
export { createReferrerClassifier } from './referrer.js';
export { isCrawler } from './bots.js';
