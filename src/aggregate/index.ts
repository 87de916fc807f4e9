/**
 * @module aggregate — AnonHits in, a BatchPart (per site-day counts, lists and visit intervals) out.
 */
export { createBatchAggregator } from './batch-aggregator.js';
export type { BatchAggregator, KeyDisplay, SiteDayIndex, AggregatorOptions } from './batch-aggregator.js';
export { NO_KEY, T_BOTS, T_BYTES, T_FTP_BYTES, T_FTP_TRANSFERS, T_HITS, T_PAGES, TOTAL_FIELDS, keyBytes, keyText, mergeSiteMeta } from './batch-data.js';
export type {
  Batch,
  BatchPart,
  CheckpointMove,
  KeyDictionary,
  ListColumns,
  OtherColumns,
  RawFileSize,
  RejectCount,
  SiteMeta,
  VisitColumns,
} from './batch-data.js';
export { mergeIntervals, summarizeVisits, emptyIntervals, copyInterval } from './visit-merge.js';
export type { VisitSummary } from './visit-merge.js';
export type { Intervals } from './batch-data.js';
export type { KeyLess } from './visit-table.js';
