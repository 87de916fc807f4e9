/**
 * A followed file's range ends at a newline (the follower reads up to the last complete line), but
 * the file can shrink under the read: logrotate's copytruncate empties it while the range is being
 * read, and the read stops mid-line. That partial line must not be counted as a line: its rest is
 * in the rotated copy, which is read from the checkpoint on, so the line would be counted in two
 * pieces (found by the kill -9 test of follow mode: a head counted as a hit, its tail rejected).
 * So a range passes its bytes through the last newline and drops what follows it.
 */
import { Transform, type TransformCallback } from 'node:stream';

export function completeLines(): Transform {
  let held: Buffer | null = null;
  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
      const nl = chunk.lastIndexOf(10);
      if (nl === -1) {
        held = held === null ? chunk : Buffer.concat([held, chunk]);
        cb();
        return;
      }
      if (held !== null) this.push(held);
      held = nl === chunk.length - 1 ? null : chunk.subarray(nl + 1);
      cb(null, chunk.subarray(0, nl + 1));
    },
    flush(cb: TransformCallback): void {
      held = null;
      cb();
    },
  });
}
