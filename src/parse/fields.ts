/**
 * Field values shared by the template parser and the xferlog parser: resetting the reused
 * record, numbers read from char codes, and the vhost normalisation.
 */
import type { ParsedLine, RawIp, RawUser } from '../core/record.js';
import { unescapeRange } from './escape.js';

/** Longer lines are rejected before any other work ('too_long'). */
export const MAX_LINE_LENGTH = 64 * 1024;

export function resetParsedLine(out: ParsedLine): void {
  out.ip = '' as RawIp;
  out.forwardedFor = '' as RawIp;
  out.user = '' as RawUser;
  out.time = 0;
  out.date = '';
  out.hour = 0;
  out.method = '';
  out.path = '';
  out.query = '';
  out.protocol = '';
  out.status = 0;
  out.bytes = 0;
  out.referrer = '';
  out.userAgent = '';
  out.vhost = '';
  out.channel = 'http';
}

/** True when the line holds nothing but spaces and tabs. */
export function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9) return false;
  }
  return true;
}

export function isDash(s: string, start: number, end: number): boolean {
  return end - start === 1 && s.charCodeAt(start) === 45;
}

/** A text field: `-` means absent (''), escapes are decoded only when the range has a backslash. */
export function textField(s: string, start: number, end: number, escaped: boolean): string {
  if (end - start === 1 && s.charCodeAt(start) === 45) return '';
  return escaped ? unescapeRange(s, start, end) : s.slice(start, end);
}

/** HTTP status 100-599, 0 for `-`, -1 for anything else. */
export function parseStatus(s: string, start: number, end: number): number {
  if (end - start === 1 && s.charCodeAt(start) === 45) return 0;
  if (end - start !== 3) return -1;
  const a = s.charCodeAt(start) - 48;
  const b = s.charCodeAt(start + 1) - 48;
  const c = s.charCodeAt(start + 2) - 48;
  if (a < 1 || a > 5 || b >>> 0 > 9 || c >>> 0 > 9) return -1;
  return a * 100 + b * 10 + c;
}

/** A byte count: digits (at most 15, so it stays an exact number), 0 for `-`, -1 otherwise. */
export function parseBytes(s: string, start: number, end: number): number {
  if (end - start === 1 && s.charCodeAt(start) === 45) return 0;
  if (end === start || end - start > 15) return -1;
  let v = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c >>> 0 > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** ASCII-only lower-casing: other bytes are parts of UTF-8 sequences and must stay as they are. */
export function asciiLower(s: string): string {
  let upper = false;
  let high = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) upper = true;
    else if (c > 127) high = true;
  }
  if (!upper) return s;
  if (!high) return s.toLowerCase();
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += c >= 65 && c <= 90 ? String.fromCharCode(c + 32) : s[i];
  }
  return out;
}

function isHostChar(c: number): boolean {
  const l = c | 32;
  return (l >= 97 && l <= 122) || (c >= 48 && c <= 58) || c === 46 || c === 45 || c === 95 || c === 91 || c === 93;
}

/**
 * Virtual host without its port (`[v6]:p` keeps the brackets), lower-cased; '' for `-`.
 * Null when the value cannot be a host name (a comma list, a quote, a space…): the line does not
 * fit the format, and routing must never see such a value as a site.
 */
export function vhostField(s: string, start: number, end: number, escaped: boolean): string | null {
  if (escaped) return null;
  if (end === start || isDash(s, start, end)) return '';
  for (let i = start; i < end; i++) if (!isHostChar(s.charCodeAt(i))) return null;
  let stop = end;
  if (s.charCodeAt(start) === 91) {
    const rb = s.indexOf(']', start);
    if (rb !== -1 && rb < end) stop = rb + 1;
  } else {
    const c1 = s.indexOf(':', start);
    if (c1 !== -1 && c1 < end) {
      // One colon is host:port; more are a bare IPv6 address, which has no port to drop.
      const c2 = s.indexOf(':', c1 + 1);
      if (c2 === -1 || c2 >= end) stop = c1;
    }
  }
  if (stop === start) return null;
  if (isDash(s, start, stop)) return '';
  return asciiLower(s.slice(start, stop));
}
