/**
 * Bounds memory for lines without a newline in sight (a 1 GB "line" of junk, a binary file fed
 * by mistake): bytes of a line beyond MAX_LINE_BYTES + 1 are dropped before split2 buffers them.
 * The parser then sees a line longer than it accepts and rejects it as 'too_long', so the line
 * is still counted; the dropped byte counts are queued in line order so that checkpoint offsets
 * stay exact (see takeDropped).
 */
import { Transform, type TransformCallback } from 'node:stream';

export class LineGuard extends Transform {
  readonly #max: number;
  #lineLen = 0;
  #dropping = 0;
  /** Dropped bytes per truncated line, oldest first. */
  readonly #queue: number[] = [];
  /** Bytes received, before any were dropped. */
  bytesIn = 0;

  constructor(maxLineBytes: number) {
    super();
    this.#max = maxLineBytes + 1;
  }

  /** Bytes dropped from the oldest truncated line not yet taken. */
  takeDropped(): number {
    return this.#queue.shift() ?? 0;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytesIn += chunk.length;
    let start = 0;
    let keepFrom = 0;
    const parts: Buffer[] = [];
    while (start < chunk.length) {
      const nl = chunk.indexOf(10, start);
      const end = nl === -1 ? chunk.length : nl;
      const segLen = end - start;
      if (this.#lineLen + segLen > this.#max) {
        const keep = Math.max(0, this.#max - this.#lineLen);
        if (keep > 0 || start > keepFrom) parts.push(chunk.subarray(keepFrom, start + keep));
        this.#dropping += segLen - keep;
        this.#lineLen += keep;
        keepFrom = end;
      } else {
        this.#lineLen += segLen;
      }
      if (nl === -1) break;
      if (this.#dropping > 0) {
        this.#queue.push(this.#dropping);
        this.#dropping = 0;
      }
      this.#lineLen = 0;
      start = nl + 1;
    }
    if (keepFrom === 0) {
      cb(null, chunk);
      return;
    }
    if (keepFrom < chunk.length) parts.push(chunk.subarray(keepFrom));
    cb(null, Buffer.concat(parts));
  }

  override _flush(cb: TransformCallback): void {
    if (this.#dropping > 0) this.#queue.push(this.#dropping);
    this.#dropping = 0;
    cb();
  }
}
