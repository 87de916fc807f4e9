/**
 * @module enrich
 * User-Agent, country and Referer enrichment. See enricher.ts.
 */
export type {
  UaClassifier,
  UaClassifierOptions,
  GeoLookup,
  GeoLookupOptions,
  ReferrerClassifier,
  ReferrerClassifierOptions,
} from './enricher.js';
export { createUaClassifier, openGeoLookup, DBIP_ATTRIBUTION, createReferrerClassifier, isCrawler } from './enricher.js';
export { createLineEnricher } from './line-enricher.js';
export type { LineEnricher } from './line-enricher.js';
export { ownHostKeys } from './referrer.js';
