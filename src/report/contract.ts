/**
 * The JSON report contract (docs/report-contract.md). Other tools read it: keep it stable.
 * Every renderer (text, CSV, HTML) renders exactly this object and nothing else.
 */

import type { FtpList, TopList } from '../core/lists.js';

export { TOP_LISTS, FTP_LISTS } from '../core/lists.js';
export type { TopList, FtpList } from '../core/lists.js';

export interface TopRow {
  key: string;
  hits: number;
  bytes: number;
}

export interface Totals {
  hits: number;
  visitors: number;
  visits: number;
  pages: number;
  ips: number;
  bytes: number;
  bots: number;
}

export interface DayRow {
  date: string;
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

export interface Report {
  site: string;
  from: string;
  to: string;
  totals: Totals;
  days: DayRow[];
  top: Record<TopList, TopRow[]>;
  /** Rows folded into a top list's "(other)" because a per-day key cap was reached. */
  others: Partial<Record<TopList | FtpList, { hits: number; bytes: number }>>;
  ftp: FtpSection;
  rejected: { lines: number; reasons: Record<string, number> };
  /** How the numbers were made: the IP / user policy in force, and data attributions. */
  meta: { ipPolicy: string; userPolicy: string; attribution: string[] };
}
