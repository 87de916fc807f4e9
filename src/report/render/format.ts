/**
 * Formatting shared by the renderers: numbers, byte sizes, shares, and making untrusted keys safe
 * to show. Report keys (URLs, referrers, user agents, search terms) are written by whoever sent the
 * request, so every renderer treats them as hostile.
 */

import type { FtpList, Report, TopList, TopRow } from '../contract.js';
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

/**
 * How a key is shown to people (not in CSV, which keeps the data as stored): empty keys get a
 * label, countries get their name after the code. Still untrusted: escape the result.
 */
export function displayKey(list: TopList | FtpList, key: string, m: Messages): string {
  if (key === '') return m.emptyKey;
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

/** Hits per hour 0–23 from the `hours` list; keys that are not an hour are ignored. */
export function hourBuckets(report: Report): { hits: number[]; bytes: number[] } {
  const hits = new Array<number>(24).fill(0);
  const bytes = new Array<number>(24).fill(0);
  for (const row of report.top.hours ?? []) {
    const k = row.key.trim();
    if (k.length === 0 || k.length > 2) continue;
    const h = Number(k);
    if (!Number.isInteger(h) || h < 0 || h > 23) continue;
    hits[h] = (hits[h] ?? 0) + row.hits;
    bytes[h] = (bytes[h] ?? 0) + row.bytes;
  }
  return { hits, bytes };
}

/** Reject reasons, largest first, then by name (stable output for diffs). */
export function sortedReasons(report: Report): [string, number][] {
  return Object.entries(report.rejected.reasons)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}
