/**
 * The Store interface: the only way anything reads or writes weblog data. The embedded SQLite
 * store and the ClickHouse store implement it, and one contract suite
 * (test/contract/store.contract.ts) runs against each. It accepts only aggregated, anonymised
 * deltas (aggregate/delta.ts): there is no method through which a raw line could be written.
 */
import type { Batch, Checkpoint, Counter, RawFileSize, SiteMeta } from '../aggregate/delta.js';
import type { ListName } from '../core/lists.js';

export interface ReportQuery {
  readonly site: string;
  /** Inclusive YYYY-MM-DD bounds; null = from the first / to the last day with data. */
  readonly from: string | null;
  readonly to: string | null;
  /** Rows per top list; 0 = all. */
  readonly top: number;
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
}

export interface StoredRow {
  key: string;
  hits: number;
  bytes: number;
}

export interface StoredReport {
  site: string;
  from: string;
  to: string;
  days: StoredDay[];
  /** Distinct `ips` keys over the range. */
  distinctIps: number;
  /** Sorted by hits desc, then key (code point order); at most `top` rows each. */
  top: Record<ListName, StoredRow[]>;
  others: Partial<Record<ListName, Counter>>;
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
  /** Checkpoints recorded for sources in this scope. */
  checkpoints(scope: string): Promise<Checkpoint[]>;
  /** Add a batch's deltas and move its checkpoint, atomically: all of it or nothing. */
  commit(batch: Batch): Promise<void>;
  /** Sites with data, sorted. */
  sites(): Promise<string[]>;
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
