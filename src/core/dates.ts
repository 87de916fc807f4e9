/**
 * Calendar days, the one place for date arithmetic outside the parser: 'YYYY-MM-DD' strings and
 * day numbers (days since 1970-01-01, what the engine carries per line).
 */
const DAY_MS = 86_400_000;

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** 'YYYY-MM-DD' of a day number. */
export function dayToIso(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** Day number of 'YYYY-MM-DD' (NaN when it is not a date). */
export function isoToDay(date: string): number {
  return Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
}

/** The ISO week (Monday to Sunday) of a day number, as day numbers. */
export function isoWeekOf(day: number): { first: number; last: number } {
  // 1970-01-01 (day 0) was a Thursday: Monday is 0.
  const monday = day - ((((day + 3) % 7) + 7) % 7);
  return { first: monday, last: monday + 6 };
}

/** The calendar month of a day number, as day numbers. */
export function monthOf(day: number): { first: number; last: number } {
  const d = new Date(day * DAY_MS);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  return { first: Date.UTC(y, m, 1) / DAY_MS, last: Date.UTC(y, m + 1, 0) / DAY_MS };
}

/** Today (UTC) as 'YYYY-MM-DD', or the given clock's. */
export function todayIso(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/**
 * Days a store can hold: 1970-01-01 … 2105-12-31 (ClickHouse's Date; both stores take the same
 * days so that their reports are the same). A line dated outside is rejected as bad_time.
 */
export const LAST_STORABLE_DAY = 49_672;

export function isStorableDay(day: number): boolean {
  return Number.isInteger(day) && day >= 0 && day <= LAST_STORABLE_DAY;
}
