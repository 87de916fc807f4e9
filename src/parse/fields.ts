/**
 * Field values shared by every byte parser: resetting the reused record, setting text ranges,
 * numbers read from bytes, and the vhost normalisation. Every function reads only inside the
 * [start, end) it is given: the bytes after a line are the next line.
 */
import { CHANNEL_HTTP, F_VHOST, TEXT_FIELDS, type LineFields } from '../core/line-fields.js';
import { ESC_NONE, unescapeInto } from './escape.js';
import { reserveScratch } from './scratch.js';

/** Longer lines are rejected before any other work ('too_long'). */
export const MAX_LINE_LENGTH = 64 * 1024;

export function resetFields(out: LineFields, src: Uint8Array): void {
  out.src = src;
  out.scratchUsed = 0;
  const s = out.start;
  const e = out.end;
  const sc = out.inScratch;
  for (let f = 0; f < TEXT_FIELDS; f++) {
    s[f] = 0;
    e[f] = 0;
    sc[f] = 0;
  }
  out.clientIsName = false;
  out.time = 0;
  out.day = 0;
  out.hour = 0;
  out.status = 0;
  out.bytes = 0;
  out.timeTakenUs = -1;
  out.channel = CHANNEL_HTTP;
}

/** Field `f` is b[s, e) of the source (inScratch 0) or of the scratch bytes (1). */
export function setField(out: LineFields, f: number, s: number, e: number, inScratch: number): void {
  out.start[f] = s;
  out.end[f] = e;
  out.inScratch[f] = inScratch;
}

/** True when b[start, end) holds nothing but spaces and tabs. */
export function isBlank(b: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = b[i]!;
    if (c !== 32 && c !== 9) return false;
  }
  return true;
}

export function isDash(b: Uint8Array, start: number, end: number): boolean {
  return end - start === 1 && b[start] === 45;
}

/** Whether b[start, end) holds a backslash. */
export function hasBackslash(b: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (b[i] === 92) return true;
  return false;
}

/**
 * A text field: `-` means absent; when the range holds escapes (`escaped`) and the format
 * escapes values, the decoded bytes go to scratch.
 */
export function textField(out: LineFields, f: number, b: Uint8Array, start: number, end: number, escaped: boolean, mode: number): void {
  if (end - start === 1 && b[start] === 45) return;
  if (escaped && mode !== ESC_NONE) {
    const s = out.scratchUsed;
    setField(out, f, s, unescapeInto(b, start, end, mode, out), 1);
  } else setField(out, f, start, end, 0);
}

/** HTTP status 100-599, 0 for `-`, -1 for anything else. */
export function parseStatus(b: Uint8Array, start: number, end: number): number {
  if (end - start === 1 && b[start] === 45) return 0;
  if (end - start !== 3) return -1;
  const x = b[start]! - 48;
  const y = b[start + 1]! - 48;
  const z = b[start + 2]! - 48;
  if (x < 1 || x > 5 || y >>> 0 > 9 || z >>> 0 > 9) return -1;
  return x * 100 + y * 10 + z;
}

/** A byte count: digits (at most 15, so it stays an exact number), 0 for `-`, -1 otherwise. */
export function parseBytes(b: Uint8Array, start: number, end: number): number {
  if (end - start === 1 && b[start] === 45) return 0;
  if (end === start || end - start > 15) return -1;
  let v = 0;
  for (let i = start; i < end; i++) {
    const c = b[i]! - 48;
    if (c >>> 0 > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * A duration as digits with an optional fraction (`1234`, `0.123`) in units of `unitUs`
 * microseconds, as whole microseconds (rounded). -1 for `-` (not logged), -2 when it is not
 * such a number.
 */
export function parseDuration(b: Uint8Array, start: number, end: number, unitUs: number): number {
  if (end - start === 1 && b[start] === 45) return -1;
  let i = start;
  let whole = 0;
  while (i < end) {
    const c = b[i]! - 48;
    if (c >>> 0 > 9) break;
    whole = whole * 10 + c;
    i++;
  }
  if (i === start || i - start > 15) return -2;
  let us = whole * unitUs;
  if (i < end) {
    if (b[i] !== 46) return -2;
    i++;
    const fs = i;
    // Digits past the microsecond are only used to round.
    let scale = unitUs;
    let frac = 0;
    while (i < end) {
      const c = b[i]! - 48;
      if (c >>> 0 > 9) return -2;
      scale /= 10;
      frac += c * scale;
      i++;
    }
    if (i === fs) return -2;
    us += frac;
  }
  return Math.round(us);
}

function isHostChar(c: number): boolean {
  const l = c | 32;
  return (l >= 97 && l <= 122) || (c >= 48 && c <= 58) || c === 46 || c === 45 || c === 95 || c === 91 || c === 93;
}

/**
 * Virtual host without its port (`[v6]:p` keeps the brackets), lower-cased (into scratch when it
 * has capitals); absent for `-`. False when the value cannot be a host name (a comma list, a
 * quote, a space, an escape…): the line does not fit the format, and routing must never see such
 * a value as a site.
 */
export function vhostField(out: LineFields, b: Uint8Array, start: number, end: number, escaped: boolean): boolean {
  if (escaped) return false;
  if (end === start || isDash(b, start, end)) return true;
  let upper = false;
  for (let i = start; i < end; i++) {
    const c = b[i]!;
    if (!isHostChar(c)) return false;
    if (c >= 65 && c <= 90) upper = true;
  }
  let stop = end;
  if (b[start] === 91) {
    for (let i = start; i < end; i++) {
      if (b[i] === 93) {
        stop = i + 1;
        break;
      }
    }
  } else {
    let c1 = -1;
    let c2 = -1;
    for (let i = start; i < end; i++) {
      if (b[i] === 58) {
        if (c1 === -1) c1 = i;
        else {
          c2 = i;
          break;
        }
      }
    }
    // One colon is host:port; more are a bare IPv6 address, which has no port to drop.
    if (c1 !== -1 && c2 === -1) stop = c1;
  }
  if (stop === start) return false;
  if (isDash(b, start, stop)) return true;
  if (!upper) {
    setField(out, F_VHOST, start, stop, 0);
    return true;
  }
  const k = reserveScratch(out, stop - start);
  const o = out.scratch;
  for (let i = start; i < stop; i++) {
    const c = b[i]!;
    o[k + i - start] = c >= 65 && c <= 90 ? c + 32 : c;
  }
  out.scratchUsed = k + stop - start;
  setField(out, F_VHOST, k, out.scratchUsed, 1);
  return true;
}
