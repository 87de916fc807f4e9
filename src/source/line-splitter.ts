/**
 * split2, decoding bytes as latin1 instead of UTF-8.
 *
 * Why: with latin1 one char is one byte, so a line's `length + 1` is exactly the bytes it took
 * and checkpoint offsets are exact; and bytes that are not valid UTF-8 reach the parser intact
 * instead of being replaced by U+FFFD (they are shown as \xHH later, once per distinct value).
 * split2 has no encoding option, so the decoder it creates is swapped once, here; the test
 * `test/unit/source/line-splitter.test.ts` fails if a split2 upgrade moves it.
 *
 * The per-line work runs inside split2's mapper, synchronously: nothing is pushed per line, only
 * a finished batch now and then, so there is no per-line stream overhead and backpressure from
 * the store reaches the file reader through split2's own buffer.
 */
import { StringDecoder } from 'node:string_decoder';
import type { Transform } from 'node:stream';
import split2 from 'split2';

/** Lines longer than this are cut by LineGuard before split2 buffers them, then rejected as too_long. */
export const MAX_LINE_BYTES = 1024 * 1024;

export function createLatin1Splitter<T>(onLine: (line: string) => T | undefined, onEnd?: () => T | undefined): Transform {
  const stream = split2('\n', onLine) as Transform;
  const decoderKey = Object.getOwnPropertySymbols(stream).find((s) => s.description === 'decoder');
  if (decoderKey === undefined) throw new Error('split2 internals changed: no decoder symbol (see line-splitter.ts)');
  (stream as unknown as Record<symbol, StringDecoder>)[decoderKey] = new StringDecoder('latin1');
  if (onEnd) {
    // Runs after split2 has flushed its last (unterminated) line, before 'end' downstream.
    const flush = (stream as unknown as { _flush: (cb: (e?: Error | null) => void) => void })._flush.bind(stream);
    (stream as unknown as { _flush: (cb: (e?: Error | null) => void) => void })._flush = (cb) => {
      flush((err) => {
        if (err) return cb(err);
        try {
          const last = onEnd();
          if (last !== undefined) stream.push(last);
          cb();
        } catch (e) {
          cb(e as Error);
        }
      });
    };
  }
  return stream;
}
