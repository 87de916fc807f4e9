/**
 * Splitting a request line (`%r`, `$request`) into method, path, query and protocol ranges.
 * Linear in the length: one scan for the method, one backward scan for the protocol, one scan
 * for '?'. The ranges point into the same bytes as the request (`inScratch`).
 */
import { F_METHOD, F_PATH, F_PROTOCOL, F_QUERY, type LineFields } from '../core/line-fields.js';
import { setField } from './fields.js';

const MAX_METHOD = 32;

/**
 * Sets path and query from a request target: origin form `/p?q`, `*`, or absolute form
 * `http://host/p?q` (its path is taken). Anything else (authority form, junk) leaves them empty.
 */
export function splitTarget(b: Uint8Array, start: number, end: number, inScratch: number, out: LineFields): void {
  if (start >= end) return;
  let p = start;
  const c = b[p];
  if (c === 42) {
    if (end - start === 1) setField(out, F_PATH, p, end, inScratch);
    return;
  }
  if (c !== 47) {
    // Absolute form: scheme "://" authority, then the path (or '/' when there is none).
    let i = p;
    while (i < end) {
      const l = b[i]! | 32;
      if (l < 97 || l > 122) break;
      i++;
    }
    if (i === p || i + 3 > end || b[i] !== 58 || b[i + 1] !== 47 || b[i + 2] !== 47) return;
    // The second slash of "://" stands for the path "/" of a URL without one.
    const slash = i + 2;
    i += 3;
    while (i < end) {
      const k = b[i];
      if (k === 47 || k === 63 || k === 35) break;
      i++;
    }
    if (i === end || b[i] !== 47) {
      setField(out, F_PATH, slash, slash + 1, inScratch);
      if (i < end && b[i] === 63) setField(out, F_QUERY, i + 1, end, inScratch);
      return;
    }
    p = i;
  }
  let q = p;
  while (q < end && b[q] !== 63) q++;
  if (q < end) {
    setField(out, F_PATH, p, q, inScratch);
    setField(out, F_QUERY, q + 1, end, inScratch);
  } else {
    setField(out, F_PATH, p, end, inScratch);
  }
}

/** Sets method/path/query/protocol from b[start, end); all stay empty for `-`, empty or junk. */
export function splitRequest(b: Uint8Array, start: number, end: number, inScratch: number, out: LineFields): void {
  let i = start;
  while (i < end) {
    const c = b[i]!;
    if (c < 65 || c > 90) break;
    // A method longer than any known one is junk.
    if (++i - start > MAX_METHOD) return;
  }
  // A method is a token of A-Z followed by a space and a target; TLS bytes and `-` are not.
  if (i === start || i + 1 >= end || b[i] !== 32) return;
  const t = i + 1;
  let te = end;
  let ls = end - 1;
  while (ls >= t && b[ls] !== 32) ls--;
  const S = out.start;
  const E = out.end;
  const X = out.inScratch;
  if (ls >= t && end - ls >= 7 && b[ls + 1] === 72 && b[ls + 2] === 84 && b[ls + 3] === 84 && b[ls + 4] === 80 && b[ls + 5] === 47) {
    S[F_PROTOCOL] = ls + 1;
    E[F_PROTOCOL] = end;
    X[F_PROTOCOL] = inScratch;
    te = ls;
  }
  while (te > t && b[te - 1] === 32) te--;
  S[F_METHOD] = start;
  E[F_METHOD] = i;
  X[F_METHOD] = inScratch;
  if (te > t && b[t] === 47) {
    // Origin form, nearly every request: path up to '?', query after it.
    let q = t;
    while (q < te && b[q] !== 63) q++;
    S[F_PATH] = t;
    E[F_PATH] = q;
    X[F_PATH] = inScratch;
    if (q < te) {
      S[F_QUERY] = q + 1;
      E[F_QUERY] = te;
      X[F_QUERY] = inScratch;
    }
  } else splitTarget(b, t, te, inScratch, out);
}
