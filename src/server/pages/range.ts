/**
 * The period a weblog page shows. "Last 7/30 days" end on the most recent day with data (not on
 * today): logs arrive late or are imported in bulk, and a page of empty days helps no one. The
 * page always states the exact dates.
 */
import { appError } from '../../core/errors.js';

export const RANGE_KINDS = ['7d', '30d', 'month', 'custom', 'all'] as const;
export type RangeKind = (typeof RANGE_KINDS)[number];

export interface RangeQuery {
  range?: RangeKind;
  month?: string;
  from?: string;
  to?: string;
}

export interface Range {
  readonly kind: RangeKind;
  /** Inclusive bounds; null = open (first / last day with data). */
  readonly from: string | null;
  readonly to: string | null;
  /** YYYY-MM for the month form field. */
  readonly month: string;
}

const DAY_MS = 86_400_000;

function isoDay(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}

function dayMs(d: string): number {
  return Date.parse(`${d}T00:00:00Z`);
}

export function isDate(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(dayMs(s)) && isoDay(dayMs(s)) === s;
}

/** `lastDay`: the site's most recent day with data (null: none); `today` anchors sites without data. */
export function resolveRange(q: RangeQuery, lastDay: string | null, today: string): Range {
  const anchor = lastDay ?? today;
  const kind = q.range ?? '30d';
  const monthOf = (d: string): string => d.slice(0, 7);
  switch (kind) {
    case '7d':
    case '30d': {
      const n = kind === '7d' ? 7 : 30;
      return { kind, from: isoDay(dayMs(anchor) - (n - 1) * DAY_MS), to: anchor, month: monthOf(anchor) };
    }
    case 'month': {
      const month = q.month ?? monthOf(anchor);
      if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw appError('ERR_REQUEST_INVALID', 'month must be YYYY-MM');
      const [y, m] = month.split('-').map(Number) as [number, number];
      const last = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
      return { kind, from: `${month}-01`, to: last, month };
    }
    case 'custom': {
      const from = q.from ?? anchor;
      const to = q.to ?? anchor;
      if (!isDate(from) || !isDate(to)) throw appError('ERR_REQUEST_INVALID', 'from and to must be dates YYYY-MM-DD');
      if (from > to) throw appError('ERR_REQUEST_INVALID', `from ${from} is after to ${to}`);
      return { kind, from, to, month: monthOf(to) };
    }
    case 'all':
      return { kind, from: null, to: null, month: monthOf(anchor) };
  }
}

/** Query string that reproduces a range (for download links and the language switch). */
export function rangeQuery(r: Range): Record<string, string> {
  if (r.kind === 'month') return { range: 'month', month: r.month };
  if (r.kind === 'custom') return { range: 'custom', from: r.from ?? '', to: r.to ?? '' };
  return { range: r.kind };
}
