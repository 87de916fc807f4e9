/**
 * Timestamps read from bytes without Date.parse: calendar arithmetic on digits. Most lines of a
 * log share their date with the line before, so each parser keeps the date bytes of the last
 * line and their day number (DateCache) and only reads the time of day for the next one.
 * Every reader stays inside the [pos, end) it is given.
 */

/** What a time field fills; LineFields satisfies it. */
export interface TimeTarget {
  time: number;
  /** The date as written, days since 1970-01-01. */
  day: number;
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

/** 1-12 for a three-letter English month name at b[p] (any case), else 0. */
export function monthFromAbbr(b: Uint8Array, p: number, end: number): number {
  if (p + 3 > end) return 0;
  const k = ((b[p]! | 32) << 16) | ((b[p + 1]! | 32) << 8) | (b[p + 2]! | 32);
  for (let m = 0; m < 12; m++) if (MONTH_KEYS[m] === k) return m + 1;
  return 0;
}

/** Length of the full English month name `m` (1-12) when it is written at b[p], else 3. */
export function fullMonthLength(b: Uint8Array, p: number, end: number, m: number): number {
  const name = MONTH_NAMES[m - 1]!;
  if (p + name.length > end) return 3;
  for (let i = 3; i < name.length; i++) if ((b[p + i]! | 32) !== name.charCodeAt(i)) return 3;
  return name.length;
}

/** Two ASCII digits at b[p], or -1. The caller has checked that p+1 is inside the line. */
function d2(b: Uint8Array, p: number): number {
  const x = b[p]! - 48;
  const y = b[p + 1]! - 48;
  return x >>> 0 > 9 || y >>> 0 > 9 ? -1 : x * 10 + y;
}

function d4(b: Uint8Array, p: number): number {
  const x = d2(b, p);
  const y = d2(b, p + 2);
  return x < 0 || y < 0 ? -1 : x * 100 + y;
}

/** Per-parser cache of the last date seen: its bytes as written → day number. */
export class DateCache {
  /** Bytes of the cached date text; `len` 0 when empty. */
  readonly key = new Uint8Array(16);
  len = 0;
  days = 0;

  matches(b: Uint8Array, pos: number, len: number): boolean {
    if (this.len !== len) return false;
    const k = this.key;
    for (let i = 0; i < len; i++) if (b[pos + i] !== k[i]) return false;
    return true;
  }

  remember(b: Uint8Array, pos: number, len: number, days: number): void {
    for (let i = 0; i < len; i++) this.key[i] = b[pos + i]!;
    this.len = len;
    this.days = days;
  }
}

/**
 * `10/Oct/2000:13:55:36 -0700` (Apache %t without its brackets, nginx $time_local), fixed width.
 * Returns the position after it, or -1.
 */
export function parseClfTime(b: Uint8Array, pos: number, end: number, out: TimeTarget, cache: DateCache): number {
  const stop = pos + 26;
  if (stop > end) return -1;
  let days: number;
  if (cache.matches(b, pos, 11)) days = cache.days;
  else {
    const d = d2(b, pos);
    const m = monthFromAbbr(b, pos + 3, end);
    const y = d4(b, pos + 7);
    if (d < 0 || m === 0 || y < 0 || b[pos + 2] !== 47 || b[pos + 6] !== 47) return -1;
    if (!isValidDate(y, m, d)) return -1;
    days = daysFromCivil(y, m, d);
    cache.remember(b, pos, 11, days);
  }
  const hh = d2(b, pos + 12);
  const mi = d2(b, pos + 15);
  const ss = d2(b, pos + 18);
  const oh = d2(b, pos + 22);
  const om = d2(b, pos + 24);
  const sign = b[pos + 21];
  if (
    b[pos + 11] !== 58 ||
    b[pos + 14] !== 58 ||
    b[pos + 17] !== 58 ||
    b[pos + 20] !== 32 ||
    (sign !== 43 && sign !== 45) ||
    hh < 0 || hh > 23 || mi < 0 || mi > 59 || ss < 0 || ss > 60 ||
    oh < 0 || oh > 23 || om < 0 || om > 59
  ) {
    return -1;
  }
  const off = (oh * 3600 + om * 60) * (sign === 45 ? -1 : 1);
  out.time = days * 86400 + hh * 3600 + mi * 60 + ss - off;
  out.day = days;
  out.hour = hh;
  return stop;
}

/**
 * `2000-10-10T13:55:36-07:00` (nginx $time_iso8601, Caddy's iso8601/rfc3339 `ts`), with an
 * optional fraction and an offset of `Z`, `±hh:mm`, `±hhmm` or `±hh`; none means UTC.
 * Returns the position after it, or -1.
 */
export function parseIsoTime(b: Uint8Array, pos: number, end: number, out: TimeTarget, cache: DateCache): number {
  if (pos + 19 > end) return -1;
  let days: number;
  if (cache.matches(b, pos, 10)) days = cache.days;
  else {
    const y = d4(b, pos);
    const m = d2(b, pos + 5);
    const d = d2(b, pos + 8);
    if (y < 0 || m < 0 || d < 0 || b[pos + 4] !== 45 || b[pos + 7] !== 45) return -1;
    if (!isValidDate(y, m, d)) return -1;
    days = daysFromCivil(y, m, d);
    cache.remember(b, pos, 10, days);
  }
  const hh = d2(b, pos + 11);
  const mi = d2(b, pos + 14);
  const ss = d2(b, pos + 17);
  if (b[pos + 10] !== 84 || b[pos + 13] !== 58 || b[pos + 16] !== 58 || hh < 0 || hh > 23 || mi < 0 || mi > 59 || ss < 0 || ss > 60) {
    return -1;
  }
  let p = pos + 19;
  if (p < end && (b[p] === 46 || b[p] === 44)) {
    p++;
    const f = p;
    while (p < end && b[p]! >= 48 && b[p]! <= 57) p++;
    if (p === f) return -1;
  }
  // No zone at all: the time is taken as UTC.
  const r = parseOffset(b, p, end);
  if (r === OFFSET_BAD) return -1;
  out.time = days * 86400 + hh * 3600 + mi * 60 + ss - (r === OFFSET_OK ? offsetSeconds : 0);
  out.day = days;
  out.hour = hh;
  return p + (r === OFFSET_OK ? offsetLength : 0);
}

const OFFSET_NONE = 0;
const OFFSET_BAD = 1;
const OFFSET_OK = 2;
// Results of parseOffset beside its return code: single-threaded, read right after the call.
let offsetSeconds = 0;
let offsetLength = 0;

/** `Z`, `±hh:mm`, `±hhmm` or `±hh` at b[p]. */
function parseOffset(b: Uint8Array, p: number, end: number): number {
  if (p >= end) return OFFSET_NONE;
  const c = b[p];
  if (c === 90) {
    offsetSeconds = 0;
    offsetLength = 1;
    return OFFSET_OK;
  }
  if (c !== 43 && c !== 45) return OFFSET_NONE;
  if (p + 3 > end) return OFFSET_BAD;
  const oh = d2(b, p + 1);
  if (oh < 0 || oh > 23) return OFFSET_BAD;
  let om = 0;
  let len = 3;
  if (p + 3 < end && b[p + 3] === 58) {
    if (p + 6 > end) return OFFSET_BAD;
    om = d2(b, p + 4);
    len = 6;
  } else if (p + 5 <= end && d2(b, p + 3) >= 0) {
    om = d2(b, p + 3);
    len = 5;
  }
  if (om < 0 || om > 59) return OFFSET_BAD;
  offsetSeconds = (oh * 3600 + om * 60) * (c === 45 ? -1 : 1);
  offsetLength = len;
  return OFFSET_OK;
}

/** Unix seconds (UTC): date and hour in UTC, since the log carries no local zone. */
export function setEpochTime(seconds: number, out: TimeTarget): void {
  const t = Math.floor(seconds);
  const day = Math.floor(t / 86400);
  out.time = t;
  out.day = day;
  out.hour = Math.floor((t - day * 86400) / 3600);
}

/**
 * Digits with an optional fraction (`1600000000.123`), divided by `scale` (1 for seconds, 1000
 * for ms, 1e6 for µs). NaN when the text is not such a number.
 */
export function parseEpoch(b: Uint8Array, start: number, end: number, scale: number): number {
  let v = 0;
  let i = start;
  while (i < end) {
    const c = b[i]!;
    if (c < 48 || c > 57) break;
    v = v * 10 + (c - 48);
    i++;
  }
  if (i === start || i - start > 17) return Number.NaN;
  if (i < end) {
    if (b[i] !== 46) return Number.NaN;
    i++;
    let f = 0;
    let scaleF = 1;
    const fs = i;
    while (i < end) {
      const c = b[i]!;
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
  reset(): void {
    this.year = -1;
    this.month = -1;
    this.day = -1;
    this.hour = 0;
    this.minute = 0;
    this.second = 0;
    this.offset = 0;
    this.epoch = Number.NaN;
  }
  /** False when the parts do not make a valid time. */
  finish(out: TimeTarget): boolean {
    if (!Number.isNaN(this.epoch)) {
      setEpochTime(this.epoch, out);
      return true;
    }
    if (!isValidDate(this.year, this.month, this.day)) return false;
    const days = daysFromCivil(this.year, this.month, this.day);
    out.time = days * 86400 + this.hour * 3600 + this.minute * 60 + this.second - this.offset;
    out.day = days;
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
  /** OP_LIT: the literal's bytes. */
  readonly text: Uint8Array;
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

const NO_TEXT = new Uint8Array(0);

/** Compiles a strftime format; returns an error text for an unsupported conversion. */
export function compileStrftime(fmt: string): StrftimeProgram | string {
  const ops: StrfOp[] = [];
  let provides = 0;
  let lit = '';
  const push = (op: number): void => {
    if (lit !== '') {
      ops.push({ op: OP_LIT, text: Buffer.from(lit, 'utf8') });
      lit = '';
    }
    ops.push({ op, text: NO_TEXT });
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
  if (lit !== '') ops.push({ op: OP_LIT, text: Buffer.from(lit, 'utf8') });
  return { ops, provides };
}

/** Reads min..max digits at b[p]; -1 on failure. Position goes to `numEnd`. */
let numEnd = 0;
function readNum(b: Uint8Array, p: number, end: number, min: number, max: number): number {
  let v = 0;
  let i = p;
  while (i < end && i - p < max) {
    const c = b[i]!;
    if (c < 48 || c > 57) break;
    v = v * 10 + (c - 48);
    i++;
  }
  if (i - p < min) return -1;
  numEnd = i;
  return v;
}

function isLetter(c: number): boolean {
  const l = c | 32;
  return l >= 97 && l <= 122;
}

/** Runs a compiled strftime format at b[pos] into `parts`. Returns the end position or -1. */
export function runStrftime(prog: StrftimeProgram, b: Uint8Array, pos: number, end: number, parts: TimeParts): number {
  let p = pos;
  const ops = prog.ops;
  for (let k = 0; k < ops.length; k++) {
    const o = ops[k]!;
    let v: number;
    switch (o.op) {
      case OP_LIT: {
        const t = o.text;
        if (p + t.length > end) return -1;
        for (let i = 0; i < t.length; i++) if (b[p + i] !== t[i]) return -1;
        p += t.length;
        continue;
      }
      case OP_YEAR4:
        v = readNum(b, p, end, 4, 4);
        if (v < 0) return -1;
        parts.year = v;
        break;
      case OP_YEAR2:
        v = readNum(b, p, end, 2, 2);
        if (v < 0) return -1;
        // POSIX: 69-99 are 1969-1999, 00-68 are 2000-2068.
        parts.year = v < 69 ? 2000 + v : 1900 + v;
        break;
      case OP_MONTH:
        v = readNum(b, p, end, 1, 2);
        if (v < 1 || v > 12) return -1;
        parts.month = v;
        break;
      case OP_MONTH_ABBR:
        v = monthFromAbbr(b, p, end);
        if (v === 0) return -1;
        parts.month = v;
        numEnd = p + 3;
        break;
      case OP_MONTH_FULL:
        v = monthFromAbbr(b, p, end);
        if (v === 0) return -1;
        parts.month = v;
        numEnd = p + fullMonthLength(b, p, end, v);
        break;
      case OP_DAY_SPACE:
      case OP_DAY:
        if (o.op === OP_DAY_SPACE && p < end && b[p] === 32) p++;
        v = readNum(b, p, end, 1, 2);
        if (v < 1 || v > 31) return -1;
        parts.day = v;
        break;
      case OP_HOUR:
        if (p < end && b[p] === 32) p++;
        v = readNum(b, p, end, 1, 2);
        if (v < 0 || v > 23) return -1;
        parts.hour = v;
        break;
      case OP_MINUTE:
        v = readNum(b, p, end, 2, 2);
        if (v < 0 || v > 59) return -1;
        parts.minute = v;
        break;
      case OP_SECOND:
        v = readNum(b, p, end, 2, 2);
        if (v < 0 || v > 60) return -1;
        parts.second = v;
        break;
      case OP_OFFSET:
        if (parseOffset(b, p, end) !== OFFSET_OK) return -1;
        parts.offset = offsetSeconds;
        numEnd = p + offsetLength;
        break;
      case OP_ZONE_NAME:
      case OP_DAY_NAME: {
        // Names are skipped: a zone name cannot be resolved to an offset without a zone database.
        let i = p;
        while (i < end && isLetter(b[i]!)) i++;
        if (i === p) return -1;
        numEnd = i;
        break;
      }
      case OP_EPOCH:
        v = readNum(b, p, end, 1, 12);
        if (v < 0) return -1;
        parts.epoch = v;
        break;
      case OP_SPACE: {
        let i = p;
        while (i < end && (b[i] === 32 || b[i] === 9)) i++;
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
