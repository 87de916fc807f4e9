/**
 * Format detection from the head bytes of an input: every preset tries the first lines, the one
 * that parses the most wins. When none does, the bytes say why (gzip, binary, JSON that is not
 * Caddy's), so the error can name the fix.
 */
import { LineFields, type ByteLineParser } from '../core/line-fields.js';
import { appError, type AppError } from '../core/errors.js';
import { createPreset, PRESETS, type PresetName } from './presets.js';
import { isBlank } from './fields.js';

/**
 * Tie order: a more specific format first (vhost_combined lines never parse as combined, and vice
 * versa; a vhost_common line is common with a host before the client, which common reads as
 * trailing fields and rejects).
 */
const DETECT_ORDER: readonly PresetName[] = ['vhost_combined', 'combined', 'nginx_combined', 'vhost_common', 'common', 'xferlog', 'caddy'];

/** Lines of the head that detection looks at. */
export const DETECT_LINES = 200;

export interface Detection {
  readonly name: PresetName;
  /** A fresh parser of the format (its date cache has seen only the sample). */
  readonly parser: ByteLineParser;
  /** Sample lines it parsed. */
  readonly parsed: number;
  /** Sample lines looked at. */
  readonly sampled: number;
}

/**
 * Line ranges of the head as start/end pairs: up to DETECT_LINES lines, without the last piece
 * when the head has several (it may be cut in the middle).
 */
export function sampleLines(head: Uint8Array): number[] {
  const ranges: number[] = [];
  let s = 0;
  for (let i = 0; i < head.length && ranges.length < 2 * DETECT_LINES; i++) {
    if (head[i] !== 10) continue;
    ranges.push(s, i);
    s = i + 1;
  }
  // A head without any newline is one (possibly whole) line.
  if (ranges.length === 0) ranges.push(0, head.length);
  return ranges;
}

function isContent(head: Uint8Array, s: number, e: number): boolean {
  if (e > s && head[e - 1] === 13) e--;
  return e > s && !isBlank(head, s, e);
}

/** Try every preset on the first lines; null if none parses at least half of the non-empty ones. */
export function detectFormat(head: Uint8Array): Detection | null {
  const ranges = sampleLines(head);
  let nonEmpty = 0;
  for (let k = 0; k < ranges.length; k += 2) if (isContent(head, ranges[k]!, ranges[k + 1]!)) nonEmpty++;
  if (nonEmpty === 0) return null;
  const out = new LineFields();
  let best: PresetName | null = null;
  let bestParsed = 0;
  for (const name of DETECT_ORDER) {
    const parser = createPreset(name);
    let parsed = 0;
    for (let k = 0; k < ranges.length; k += 2) if (parser.parse(head, ranges[k]!, ranges[k + 1]!, out) === 0) parsed++;
    if (best === null || parsed > bestParsed) {
      best = name;
      bestParsed = parsed;
    }
  }
  if (best === null || bestParsed === 0 || bestParsed * 2 < nonEmpty) return null;
  return { name: best, parser: createPreset(best), parsed: bestParsed, sampled: ranges.length / 2 };
}

/** Share of bytes that are not text (control bytes other than tab/CR/LF, invalid UTF-8) above which the input is binary. */
const BINARY_SHARE = 0.3;

/** Bytes at the head that are not text; -1 at the first NUL (never in a text log). */
function nonTextBytes(head: Uint8Array, n: number): number {
  let bad = 0;
  let i = 0;
  while (i < n) {
    const c = head[i]!;
    if (c === 0) return -1;
    if (c < 0x80) {
      if ((c < 0x20 && c !== 9 && c !== 10 && c !== 13) || c === 0x7f) bad++;
      i++;
      continue;
    }
    // A valid UTF-8 sequence is text; a lone high byte (latin1, Big5…) counts as half.
    const need = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
    let ok = need > 0 && i + need < n;
    for (let k = 1; ok && k <= need; k++) ok = (head[i + k]! & 0xc0) === 0x80;
    if (ok) i += need + 1;
    else {
      bad += 0.5;
      i++;
    }
  }
  return bad;
}

/** Whether most sample lines are JSON objects. */
function mostlyJson(head: Uint8Array): boolean {
  const ranges = sampleLines(head);
  let lines = 0;
  let objects = 0;
  for (let k = 0; k < ranges.length; k += 2) {
    let s = ranges[k]!;
    const e = ranges[k + 1]!;
    if (!isContent(head, s, e)) continue;
    lines++;
    while (s < e && (head[s] === 32 || head[s] === 9)) s++;
    if (head[s] === 123) objects++;
  }
  return lines > 0 && objects * 2 >= lines;
}

/** Why `head` matched no format: the error to report (ERR_PARSE_DETECT_*). */
export function undetectedError(head: Uint8Array): AppError {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return appError('ERR_PARSE_DETECT_GZIP');
  const n = Math.min(head.length, 4096);
  const bad = nonTextBytes(head, n);
  if (bad === -1) return appError('ERR_PARSE_DETECT_BINARY', `it has a NUL byte within the first ${n} bytes`);
  if (bad > n * BINARY_SHARE) return appError('ERR_PARSE_DETECT_BINARY', `${Math.round((100 * bad) / n)} % of its first ${n} bytes are not text`);
  if (mostlyJson(head)) return appError('ERR_PARSE_DETECT_JSON');
  return appError('ERR_PARSE_DETECT_FAILED', sampleLines(head).length / 2, PRESETS.join(', '));
}

/** detectFormat, or the error that says why it failed. */
export function detectOrExplain(head: Uint8Array): Detection {
  const found = detectFormat(head);
  if (found === null) throw undetectedError(head);
  return found;
}
