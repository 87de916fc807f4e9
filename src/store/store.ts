/**
 * The Store interface: the only way anything reads or writes weblog data. The embedded SQLite
 * store and the ClickHouse store implement it, and one contract suite
 * (test/contract/store.contract.ts) runs against each. It accepts only aggregated, anonymised
 * deltas (aggregate/batch-data.ts): there is no method through which a raw line could be written.
 */
import type { Batch, RawFileSize, SiteMeta } from '../aggregate/index.js';
import type { ListName } from '../core/lists.js';

export interface Counter {
  hits: number;
  bytes: number;
}

/** Where a source (a file's content, by fingerprint) stands. */
export interface Checkpoint {
  readonly fpLength: number;
  readonly fpHash: string;
  readonly dev: number;
  readonly ino: number;
  /** Decompressed bytes consumed. */
  readonly offset: number;
  readonly lines: number;
}

export interface ReportQuery {
  readonly site: string;
  /** Inclusive YYYY-MM-DD bounds; null = from the first / to the last day with data. */
  readonly from: string | null;
  readonly to: string | null;
  /** Rows per top list; 0 = all. `hours` (at most 24 keys) is always whole: see rowsOf. */
  readonly top: number;
  /** Lists whose rows need at least this many hits (the publication threshold); others show every key. */
  readonly minHits?: Partial<Record<ListName, number>>;
}

/** Keys the `hours` list can have. */
export const HOUR_KEYS = 24;

/**
 * The rows a report gets of a list for `top`: `hours` whole (a report draws all 24), every other
 * list `top` (0 = all). A report asked the other lists for 24 rows too, only for the hours' sake:
 * 24 rows of a flat list cannot be told from the rollups' heads, 10 can (range-lists.ts).
 */
export function rowsOf(list: ListName, top: number): number {
  return list === 'hours' ? 0 : top;
}

export interface StoredDay {
  date: string;
  hits: number;
  visitors: number;
  visits: number;
  pages: number;
  bytes: number;
  bots: number;
  ftpTransfers: number;
  ftpBytes: number;
  /** Visits with exactly one page view. */
  bounces: number;
  /** Summed duration of visits (last hit − first hit), seconds. */
  visitSeconds: number;
}

export interface StoredRow {
  key: string;
  hits: number;
  bytes: number;
  /** slowPages: summed and largest time taken of the `hits` timed requests, milliseconds. */
  totalMs?: number;
  maxMs?: number;
}

export interface StoredReport {
  site: string;
  from: string;
  to: string;
  days: StoredDay[];
  /** Distinct `ips` keys over the range. */
  distinctIps: number;
  /** Sorted by hits desc (slowPages: by totalMs), then key (code point order); at most `top` rows each. */
  top: Record<ListName, StoredRow[]>;
  /** Every key of each list over the range, listed or not (what a list adds up to). */
  sums: Partial<Record<ListName, Counter>>;
  /** Hits of keys beyond the per-day key cap (never keyed). */
  others: Partial<Record<ListName, Counter>>;
  /**
   * Days whose visitors and visits could not be deduplicated: parts of the day were ingested
   * under different visitor keys (a later run for a day whose key had been destroyed).
   */
  undeduplicatedDays: string[];
  rejected: Record<string, number>;
  meta: SiteMeta;
}

/** One deletion made by the retention rules or an operator: the audit trail (privacy issue). */
export interface AuditRecord {
  /** ISO timestamp of the deletion. */
  at: string;
  /** e.g. 'purge-raw', 'contract-end', 'delete-site'. */
  action: string;
  site: string;
  /** The day deleted, when the deletion was per day. */
  day: string | null;
  rows: number;
  detail: string;
}

export interface SiteRetention {
  site: string;
  contractEnd: string | null;
  rawWindowDays: number;
  firstDay: string | null;
  lastDay: string | null;
}

export interface Store {
  /** Where the data lives, for messages (no credentials). */
  readonly location: string;
  /** Where every source stands, longest fingerprint first. */
  checkpoints(): Promise<Checkpoint[]>;
  /**
   * Add a batch's parts and move its source, atomically: all of it or nothing. The source must
   * still stand where the batch says it started (compare-and-set), else ERR_SOURCE_BUSY and
   * nothing is written.
   */
  commit(batch: Batch): Promise<void>;
  /** Rewrites what the commits of this process left in many small pieces into few (end of an ingest). */
  compact(): Promise<void>;
  /**
   * Closes the visits of every site-day before `cutoffOf(its site's raw window)` (YYYY-MM-DD):
   * their visitor intervals are dropped and their counts kept; audited per site. Returns the
   * site-days closed. Their keys are gone, so nothing could be joined to them any more.
   */
  closeVisits(cutoffOf: (windowDays: number) => string, at: Date): Promise<number>;
  /** Sites with data, sorted. */
  sites(): Promise<string[]>;
  /**
   * Every site's days in [from, to] whose visitors were counted under more than one key
   * (`StoredReport.undeduplicatedDays`), in one read: an ingest of an archive of thousands of
   * sites asks once, not once per site.
   */
  undeduplicatedDays(from: string, to: string): Promise<{ site: string; day: string }[]>;
  /** null when the site has no data at all. */
  query(q: ReportQuery): Promise<StoredReport | null>;
  /** Set or clear (null) a site's contract end, creating the site if needed. */
  setContractEnd(site: string, date: string | null): Promise<void>;
  /** Every site with its contract end and data range (for the retention rules). */
  retention(): Promise<SiteRetention[]>;
  /**
   * Delete everything of a site (aggregates, dimension strings, visitor sets, rejects) and write
   * one audit record with `action` and `detail`, in one transaction. Returns rows deleted.
   */
  deleteSite(site: string, action: string, detail: string, at: Date): Promise<number>;
  /** Committed sizes of the raw-window files (store/raw-spool.ts). */
  rawFiles(): Promise<RawFileSize[]>;
  /** Forget a deleted raw-window file and record its deletion, in one transaction. */
  forgetRawFile(site: string, day: string, audit: AuditRecord): Promise<void>;
  /** Append audit records. */
  addAudit(records: readonly AuditRecord[]): Promise<void>;
  /** Audit records, oldest first. */
  audit(): Promise<AuditRecord[]>;
  close(): Promise<void>;
}
