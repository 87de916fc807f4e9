/**
 * A byte-level JSON scanner for one object per line (RFC 8259): it validates and skips values
 * without building them, so a reader can walk an object, pick the members it knows and step
 * over the rest (nested objects, arrays, strings with escapes), allocating nothing. Every
 * function returns the position after what it read, or -1 when the bytes are not JSON.
 */

/** Deeper nesting is rejected (a line is one log record, not a document). */
export const MAX_DEPTH = 64;

/** Set by scanString: whether the string just scanned had a backslash (escapes to decode). */
export let stringEscaped = false;

export function skipWs(b: Uint8Array, p: number, end: number): number {
  while (p < end) {
    const c = b[p];
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
    p++;
  }
  return p;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 102);
}

/** The length of the escape at b[i] ('\\'), 0 when it is not a JSON escape. */
function escapeLength(b: Uint8Array, i: number, end: number): number {
  if (i + 1 >= end) return 0;
  switch (b[i + 1]) {
    case 34: // "
    case 92: // \
    case 47: // /
    case 98: // b
    case 102: // f
    case 110: // n
    case 114: // r
    case 116: // t
      return 2;
    case 117: // uXXXX
      return i + 5 < end && isHex(b[i + 2]!) && isHex(b[i + 3]!) && isHex(b[i + 4]!) && isHex(b[i + 5]!) ? 6 : 0;
    default:
      return 0;
  }
}

/** b[p] is '"': the position after the closing quote. Control bytes and unknown escapes are not JSON. */
export function scanString(b: Uint8Array, p: number, end: number): number {
  let esc = false;
  let i = p + 1;
  while (i < end) {
    const c = b[i]!;
    if (c === 34) {
      stringEscaped = esc;
      return i + 1;
    }
    if (c === 92) {
      const n = escapeLength(b, i, end);
      if (n === 0) return -1;
      esc = true;
      i += n;
      continue;
    }
    if (c < 0x20) return -1;
    i++;
  }
  return -1;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** A JSON number at b[p]: `-?(0|[1-9]d*)(.d+)?([eE][+-]?d+)?`. */
export function scanNumber(b: Uint8Array, p: number, end: number): number {
  let i = p;
  if (i < end && b[i] === 45) i++;
  if (i >= end) return -1;
  if (b[i] === 48) i++;
  else if (isDigit(b[i]!)) while (i < end && isDigit(b[i]!)) i++;
  else return -1;
  if (i < end && b[i] === 46) {
    i++;
    const f = i;
    while (i < end && isDigit(b[i]!)) i++;
    if (i === f) return -1;
  }
  if (i < end && (b[i] === 101 || b[i] === 69)) {
    i++;
    if (i < end && (b[i] === 43 || b[i] === 45)) i++;
    const f = i;
    while (i < end && isDigit(b[i]!)) i++;
    if (i === f) return -1;
  }
  return i;
}

const TRUE = [116, 114, 117, 101];
const FALSE = [102, 97, 108, 115, 101];
const NULL = [110, 117, 108, 108];

function literal(b: Uint8Array, p: number, end: number, word: readonly number[]): number {
  if (p + word.length > end) return -1;
  for (let i = 0; i < word.length; i++) if (b[p + i] !== word[i]) return -1;
  return p + word.length;
}

/** Whether b[p] starts the JSON literal `null`. */
export function isNull(b: Uint8Array, p: number, end: number): boolean {
  return literal(b, p, end, NULL) !== -1;
}

/** Any value at b[p] (no leading whitespace). */
export function skipValue(b: Uint8Array, p: number, end: number, depth: number): number {
  if (p >= end) return -1;
  switch (b[p]) {
    case 34:
      return scanString(b, p, end);
    case 123:
      return skipObject(b, p, end, depth + 1);
    case 91:
      return skipArray(b, p, end, depth + 1);
    case 116:
      return literal(b, p, end, TRUE);
    case 102:
      return literal(b, p, end, FALSE);
    case 110:
      return literal(b, p, end, NULL);
    default:
      return scanNumber(b, p, end);
  }
}

/** nextMember's answer when the object closes: the position after its '}' is in `closedAt`. */
const CLOSED = -2;
let closedAt = 0;

/**
 * Steps to the next member of an object: from just after '{' (`first`) or after a member's
 * value, skips ',' and whitespace. Returns the position of the member's key (a '"'), CLOSED, or
 * -1 when the bytes are not JSON.
 */
function nextMember(b: Uint8Array, p: number, end: number, first: boolean): number {
  p = skipWs(b, p, end);
  if (p >= end) return -1;
  if (b[p] === 125) {
    closedAt = p + 1;
    return CLOSED;
  }
  if (!first) {
    if (b[p] !== 44) return -1;
    p = skipWs(b, p + 1, end);
  }
  return p < end && b[p] === 34 ? p : -1;
}

/** After a key ending at `p`: the start of its value (past ':' and whitespace), or -1. */
function memberValue(b: Uint8Array, p: number, end: number): number {
  p = skipWs(b, p, end);
  if (p >= end || b[p] !== 58) return -1;
  p = skipWs(b, p + 1, end);
  return p < end ? p : -1;
}

/**
 * Reads one member's value at b[v] (its key is b[ks..kEnd), unquoted) and returns the position
 * after the value, or -1 to reject. `ctx` is the caller's number (a depth), so that readers are
 * made once and not per line.
 */
export type MemberReader = (b: Uint8Array, ks: number, kEnd: number, v: number, end: number, ctx: number) => number;

/** The members of the object at b[p] ('{'), each through `read`; the position after it, or -1. */
export function scanObject(b: Uint8Array, p: number, end: number, ctx: number, read: MemberReader): number {
  let q = p + 1;
  let first = true;
  for (;;) {
    const k = nextMember(b, q, end, first);
    if (k === CLOSED) return closedAt;
    if (k === -1) return -1;
    first = false;
    const ke = scanString(b, k, end);
    if (ke === -1) return -1;
    const v = memberValue(b, ke, end);
    if (v === -1) return -1;
    q = read(b, k + 1, ke - 1, v, end, ctx);
    if (q === -1) return -1;
  }
}

const skipMember: MemberReader = (b, _ks, _kEnd, v, end, depth) => skipValue(b, v, end, depth);

function skipObject(b: Uint8Array, p: number, end: number, depth: number): number {
  if (depth > MAX_DEPTH) return -1;
  return scanObject(b, p, end, depth, skipMember);
}

function skipArray(b: Uint8Array, p: number, end: number, depth: number): number {
  if (depth > MAX_DEPTH) return -1;
  let q = skipWs(b, p + 1, end);
  if (q < end && b[q] === 93) return q + 1;
  for (;;) {
    q = skipValue(b, q, end, depth);
    if (q === -1) return -1;
    q = skipWs(b, q, end);
    if (q >= end) return -1;
    if (b[q] === 93) return q + 1;
    if (b[q] !== 44) return -1;
    q = skipWs(b, q + 1, end);
  }
}

/** Whether the key b[ks, ke) (quotes excluded) equals `name` (ASCII), optionally ignoring case. */
export function keyIs(b: Uint8Array, ks: number, ke: number, name: Uint8Array, anyCase: boolean): boolean {
  const n = name.length;
  if (ke - ks !== n) return false;
  if (anyCase) {
    for (let i = 0; i < n; i++) if ((b[ks + i]! | 32) !== (name[i]! | 32)) return false;
  } else {
    for (let i = 0; i < n; i++) if (b[ks + i] !== name[i]) return false;
  }
  return true;
}

/** The value of a JSON number b[s, e) (already scanned), as a double. */
export function numberValue(b: Uint8Array, s: number, e: number): number {
  let i = s;
  const neg = b[i] === 45;
  if (neg) i++;
  let v = 0;
  while (i < e && isDigit(b[i]!)) v = v * 10 + (b[i++]! - 48);
  let exp = 0;
  if (i < e && b[i] === 46) {
    i++;
    while (i < e && isDigit(b[i]!)) {
      v = v * 10 + (b[i++]! - 48);
      exp--;
    }
  }
  if (i < e && (b[i] === 101 || b[i] === 69)) {
    i++;
    let sign = 1;
    if (b[i] === 45) {
      sign = -1;
      i++;
    } else if (b[i] === 43) i++;
    let x = 0;
    while (i < e && isDigit(b[i]!)) x = x * 10 + (b[i++]! - 48);
    exp += sign * x;
  }
  // 10 ** 316 is Infinity: divide in two steps far down.
  const r = exp >= 0 ? v * 10 ** exp : exp >= -300 ? v / 10 ** -exp : v / 1e300 / 10 ** (-exp - 300);
  return neg ? -r : r;
}
