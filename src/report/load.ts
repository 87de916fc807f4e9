/**
 * Reads what one report needs from a Store and builds it: the one place that asks a store for a
 * report (CLI, API and web pages all come through here), so every output follows the same rules:
 * the publication threshold, the previous period when asked for (`hours` is whole from any store).
 */
import type { ReportQuery, Store } from '../store/index.js';
import { buildReport, DEFAULT_THRESHOLD, THRESHOLD_LISTS } from './build.js';
import type { Report } from './contract.js';
import { previousRange } from './periods.js';

export interface LoadOptions extends ReportQuery {
  /** Also read the period of equal length just before (`previous`). */
  readonly compare?: boolean;
  readonly threshold?: number;
}

/** null when the site has no data at all (as Store.query). */
export async function loadReport(store: Store, q: LoadOptions): Promise<Report | null> {
  // The publication threshold is the store's to apply: before `top`, over every key of the range.
  const threshold = q.threshold ?? DEFAULT_THRESHOLD;
  const minHits = threshold > 1 ? Object.fromEntries(THRESHOLD_LISTS.map((l) => [l, threshold])) : {};
  const stored = await store.query({ site: q.site, from: q.from, to: q.to, top: q.top, minHits });
  if (stored === null) return null;
  let previous = null;
  if (q.compare === true) {
    const r = previousRange(stored.from, stored.to);
    // Only the totals are used: one row per list is the cheapest answer a store gives.
    previous = await store.query({ site: q.site, from: r.from, to: r.to, top: 1 });
  }
  return buildReport(stored, { threshold, top: q.top, previous });
}
