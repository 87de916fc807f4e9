/**
 * Formatting shared by the renderers: numbers, byte sizes, shares, and making untrusted keys safe
 * to show. Report keys (URLs, referrers, user agents, search terms) are written by whoever sent the
 * request, so every renderer treats them as hostile.
 */

import type { DayRow, FtpList, Report, TopList, TopRow } from '../contract.js';
import type { Messages } from './i18n.js';

const countFormats = new Map<string, Intl.NumberFormat>();

/** Integer with the locale's grouping (1,234 / 1.234). */
export function formatCount(n: number, locale: string): string {
  let f = countFormats.get(locale);
  if (f === undefined) {
    f = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
    countFormats.set(locale, f);
  }
  return f.format(n);
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'] as const;

/**
 * Fixed decimals without grouping (values here are below 1024 or 100): toFixed is ~20x faster than
 * Intl for the many cells of a big report; only the decimal mark depends on the language.
 */
function fixed(v: number, digits: number, locale: string): string {
  const s = v.toFixed(digits);
  return locale.startsWith('de') ? s.replace('.', ',') : s;
}

/**
 * The largest f(x) of items, or `start` when larger: not Math.max(...values), whose arguments go on
 * the stack (a report with --top 0 of a busy site has 459k addresses: RangeError).
 */
export function maxOf<T>(items: readonly T[], f: (x: T) => number, start = -Infinity): number {
  let m = start;
  for (const x of items) {
    const v = f(x);
    if (v > m) m = v;
  }
  return m;
}

/** Binary units as GoAccess prints them; one decimal from KiB up, so columns stay narrow. */
export function humanBytes(n: number, locale = 'en-GB'): string {
  if (!Number.isFinite(n) || n < 1024) return `${Number.isFinite(n) ? Math.max(0, Math.round(n)) : 0} B`;
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  // 1023.96 KiB would print as "1024.0 KiB": move up a unit instead.
  if (v >= 1023.95 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return `${fixed(v, 1, locale)} ${UNITS[u]}`;
}

/** Share of `part` in `whole` with two decimals and a percent sign ('0.00%' when whole is 0). */
export function percent(part: number, whole: number, locale = 'en-GB'): string {
  const p = whole > 0 ? (part * 100) / whole : 0;
  return `${fixed(p, 2, locale)}%`;
}

const HEX = '0123456789abcdef';

function needsEscape(c: number): boolean {
  return (
    c < 0x20 ||
    (c >= 0x7f && c <= 0x9f) ||
    // Bidi embeddings/overrides/isolates and line/paragraph separators: they reorder or break
    // the surrounding table (the "Trojan Source" trick) without being visible themselves.
    (c >= 0x202a && c <= 0x202e) ||
    (c >= 0x2066 && c <= 0x2069) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x200e ||
    c === 0x200f ||
    c === 0x061c
  );
}

/**
 * Replaces control characters (C0 including ESC, DEL, C1) and invisible bidi controls by visible
 * `\xHH` / `\u{HHHH}` escapes, so no key can move a terminal cursor, start an ANSI sequence or
 * reorder a line. Returns the input itself when it is clean (the common case).
 */
export function escapeControls(s: string): string {
  let i = 0;
  const n = s.length;
  while (i < n && !needsEscape(s.charCodeAt(i))) i++;
  if (i === n) return s;
  let out = s.slice(0, i);
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (!needsEscape(c)) {
      out += s[i];
    } else if (c <= 0xff) {
      out += `\\x${HEX[c >> 4]}${HEX[c & 15]}`;
    } else {
      out += `\\u{${c.toString(16)}}`;
    }
  }
  return out;
}

/** Columns a code point takes in a terminal: 0 for combining marks, 2 for East Asian wide. */
function codePointWidth(cp: number): number {
  if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200d) || cp === 0xfe0f || (cp >= 0xfe00 && cp <= 0xfe0e)) {
    return 0;
  }
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

/** Terminal display width of an already control-free string. */
export function displayWidth(s: string): number {
  let w = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x300) {
      w++;
      continue;
    }
    const cp = s.codePointAt(i) ?? c;
    if (cp > 0xffff) i++;
    w += codePointWidth(cp);
  }
  return w;
}

/** Cuts `s` to at most `width` columns, ending in '…' when something was cut. */
export function truncate(s: string, width: number): string {
  if (width <= 0) return '';
  if (displayWidth(s) <= width) return s;
  let w = 0;
  let end = 0;
  for (let i = 0; i < s.length; ) {
    const cp = s.codePointAt(i) ?? 0;
    const cw = codePointWidth(cp);
    if (w + cw > width - 1) break;
    w += cw;
    i += cp > 0xffff ? 2 : 1;
    end = i;
  }
  return `${s.slice(0, end)}…`;
}

/** Pads to `width` display columns; right-aligns when `right`. */
export function pad(s: string, width: number, right = false): string {
  const gap = width - displayWidth(s);
  if (gap <= 0) return s;
  return right ? ' '.repeat(gap) + s : s + ' '.repeat(gap);
}

const HTML_ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const HTML_SPECIAL = /[&<>"']/g;

/** Text → HTML text or attribute value; control characters become visible escapes first. */
export function escapeHtml(s: string): string {
  return escapeControls(s).replace(HTML_SPECIAL, (c) => HTML_ESC[c] ?? c);
}

const regionNames = new Map<string, Intl.DisplayNames | null>();

/** 'DE' → 'Germany' / 'Deutschland'; '' when the code is not an ISO 3166-1 alpha-2 code. */
export function countryName(code: string, locale: string): string {
  if (code.length !== 2) return '';
  const a = code.charCodeAt(0);
  const b = code.charCodeAt(1);
  if (a < 65 || a > 90 || b < 65 || b > 90) return '';
  let names = regionNames.get(locale);
  if (names === undefined) {
    try {
      names = new Intl.DisplayNames([locale], { type: 'region', fallback: 'none' });
    } catch {
      names = null;
    }
    regionNames.set(locale, names);
  }
  if (names === null) return '';
  try {
    return names.of(code) ?? '';
  } catch {
    return '';
  }
}

/** Lists whose keys the enrichment writes in English words (Unknown, device classes). */
const NAMED_KEY_LISTS: ReadonlySet<string> = new Set(['browsers', 'os', 'devices', 'browserVersions', 'osVersions']);

/**
 * How a key is shown to people (not in CSV, which keeps the data as stored): empty keys get a
 * label, countries get their name after the code. Still untrusted: escape the result.
 */
export function displayKey(list: TopList | FtpList, key: string, m: Messages): string {
  if (key === '') return m.emptyKey;
  if (NAMED_KEY_LISTS.has(list) && Object.hasOwn(m.keyNames, key)) return m.keyNames[key]!;
  if ((list === 'browserVersions' || list === 'osVersions') && key.startsWith('Unknown')) return m.keyNames['Unknown']! + key.slice(7);
  if (list === 'statusCodes' && Object.hasOwn(m.statusNames, key)) return `${key} ${m.statusNames[key]}`;
  if (list === 'countries') {
    const name = countryName(key, m.locale);
    return name === '' ? key : `${key} ${name}`;
  }
  return key;
}

/** The "(other)" row of a list, if the per-day key cap folded anything into it. */
export function otherRow(report: Report, list: TopList | FtpList): { hits: number; bytes: number } | undefined {
  const o = report.others[list];
  return o !== undefined && (o.hits > 0 || o.bytes > 0) ? o : undefined;
}

/** Rows of a top list or an FTP list. */
export function listRows(report: Report, list: TopList | FtpList): readonly TopRow[] {
  return isFtpList(list) ? report.ftp.top[list] ?? [] : report.top[list] ?? [];
}

export function isFtpList(list: string): list is FtpList {
  return list === 'ftpFiles' || list === 'ftpIps' || list === 'ftpUsers';
}

/** Status codes grouped by class (1xx–5xx, and '-' for none), from the listed codes. */
export interface StatusClassRow {
  readonly cls: '1' | '2' | '3' | '4' | '5';
  readonly hits: number;
  readonly bytes: number;
}

export function statusClasses(report: Report): { classes: StatusClassRow[]; notListed: number } {
  const sums = new Map<StatusClassRow['cls'], { hits: number; bytes: number }>();
  let listed = 0;
  for (const r of report.top.statusCodes) {
    listed += r.hits;
    const c = r.key.charAt(0);
    if (r.key.length !== 3 || c < '1' || c > '5') continue;
    const s = sums.get(c as StatusClassRow['cls']) ?? { hits: 0, bytes: 0 };
    s.hits += r.hits;
    s.bytes += r.bytes;
    sums.set(c as StatusClassRow['cls'], s);
  }
  const classes = (['1', '2', '3', '4', '5'] as const).filter((c) => sums.has(c)).map((cls) => ({ cls, ...sums.get(cls)! }));
  // Every hit has a status (or '-'), so what the cut list misses is the rest of the total.
  return { classes, notListed: Math.max(0, report.totals.hits - listed) };
}

/** The rows of browserVersions / osVersions that belong to one family of browsers / os. */
export function versionsOf(report: Report, list: 'browsers' | 'os', family: string): readonly TopRow[] {
  const rows = list === 'browsers' ? report.top.browserVersions : report.top.osVersions;
  const prefix = `${family} `;
  return rows.filter((r) => r.key.startsWith(prefix));
}

/** Change against the previous period: a fraction (0.123 = +12.3 %), or null when there was nothing before. */
export function change(now: number, before: number): number | null {
  if (before <= 0) return now > 0 ? null : 0;
  return (now - before) / before;
}

/** Signed percentage with one decimal: '+12.3%', '−4.0%' (a real minus sign). */
export function signedPercent(f: number, locale: string): string {
  const v = Math.round(f * 1000) / 10;
  const s = fixed(Math.abs(v), 1, locale);
  return v > 0 ? `+${s}%` : v < 0 ? `\u2212${s}%` : `${s}%`;
}

/** Seconds as m:ss, or h:mm:ss from an hour up. */
export function duration(seconds: number): string {
  const t = Math.max(0, Math.round(seconds));
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const s = String(t % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** Milliseconds for people: '840 ms', '1.25 s', '2 min 05 s'. */
export function humanMs(ms: number, locale = 'en-GB'): string {
  if (!Number.isFinite(ms) || ms < 0) return '0 ms';
  if (ms < 10) return `${fixed(ms, 2, locale)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${fixed(ms / 1000, 2, locale)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

export type DayMetric = 'hits' | 'visitors' | 'visits' | 'pages' | 'bytes';
export const DAY_METRICS: readonly DayMetric[] = ['hits', 'visitors', 'visits', 'pages', 'bytes'];

/** Lowest, average and highest per day (empty days count as zero: pass the continuous axis). */
export function dayStats(days: readonly DayRow[]): Record<DayMetric, { min: number; avg: number; max: number }> {
  const out = {} as Record<DayMetric, { min: number; avg: number; max: number }>;
  for (const k of DAY_METRICS) {
    let min = Infinity;
    let max = 0;
    let sum = 0;
    for (const d of days) {
      const v = d[k];
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
    }
    out[k] = { min: days.length === 0 ? 0 : min, avg: days.length === 0 ? 0 : sum / days.length, max };
  }
  return out;
}

/** True when the engine filled the visit-duration / bounce data (stores return zeros until then). */
export function hasVisitDetail(report: Report): boolean {
  return report.totals.visits > 0 && (report.totals.bounces > 0 || report.totals.visitSeconds > 0);
}

/** FTP transfers but no web hits: the report is only its FTP part. */
export function ftpOnly(report: Report): boolean {
  return report.totals.hits === 0 && report.ftp.transfers > 0;
}

/** Reject reasons, largest first, then by name (stable output for diffs). */
export function sortedReasons(report: Report): [string, number][] {
  return Object.entries(report.rejected.reasons)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/**
 * The top lists in the order and groups people read them (pages, sources, technology, requests,
 * clients). `hours` has its own chart; browser and OS versions are shown under their families.
 */
export const LIST_GROUPS: readonly { readonly id: 'pages' | 'sources' | 'technology' | 'requests' | 'clients'; readonly lists: readonly TopList[] }[] = [
  { id: 'pages', lists: ['urls', 'entryPages', 'exitPages', 'slowPages', 'notFound'] },
  { id: 'sources', lists: ['referringSites', 'referrers', 'searchTerms', 'countries'] },
  { id: 'technology', lists: ['browsers', 'os', 'devices'] },
  { id: 'requests', lists: ['statusCodes', 'fileTypes', 'methods', 'protocols'] },
  { id: 'clients', lists: ['ips', 'users'] },
];

/**
 * What a list's numbers count: entry and exit pages count visits (their bytes are always 0, so
 * no traffic column); every other web list counts hits; FTP lists count transfers.
 */
export function listBasis(report: Report, list: TopList | FtpList): { total: number; count: 'hits' | 'visits' | 'transfers'; bytes: boolean } {
  if (list === 'entryPages' || list === 'exitPages') return { total: report.totals.visits, count: 'visits', bytes: false };
  if (isFtpList(list)) return { total: report.ftp.transfers, count: 'transfers', bytes: true };
  return { total: report.totals.hits, count: 'hits', bytes: true };
}
