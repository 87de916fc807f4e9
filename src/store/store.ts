/**
 * The Store interface: the only way anything reads or writes weblog data. The embedded SQLite
 * store and the ClickHouse store implement it, and one contract suite
 * (test/contract/store.contract.ts) runs against each. It accepts only aggregated, anonymised
 * deltas (aggregate/delta.ts): there is no method through which a raw line could be written.
 */
import type { Batch, Checkpoint, Counter, SiteMeta } from '../aggregate/delta.js';
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
  close(): Promise<void>;
}
