/**
 * The one line and batch cutter: reads an input's bytes (after LineGuard), finds its lines once,
 * hands blocks of complete lines (bytes + line ends) to the executor, and ends a batch every
 * `batchLines` lines and at the end of the input, or earlier, after half of that, where the
 * executor sees a new day begin (a time-ordered log's days then each land in one batch: one
 * segment per site-day, nothing for the store to merge). Offsets count the input's bytes exactly
 * (including the bytes LineGuard dropped from overlong lines), so a checkpoint is always on a
 * line boundary.
 */
import { type LineGuard, MAX_LINE_BYTES } from '../../source/index.js';
import type { Executor } from './executor.js';

export interface CutOptions {
  readonly chunks: AsyncIterable<Buffer>;
  readonly guard: LineGuard;
  readonly exec: Executor;
  readonly batchLines: number;
  /** Bytes at the start that were already counted (a resumed .gz input): skipped whole lines. */
  readonly skipBytes: number;
  /** Lines before this input's first line (a resumed input). */
  readonly firstLine: number;
  /**
   * A batch ended after line `lineNo`, `consumed` bytes after where reading started. The cutter
   * waits for the returned promise before it reads on (the commit step bounds what is in flight).
   */
  readonly endBatch: (consumed: number, lineNo: number) => Promise<void>;
  /** Lines read so far (progress). */
  readonly onLines?: (lineNo: number) => void;
}

export interface CutResult {
  /** Bytes consumed after where reading started (complete lines; a final unterminated line counts). */
  readonly consumed: number;
  readonly lineNo: number;
}

export async function cutInput(o: CutOptions): Promise<CutResult> {
  const { exec, guard } = o;
  let consumed = 0;
  let skip = o.skipBytes;
  let lineNo = o.firstLine;
  let inBatch = 0;
  let carry: Buffer | null = null;
  let ends = new Uint32Array(4096);
  /** Bytes consumed after each line of the current block (for a batch end inside the block). */
  let after = new Float64Array(4096);
  const cutAfter = Math.floor(o.batchLines / 2);

  /**
   * Runs lines 0..n-1 of the block (`before`: bytes consumed before its first line); ends the
   * batch where the executor asks to.
   */
  const dispatch = async (buf: Buffer, from: number, n: number, first: number, before: number): Promise<void> => {
    let done = 0;
    while (done < n) {
      const k = await exec.run(buf, done === 0 ? from : ends[done - 1]! + 1, done === 0 ? ends : ends.subarray(done), n - done, first + done, cutAfter);
      done += k;
      if (done < n) {
        // A new day: the batch ends before line `done`; the rest of the block starts the next one.
        inBatch = n - done;
        await o.endBatch(done === 0 ? before : after[done - 1]!, first + done - 1);
      }
    }
  };

  for await (const chunk of o.chunks) {
    const buf: Buffer = carry === null ? chunk : Buffer.concat([carry, chunk]);
    carry = null;
    let pos = 0;
    let blockFrom = 0;
    let n = 0;
    let blockFirst = lineNo + 1;
    let blockBefore = consumed;
    for (;;) {
      const nl = buf.indexOf(10, pos);
      if (nl === -1) break;
      const len = nl - pos;
      if (skip > 0) {
        // Whole lines of a resumed .gz that were counted before.
        skip -= len + 1;
        consumed += len + 1;
        pos = blockFrom = nl + 1;
        blockFirst = lineNo + 1;
        blockBefore = consumed;
        continue;
      }
      consumed += len + 1 + (len > MAX_LINE_BYTES ? guard.takeDropped() : 0);
      lineNo++;
      if (n === ends.length) {
        const g = new Uint32Array(ends.length * 2);
        g.set(ends);
        ends = g;
        const a = new Float64Array(after.length * 2);
        a.set(after);
        after = a;
      }
      after[n] = consumed;
      ends[n++] = nl;
      pos = nl + 1;
      if (++inBatch === o.batchLines) {
        await dispatch(buf, blockFrom, n, blockFirst, blockBefore);
        n = 0;
        blockFrom = pos;
        blockFirst = lineNo + 1;
        blockBefore = consumed;
        // A day cut inside the block started a batch that is not full yet.
        if (inBatch >= o.batchLines) {
          inBatch = 0;
          await o.endBatch(consumed, lineNo);
        }
      }
    }
    await dispatch(buf, blockFrom, n, blockFirst, blockBefore);
    if (pos < buf.length) carry = Buffer.from(buf.subarray(pos));
    o.onLines?.(lineNo);
  }
  if (carry !== null && carry.length > 0) {
    if (skip > 0) consumed += carry.length + 1;
    else {
      // A last line without '\n' is a line, as every line reader treats it.
      const last = Buffer.concat([carry, Buffer.of(10)]);
      const before = consumed;
      consumed += carry.length + (carry.length > MAX_LINE_BYTES ? guard.takeDropped() : 0);
      lineNo++;
      ends[0] = carry.length;
      after[0] = consumed;
      inBatch++;
      await dispatch(last, 0, 1, lineNo, before);
    }
  }
  // The final batch always ends, if only to record where the input stands.
  await o.endBatch(Math.min(consumed, guard.bytesIn), lineNo);
  o.onLines?.(lineNo);
  return { consumed: Math.min(consumed, guard.bytesIn), lineNo };
}
