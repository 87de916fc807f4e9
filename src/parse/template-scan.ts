/**
 * What the compiled template scanners (template-codegen.ts) call at run time: the compiled step
 * shape, the per-parser state, finding the end of quoted and delimited fields, and applying the
 * fields that take more than a range (request line, request target, client).
 */
import { F_IP, F_REQUEST, type LineFields } from '../core/line-fields.js';
import type { StrftimeProgram } from './time.js';
import { DateCache, TimeParts, type TimeTarget } from './time.js';
import { findEither, indexOfByte } from './byte-search.js';
import { ESC_NONE, unescapeInto } from './escape.js';
import { isDash, setField } from './fields.js';
import { isHostName } from './host-name.js';
import { isIp } from './ip.js';
import { splitRequest, splitTarget } from './request-line.js';
import { R_BAD_IP, R_FORMAT_MISMATCH, R_MISSING_FIELD, R_OK } from './reject.js';

/** A literal of one byte. */
export const S_LIT1 = 0;
/** A literal of several bytes. */
export const S_LIT = 1;
/** A token field: up to the next space (a missing space is a missing field unless it is the last step). */
export const S_TOKEN = 2;
/** The last field, not a token: the rest of the line. */
export const S_REST = 3;
/** A field up to the next occurrence of a literal. */
export const S_DELIM = 4;
/** A quoted field; the step consumes the closing quote. */
export const S_QUOTED = 5;
export const S_TIME_CLF = 6;
export const S_TIME_ISO = 7;
export const S_TIME_STRF = 8;

/** One compiled step of a template. */
export class Step {
  constructor(
    readonly type: number,
    /** What the field feeds (K_* in template.ts). */
    readonly kind: number,
    /** Literals: the bytes; S_DELIM: the literal that ends the field; S_QUOTED: what must follow the closing quote. */
    readonly text: Uint8Array,
    /** K_TIME_EPOCH: the epoch divisor; K_TIME_TAKEN: microseconds per unit. */
    readonly scale: number,
    readonly strf: StrftimeProgram | null,
    /** A time field that lost to another one: parsed (to find its end), result dropped. */
    readonly discard: boolean,
    /** K_IP: a DNS host name is a client too. */
    readonly hostName: boolean,
    public last: boolean,
  ) {}
}

/** What one parser keeps between lines and hands its scanner. */
export class ScanState {
  /** Whether the field just delimited held a backslash (a quoted field: one was met before its close). */
  escaped = false;
  readonly dateCache = new DateCache();
  readonly parts = new TimeParts();
  /** Where discarded time fields go. */
  readonly scratchParts = new TimeParts();
  readonly scratchTime: TimeTarget = { time: 0, day: 0, hour: 0 };
  readonly scratchCache = new DateCache();
}

/** A line that stops inside an expected literal is short ('missing_field'), else it differs. */
export function literalMismatch(b: Uint8Array, pos: number, end: number, text: Uint8Array): number {
  let k = 0;
  while (pos + k < end && k < text.length && b[pos + k] === text[k]) k++;
  return pos + k === end ? R_MISSING_FIELD : R_FORMAT_MISMATCH;
}

/** Whether b[pos, pos + t.length) is `t`. */
export function matchAt(b: Uint8Array, pos: number, end: number, t: Uint8Array): boolean {
  const n = t.length;
  if (pos + n > end) return false;
  for (let i = 0; i < n; i++) if (b[pos + i] !== t[i]) return false;
  return true;
}

/** Position of the literal `t` at or after `pos` (-1 when none); whether a backslash came before it goes to state.escaped. */
export function findLiteral(b: Uint8Array, pos: number, end: number, t: Uint8Array, state: ScanState): number {
  const t0 = t[0]!;
  const n = t.length;
  let esc = false;
  for (let i = pos; i + n <= end; i++) {
    const c = b[i];
    if (c === t0) {
      let k = 1;
      while (k < n && b[i + k] === t[k]) k++;
      if (k === n) {
        state.escaped = esc;
        return i;
      }
    }
    if (c === 92) esc = true;
  }
  return -1;
}

/** Whether what the format expects after a quoted field's closing quote follows b[after]. */
function follows(b: Uint8Array, after: number, end: number, st: Step): boolean {
  if (st.last) return after === end || b[after] === 32 || b[after] === 9;
  return matchAt(b, after, end, st.text);
}

/**
 * Index of the quote that closes a quoted field starting at `pos`: the first unescaped `"`
 * that is followed by what the format expects next (so an unescaped quote inside the value,
 * as old servers write them, does not end it early). -1 when there is none (for the last
 * field: when it has no unescaped quote at all). A backslash escapes the next byte, which may
 * be a quote; state.escaped says whether one was met.
 */
export function findClose(b: Uint8Array, pos: number, end: number, st: Step, state: ScanState): number {
  let esc = false;
  let firstQuote = -1;
  let i = pos;
  for (;;) {
    i = findEither(b, i, end, 34, 92);
    if (i >= end) break;
    if (b[i] === 92) {
      esc = true;
      i += 2;
      continue;
    }
    if (firstQuote === -1) firstQuote = i;
    if (follows(b, i + 1, end, st)) {
      state.escaped = esc;
      return i;
    }
    i++;
  }
  state.escaped = esc;
  // The last field has quotes but none fits: take the first, and let the trailing check judge.
  return st.last ? firstQuote : -1;
}

/** findClose where a backslash is no escape (a line without any, or nginx escape=none): quotes by memchr. */
export function findCloseRaw(b: Uint8Array, pos: number, end: number, st: Step, state: ScanState): number {
  let firstQuote = -1;
  state.escaped = false;
  for (let i = indexOfByte(b, pos, 34); i !== -1 && i < end; i = indexOfByte(b, i + 1, 34)) {
    if (firstQuote === -1) firstQuote = i;
    if (follows(b, i + 1, end, st)) return i;
  }
  return st.last ? firstQuote : -1;
}

/** The client: an address, or (for %h) a host name; R_BAD_IP otherwise. */
export function applyClient(out: LineFields, b: Uint8Array, s: number, e: number, hostName: boolean): number {
  if (isIp(b, s, e)) setField(out, F_IP, s, e, 0);
  else if (hostName && isHostName(b, s, e)) {
    setField(out, F_IP, s, e, 0);
    out.clientIsName = true;
  } else return R_BAD_IP;
  return R_OK;
}

/** %r / $request: the line as written (decoded), split into method, target and protocol. */
export function applyRequest(out: LineFields, b: Uint8Array, s: number, e: number, escaped: boolean, mode: number): void {
  if (isDash(b, s, e)) return;
  if (escaped && mode !== ESC_NONE) {
    const from = out.scratchUsed;
    const to = unescapeInto(b, s, e, mode, out);
    setField(out, F_REQUEST, from, to, 1);
    splitRequest(out.scratch, from, to, 1, out);
  } else {
    setField(out, F_REQUEST, s, e, 0);
    splitRequest(b, s, e, 0, out);
  }
}

/** $request_uri / %U%q: path and query. */
export function applyRequestUri(out: LineFields, b: Uint8Array, s: number, e: number, escaped: boolean, mode: number): void {
  if (isDash(b, s, e)) return;
  if (escaped && mode !== ESC_NONE) {
    const from = out.scratchUsed;
    splitTarget(out.scratch, from, unescapeInto(b, s, e, mode, out), 1, out);
  } else splitTarget(b, s, e, 0, out);
}
