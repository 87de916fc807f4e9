/**
 * The record's scratch bytes: values that had to be rewritten (unescaped, lower-cased, constant
 * words such as xferlog's RETR) are appended there for the current line. The buffer grows by
 * doubling and is kept, so a steady stream of escaped lines allocates nothing.
 */
import type { LineFields } from '../core/line-fields.js';

/** Makes room for `n` more bytes; returns the offset to write them at (out.scratchUsed). */
export function reserveScratch(out: LineFields, n: number): number {
  const used = out.scratchUsed;
  if (used + n > out.scratch.length) {
    const grown = new Uint8Array(Math.max(out.scratch.length * 2, used + n));
    grown.set(out.scratch.subarray(0, used));
    out.scratch = grown;
  }
  return used;
}

/** Appends bytes given as an ASCII string (compile-time constants only); returns their end offset. */
export function appendAscii(out: LineFields, bytes: Uint8Array): number {
  const k = reserveScratch(out, bytes.length);
  out.scratch.set(bytes, k);
  out.scratchUsed = k + bytes.length;
  return out.scratchUsed;
}
