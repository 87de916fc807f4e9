/**
 * Timestamps without Date.parse: calendar arithmetic on char codes. Most lines of a log share
 * their date with the line before, so the day number and the 'YYYY-MM-DD' string are cached per
 * parser keyed by the date text as written.
 */

/** What a time field fills; ParsedLine satisfies it. */
export interface TimeTarget {
  time: number;
  date: string;
  hour: number;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Inverse of daysFromCivil, as 'YYYY-MM-DD'. */
export function dateOfDays(days: number): string {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return formatDate(y, m, d);
}

export function formatDate(y: number, m: number, d: number): string {
  const ys = y < 0 || y > 9999 ? String(y) : String(y).padStart(4, '0');
  return `${ys}-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}`;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function isValidDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  if (m === 2 && d === 29) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= MONTH_DAYS[m - 1]!;
}

const MONTH_NAMES = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const MONTH_KEYS = MONTH_NAMES.map((n) => (n.charCodeAt(0) << 16) | (n.charCodeAt(1) << 8) | n.charCodeAt(2));

/** 1-12 for a three-letter English month name at s[p] (any case), else 0. */
export function monthFromAbbr(s: string, p: number): number {
  if (p + 3 > s.length) return 0;
  const k = ((s.charCodeAt(p) | 32) << 16) | ((s.charCodeAt(p + 1) | 32) << 8) | (s.charCodeAt(p + 2) | 32);
  for (let m = 0; m < 12; m++) if (MONTH_KEYS[m] === k) return m + 1;
  return 0;
}

/** Length of the full English month name `m` (1-12) when it is written at s[p], else 0. */
export function fullMonthLength(s: string, p: number, m: number): number {
  const name = MONTH_NAMES[m - 1]!;
  for (let i = 3; i < name.length; i++) if ((s.charCodeAt(p + i) | 32) !== name.charCodeAt(i)) return 3;
  return name.length;
}

/** Two ASCII digits at s[p], or -1. The caller has checked that p+1 is inside the string. */
function d2(s: string, p: number): number {
  const a = s.charCodeAt(p) - 48;
  const b = s.charCodeAt(p + 1) - 48;
  return a >>> 0 > 9 || b >>> 0 > 9 ? -1 : a * 10 + b;
}

function d4(s: string, p: number): number {
  const a = d2(s, p);
  const b = d2(s, p + 2);
  return a < 0 || b < 0 ? -1 : a * 100 + b;
}

/** Per-parser cache of the last date seen: text as written → day number and 'YYYY-MM-DD'. */
export class DateCache {
  key = '';
  days = 0;
  date = '';
}

/**
 * `10/Oct/2000:13:55:36 -0700` (Apache %t without its brackets, nginx $time_local), fixed width.
 * Returns the position after it, or -1.
 */
export function parseClfTime(s: string, pos: number, out: TimeTarget, cache: DateCache): number {
  const end = pos + 26;
  if (end > s.length) return -1;
  let days: number;
  let date: string;
  if (cache.key.length === 11 && s.startsWith(cache.key, pos)) {
    days = cache.days;
    date = cache.date;
  } else {
    const d = d2(s, pos);
    const m = monthFromAbbr(s, pos + 3);
    const y = d4(s, pos + 7);
    if (d < 0 || m === 0 || y < 0 || s.charCodeAt(pos + 2) !== 47 || s.charCodeAt(pos + 6) !== 47) return -1;
    if (!isValidDate(y, m, d)) return -1;
    days = daysFromCivil(y, m, d);
    date = formatDate(y, m, d);
    cache.key = s.slice(pos, pos + 11);
    cache.days = days;
    cache.date = date;
  }
  const hh = d2(s, pos + 12);
  const mi = d2(s, pos + 15);
  const ss = d2(s, pos + 18);
  const oh = d2(s, pos + 22);
  const om = d2(s, pos + 24);
  const sign = s.charCodeAt(pos + 21);
  if (
    s.charCodeAt(pos + 11) !== 58 ||
    s.charCodeAt(pos + 14) !== 58 ||
    s.charCodeAt(pos + 17) !== 58 ||
    s.charCodeAt(pos + 20) !== 32 ||
    (sign !== 43 && sign !== 45) ||
    hh < 0 || hh > 23 || mi < 0 || mi > 59 || ss < 0 || ss > 60 ||
    oh < 0 || oh > 23 || om < 0 || om > 59
  ) {
    return -1;
  }
  const off = (oh * 3600 + om * 60) * (sign === 45 ? -1 : 1);
  out.time = days * 86400 + hh * 3600 + mi * 60 + ss - off;
  out.date = date;
  out.hour = hh;
  return end;
}

/**
 * `2000-10-10T13:55:36-07:00` (nginx $time_iso8601), with optional fraction and an offset of
 * `Z`, `±hh:mm` or `±hhmm`; none means UTC. Returns the position after it, or -1.
 */
export function parseIsoTime(s: string, pos: number, out: TimeTarget, cache: DateCache): number {
  if (pos + 19 > s.length) return -1;
  let days: number;
  let date: string;
  if (cache.key.length === 10 && s.startsWith(cache.key, pos)) {
    days = cache.days;
    date = cache.date;
  } else {
    const y = d4(s, pos);
    const m = d2(s, pos + 5);
    const d = d2(s, pos + 8);
    if (y < 0 || m < 0 || d < 0 || s.charCodeAt(pos + 4) !== 45 || s.charCodeAt(pos + 7) !== 45) return -1;
    if (!isValidDate(y, m, d)) return -1;
    days = daysFromCivil(y, m, d);
    date = s.slice(pos, pos + 10);
    cache.key = date;
    cache.days = days;
    cache.date = date;
  }
  const hh = d2(s, pos + 11);
  const mi = d2(s, pos + 14);
  const ss = d2(s, pos + 17);
  if (
    s.charCodeAt(pos + 10) !== 84 ||
    s.charCodeAt(pos + 13) !== 58 ||
    s.charCodeAt(pos + 16) !== 58 ||
    hh < 0 || hh > 23 || mi < 0 || mi > 59 || ss < 0 || ss > 60
  ) {
    return -1;
  }
  let p = pos + 19;
  if (s.charCodeAt(p) === 46 || s.charCodeAt(p) === 44) {
    p++;
    const f = p;
    while (p < s.length && s.charCodeAt(p) >= 48 && s.charCodeAt(p) <= 57) p++;
    if (p === f) return -1;
  }
  // No zone at all: the time is taken as UTC.
  const r = parseOffset(s, p);
  if (r === OFFSET_BAD) return -1;
  out.time = days * 86400 + hh * 3600 + mi * 60 + ss - (r === OFFSET_OK ? offsetSeconds : 0);
  out.date = date;
  out.hour = hh;
  return p + (r === OFFSET_OK ? offsetLength : 0);
}

const OFFSET_NONE = 0;
const OFFSET_BAD = 1;
const OFFSET_OK = 2;
// Results of parseOffset beside its return code: single-threaded, read right after the call.
let offsetSeconds = 0;
let offsetLength = 0;

/** `Z`, `±hh:mm`, `±hhmm` or `±hh` at s[p]. */
function parseOffset(s: string, p: number): number {
  const c = s.charCodeAt(p);
  if (c === 90) {
    offsetSeconds = 0;
    offsetLength = 1;
    return OFFSET_OK;
  }
  if (c !== 43 && c !== 45) return OFFSET_NONE;
  if (p + 3 > s.length) return OFFSET_BAD;
  const oh = d2(s, p + 1);
  if (oh < 0 || oh > 23) return OFFSET_BAD;
  let om = 0;
  let len = 3;
  if (s.charCodeAt(p + 3) === 58) {
    if (p + 6 > s.length) return OFFSET_BAD;
    om = d2(s, p + 4);
    len = 6;
  } else if (p + 5 <= s.length && d2(s, p + 3) >= 0) {
    om = d2(s, p + 3);
    len = 5;
  }
  if (om < 0 || om > 59) return OFFSET_BAD;
  offsetSeconds = (oh * 3600 + om * 60) * (c === 45 ? -1 : 1);
  offsetLength = len;
  return OFFSET_OK;
}

/** Per-parser cache for epoch times: day number → date string. */
export class DayCache {
  day = Number.NaN;
  date = '';
}

/** Unix seconds (UTC): date and hour in UTC since the log carries no local zone. */
export function setEpochTime(seconds: number, out: TimeTarget, cache: DayCache): void {
  const t = Math.floor(seconds);
  const day = Math.floor(t / 86400);
  if (day !== cache.day) {
    cache.day = day;
    cache.date = dateOfDays(day);
  }
  out.time = t;
  out.date = cache.date;
  out.hour = Math.floor((t - day * 86400) / 3600);
}

/**
 * Digits with an optional fraction (`1600000000.123`), divided by `scale` (1 for seconds, 1000
 * for ms, 1e6 for µs). NaN when the text is not such a number.
 */
export function parseEpoch(s: string, start: number, end: number, scale: number): number {
  let v = 0;
  let i = start;
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) break;
    v = v * 10 + (c - 48);
    i++;
  }
  if (i === start || i - start > 17) return Number.NaN;
  if (i < end) {
    if (s.charCodeAt(i) !== 46) return Number.NaN;
    i++;
    let f = 0;
    let scaleF = 1;
    const fs = i;
    while (i < end) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) return Number.NaN;
      if (scaleF < 1e9) {
        f = f * 10 + (c - 48);
        scaleF *= 10;
      }
      i++;
    }
    if (i === fs) return Number.NaN;
    v += f / scaleF;
  }
  return v / scale;
}

// ---- strftime formats (Apache %{format}t) ----

/** Components gathered by one or more strftime fields of a line, combined at the end of the line. */
export class TimeParts {
  year = -1;
  month = -1;
  day = -1;
  hour = 0;
  minute = 0;
  second = 0;
  offset = 0;
  epoch = Number.NaN;
  hasHour = false;
  reset(): void {
    this.year = -1;
    this.month = -1;
    this.day = -1;
    this.hour = 0;
    this.minute = 0;
    this.second = 0;
    this.offset = 0;
    this.epoch = Number.NaN;
    this.hasHour = false;
  }
  /** False when the parts do not make a valid time. */
  finish(out: TimeTarget, dayCache: DayCache): boolean {
    if (!Number.isNaN(this.epoch)) {
      setEpochTime(this.epoch, out, dayCache);
      return true;
    }
    if (!isValidDate(this.year, this.month, this.day)) return false;
    const days = daysFromCivil(this.year, this.month, this.day);
    if (days !== dayCache.day) {
      dayCache.day = days;
      dayCache.date = formatDate(this.year, this.month, this.day);
    }
    out.time = days * 86400 + this.hour * 3600 + this.minute * 60 + this.second - this.offset;
    out.date = dayCache.date;
    out.hour = this.hour;
    return true;
  }
}

const OP_LIT = 0;
const OP_YEAR4 = 1;
const OP_YEAR2 = 2;
const OP_MONTH = 3;
const OP_MONTH_ABBR = 4;
const OP_MONTH_FULL = 5;
const OP_DAY = 6;
const OP_DAY_SPACE = 7;
const OP_HOUR = 8;
const OP_MINUTE = 9;
const OP_SECOND = 10;
const OP_OFFSET = 11;
const OP_ZONE_NAME = 12;
const OP_DAY_NAME = 13;
const OP_EPOCH = 14;
const OP_SPACE = 15;

interface StrfOp {
  readonly op: number;
  readonly text: string;
}

/** Which date parts a compiled strftime format provides. */
export const HAS_YEAR = 1;
export const HAS_MONTH = 2;
export const HAS_DAY = 4;
export const HAS_EPOCH = 8;

export interface StrftimeProgram {
  readonly ops: readonly StrfOp[];
  readonly provides: number;
}

/** Compiles a strftime format; returns an error text for an unsupported conversion. */
export function compileStrftime(fmt: string): StrftimeProgram | string {
  const ops: StrfOp[] = [];
  let provides = 0;
  let lit = '';
  const push = (op: number): void => {
    if (lit !== '') {
      ops.push({ op: OP_LIT, text: lit });
      lit = '';
    }
    ops.push({ op, text: '' });
  };
  const expand = (conv: string): string | null => {
    switch (conv) {
      case 'T':
        return '%H:%M:%S';
      case 'F':
        return '%Y-%m-%d';
      case 'D':
        return '%m/%d/%y';
      case 'R':
        return '%H:%M';
      default:
        return null;
    }
  };
  let f = fmt;
  for (let i = 0; i < f.length; i++) {
    const c = f[i]!;
    if (c !== '%') {
      lit += c;
      continue;
    }
    let conv = f[++i];
    // glibc flags and the E/O modifiers do not change what we read.
    while (conv === '-' || conv === '_' || conv === '0' || conv === '^' || conv === '#' || conv === 'E' || conv === 'O') conv = f[++i];
    if (conv === undefined) return 'strftime format ends with %';
    const exp = expand(conv);
    if (exp !== null) {
      f = f.slice(0, i + 1) + exp + f.slice(i + 1);
      continue;
    }
    switch (conv) {
      case '%':
        lit += '%';
        break;
      case 'Y':
        push(OP_YEAR4);
        provides |= HAS_YEAR;
        break;
      case 'y':
        push(OP_YEAR2);
        provides |= HAS_YEAR;
        break;
      case 'm':
        push(OP_MONTH);
        provides |= HAS_MONTH;
        break;
      case 'b':
      case 'h':
        push(OP_MONTH_ABBR);
        provides |= HAS_MONTH;
        break;
      case 'B':
        push(OP_MONTH_FULL);
        provides |= HAS_MONTH;
        break;
      case 'd':
        push(OP_DAY);
        provides |= HAS_DAY;
        break;
      case 'e':
        push(OP_DAY_SPACE);
        provides |= HAS_DAY;
        break;
      case 'H':
      case 'k':
        push(OP_HOUR);
        break;
      case 'M':
        push(OP_MINUTE);
        break;
      case 'S':
        push(OP_SECOND);
        break;
      case 'z':
        push(OP_OFFSET);
        break;
      case 'Z':
        push(OP_ZONE_NAME);
        break;
      case 'a':
      case 'A':
        push(OP_DAY_NAME);
        break;
      case 's':
        push(OP_EPOCH);
        provides |= HAS_EPOCH;
        break;
      case 'n':
      case 't':
        push(OP_SPACE);
        break;
      default:
        return `unsupported strftime conversion %${conv}`;
    }
  }
  if (lit !== '') ops.push({ op: OP_LIT, text: lit });
  return { ops, provides };
}

/** Reads 1..max digits (min digits required); -1 on failure. Position goes to `numEnd`. */
let numEnd = 0;
function readNum(s: string, p: number, min: number, max: number): number {
  let v = 0;
  let i = p;
  while (i < s.length && i - p < max) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) break;
    v = v * 10 + (c - 48);
    i++;
  }
  if (i - p < min) return -1;
  numEnd = i;
  return v;
}

/** Runs a compiled strftime format at s[pos] into `parts`. Returns the end position or -1. */
export function runStrftime(prog: StrftimeProgram, s: string, pos: number, parts: TimeParts): number {
  let p = pos;
  const ops = prog.ops;
  for (let k = 0; k < ops.length; k++) {
    const o = ops[k]!;
    let v: number;
    switch (o.op) {
      case OP_LIT:
        if (!s.startsWith(o.text, p)) return -1;
        p += o.text.length;
        continue;
      case OP_YEAR4:
        v = readNum(s, p, 4, 4);
        if (v < 0) return -1;
        parts.year = v;
        break;
      case OP_YEAR2:
        v = readNum(s, p, 2, 2);
        if (v < 0) return -1;
        // POSIX: 69-99 are 1969-1999, 00-68 are 2000-2068.
        parts.year = v < 69 ? 2000 + v : 1900 + v;
        break;
      case OP_MONTH:
        v = readNum(s, p, 1, 2);
        if (v < 1 || v > 12) return -1;
        parts.month = v;
        break;
      case OP_MONTH_ABBR:
        v = monthFromAbbr(s, p);
        if (v === 0) return -1;
        parts.month = v;
        numEnd = p + 3;
        break;
      case OP_MONTH_FULL:
        v = monthFromAbbr(s, p);
        if (v === 0) return -1;
        parts.month = v;
        numEnd = p + fullMonthLength(s, p, v);
        break;
      case OP_DAY_SPACE:
      case OP_DAY:
        if (o.op === OP_DAY_SPACE && s.charCodeAt(p) === 32) p++;
        v = readNum(s, p, 1, 2);
        if (v < 1 || v > 31) return -1;
        parts.day = v;
        break;
      case OP_HOUR:
        if (s.charCodeAt(p) === 32) p++;
        v = readNum(s, p, 1, 2);
        if (v < 0 || v > 23) return -1;
        parts.hour = v;
        parts.hasHour = true;
        break;
      case OP_MINUTE:
        v = readNum(s, p, 2, 2);
        if (v < 0 || v > 59) return -1;
        parts.minute = v;
        break;
      case OP_SECOND:
        v = readNum(s, p, 2, 2);
        if (v < 0 || v > 60) return -1;
        parts.second = v;
        break;
      case OP_OFFSET:
        if (parseOffset(s, p) !== OFFSET_OK) return -1;
        parts.offset = offsetSeconds;
        numEnd = p + offsetLength;
        break;
      case OP_ZONE_NAME:
      case OP_DAY_NAME: {
        // Names are skipped: a zone name cannot be resolved to an offset without a zone database.
        let i = p;
        while (i < s.length && ((s.charCodeAt(i) | 32) >= 97 && (s.charCodeAt(i) | 32) <= 122)) i++;
        if (i === p) return -1;
        numEnd = i;
        break;
      }
      case OP_EPOCH:
        v = readNum(s, p, 1, 12);
        if (v < 0) return -1;
        parts.epoch = v;
        break;
      case OP_SPACE: {
        let i = p;
        while (i < s.length && (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9)) i++;
        numEnd = i;
        break;
      }
      default:
        return -1;
    }
    p = numEnd;
  }
  return p;
}
