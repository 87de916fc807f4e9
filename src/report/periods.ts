/**
 * Calendar arithmetic on the report's YYYY-MM-DD dates (UTC, no time zones: a log day is the
 * date written in the log line). Pure functions shared by buildReport and the renderers.
 */
import { addDays } from '../core/dates.js';
import type { DayRow, MonthRow } from './contract.js';

const DAY_MS = 86_400_000;

function ms(day: string): number {
  return Date.parse(`${day}T00:00:00Z`);
}

/** Days from `from` to `to`, both included (0 when to < from). */
export function dayCount(from: string, to: string): number {
  return Math.max(0, Math.round((ms(to) - ms(from)) / DAY_MS) + 1);
}

/** The period of equal length that ends the day before `from`. */
export function previousRange(from: string, to: string): { from: string; to: string } {
  const n = Math.max(1, dayCount(from, to));
  return { from: addDays(from, -n), to: addDays(from, -1) };
}

/** YYYY-MM of every month from `from`'s to `to`'s, ascending. */
export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  let y = Number(from.slice(0, 4));
  let m = Number(from.slice(5, 7));
  const endY = Number(to.slice(0, 4));
  const endM = Number(to.slice(5, 7));
  while (y < endY || (y === endY && m <= endM)) {
    out.push(`${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}`);
    if (++m > 12) {
      m = 1;
      y++;
    }
  }
  return out;
}

/** Month rows for the range, built from its days (visitors: sum of daily uniques). */
export function monthRows(from: string, to: string, days: readonly DayRow[]): MonthRow[] {
  const rows = new Map<string, MonthRow>();
  for (const month of monthsBetween(from, to)) rows.set(month, { month, hits: 0, visitors: 0, visits: 0, pages: 0, bytes: 0 });
  for (const d of days) {
    const r = rows.get(d.date.slice(0, 7));
    if (r === undefined) continue;
    r.hits += d.hits;
    r.visitors += d.visitors;
    r.visits += d.visits;
    r.pages += d.pages;
    r.bytes += d.bytes;
  }
  return [...rows.values()];
}

/**
 * A longer range is shown with its days that have data only: a custom range of decades must not
 * turn into tens of thousands of empty rows.
 */
export const MAX_AXIS_DAYS = 1100;

/** Every day from `from` to `to` with empty days as zeros (the charts' and tables' date axis). */
export function continuousDays(from: string, to: string, days: readonly DayRow[]): DayRow[] {
  const n = dayCount(from, to);
  if (n === 0 || n > MAX_AXIS_DAYS) return [...days];
  const byDate = new Map(days.map((d) => [d.date, d]));
  const out: DayRow[] = [];
  for (let i = 0; i < n; i++) {
    const date = addDays(from, i);
    out.push(byDate.get(date) ?? { date, hits: 0, visitors: 0, visits: 0, pages: 0, bytes: 0 });
  }
  return out;
}
