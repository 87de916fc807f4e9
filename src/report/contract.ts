/**
 * The JSON report contract (docs/report-contract.md). Other tools read it: keep it stable.
 * Every renderer (text, CSV, HTML) renders exactly this object and nothing else.
 */

import type { FtpList, TopList } from '../core/lists.js';
import type { IpPolicySpec, UserPolicySpec } from '../core/policy.js';

export { TOP_LISTS, FTP_LISTS } from '../core/lists.js';
export type { TopList, FtpList } from '../core/lists.js';

export interface TopRow {
  key: string;
  hits: number;
  bytes: number;
}

/** A `slowPages` row: `hits` = requests with a logged time taken; times in milliseconds. */
export interface SlowRow extends TopRow {
  totalMs: number;
  /** totalMs / hits, rounded to microseconds (3 decimals). */
  avgMs: number;
  maxMs: number;
}

export interface Totals {
  hits: number;
  visitors: number;
  visits: number;
  pages: number;
  ips: number;
  bytes: number;
  bots: number;
  /** Visits with exactly one page view (sum of the per-day values). */
  bounces: number;
  /** Summed visit durations in seconds (sum of the per-day values); average = visitSeconds / visits. */
  visitSeconds: number;
}

export interface DayRow {
  date: string;
  hits: number;
  visitors: number;
  visits: number;
  pages: number;
  bytes: number;
}

/** One calendar month the range touches; visitors = sum of its daily uniques, like totals. */
export interface MonthRow {
  /** YYYY-MM */
  month: string;
  hits: number;
  visitors: number;
  visits: number;
  pages: number;
  bytes: number;
}

export interface FtpSection {
  transfers: number;
  bytes: number;
  top: Record<FtpList, TopRow[]>;
}

/** The top lists: every list is TopRow[], slowPages carries times too. */
export type TopLists = Record<Exclude<TopList, 'slowPages'>, TopRow[]> & { slowPages: SlowRow[] };

/** The period of equal length just before the report's, with its totals (`--compare`). */
export interface PreviousPeriod {
  from: string;
  to: string;
  totals: Totals;
}

export interface Report {
  site: string;
  from: string;
  to: string;
  totals: Totals;
  days: DayRow[];
  /** Every month from `from` to `to`, ascending, months without data as zeros. */
  months: MonthRow[];
  top: TopLists;
  /** What a list does not show (top, publication threshold, per-day key caps): shown + others = the sum. */
  others: Partial<Record<TopList | FtpList, { hits: number; bytes: number }>>;
  ftp: FtpSection;
  rejected: { lines: number; reasons: Record<string, number> };
  /**
   * How the numbers were made: the IP / user policy in force (`ipPolicy`/`userPolicy`: stable
   * English sentences, joined by '; ' when the data mixes policies), data attributions, and the
   * same policies as data (`privacy`).
   */
  meta: { ipPolicy: string; userPolicy: string; attribution: string[]; privacy: ReportPrivacy };
  /** Present when asked for (`--compare`, the web pages); null otherwise. */
  previous: PreviousPeriod | null;
  /** Days whose visitors/visits could not be deduplicated across separate ingest runs. */
  undeduplicatedDays: string[];
}

/** The privacy policy of the report's data, as data: what the privacy notice is made from. */
export interface ReportPrivacy {
  /** IP policies the data was made under, oldest first: `{ mode, v4, v6 }` (prefixes for mask). */
  ip: IpPolicySpec[];
  /** User-name policies, likewise: `{ mode }`. */
  user: UserPolicySpec[];
  /** Days raw log lines of this site are kept before they are deleted (0: never written). */
  rawWindowDays: number;
  /** Publication threshold k applied to this report's IP and user-name lists. */
  threshold: number;
}
