/**
 * The main thread's side of a parallel ingest of one input: cut the byte stream into the batches
 * a single-threaded ingest would make (the same line counts and offsets), hand each to its
 * worker, and commit the results strictly in batch order (pool.ts explains the design).
 */
import type { LineGuard } from '../../source/line-guard.js';
import { MAX_LINE_BYTES } from '../../source/line-splitter.js';
import type { BatchResult } from './protocol.js';
import type { IngestWorkers } from './pool.js';

export interface ParallelRead {
  readonly pool: IngestWorkers;
  /** The input's bytes after LineGuard. */
  readonly chunks: AsyncIterable<Buffer>;
  readonly guard: LineGuard;
  readonly batchLines: number;
  /** Bytes at the start that were already counted (a resumed .gz input). */
  readonly skipBytes: number;
  /** Lines before this input's first line (a resumed input). */
  readonly firstLine: number;
  /**
   * Commits one batch: its result (null: an empty final batch), the content offset after its last
   * line (relative to where reading started) and the line number of its last line.
   */
  readonly commit: (r: BatchResult | null, offset: number, lineNo: number) => Promise<void>;
  /** Lines read so far (progress). */
  readonly onLines?: (lineNo: number) => void;
}

interface Ended {
  /** Null: the final batch had no lines, only a checkpoint to commit. */
  readonly batch: number | null;
  readonly offset: number;
  readonly lineNo: number;
}

/** Returns the offset and line number reached, like the single-threaded reader. */
export async function readParallel(o: ParallelRead): Promise<{ consumed: number; lineNo: number }> {
  const { pool, guard } = o;
  const ended: Ended[] = [];
  let readDone = false;
  let uncommitted = 0;

  const committer = (async () => {
    for (;;) {
      await pool.until(() => ended.length > 0 || readDone);
      const e = ended.shift();
      if (e === undefined) return;
      const r = e.batch === null ? null : await pool.result(e.batch);
      await o.commit(r, e.offset, e.lineNo);
      uncommitted--;
      pool.poke();
    }
  })();
  // A failed commit must also stop the reader, which may be waiting for a commit slot.
  committer.catch((e: unknown) => pool.fail(e as Error));

  let consumed = 0;
  let skip = o.skipBytes;
  let lineNo = o.firstLine;
  let batch = -1;
  let inBatch = 0;
  let carry: Buffer | null = null;

  /** Opens the next batch once a commit slot is free (each worker holds at most two batches). */
  const openBatch = async (): Promise<void> => {
    await pool.until(() => uncommitted <= pool.size);
    batch = pool.nextBatch();
    uncommitted++;
  };
  const countLine = (len: number): void => {
    consumed += len + 1 + (len > MAX_LINE_BYTES ? guard.takeDropped() : 0);
    lineNo++;
    inBatch++;
  };

  const endBatch = (offset: number): void => {
    ended.push({ batch: inBatch > 0 ? batch : null, offset, lineNo });
    if (inBatch > 0) pool.endBatch(batch);
    inBatch = 0;
    pool.poke();
  };

  try {
    for await (const chunk of o.chunks) {
      if (inBatch > 0) await pool.room(batch);
      const buf: Buffer = carry === null ? chunk : Buffer.concat([carry, chunk]);
      let pos = 0;
      let from = 0;
      let partFirst = lineNo + 1;
      for (;;) {
        const nl = buf.indexOf(10, pos);
        if (nl === -1) break;
        const len = nl - pos;
        if (skip > 0) {
          skip -= len + 1;
          consumed += len + 1;
          pos = from = nl + 1;
          partFirst = lineNo + 1;
          continue;
        }
        if (inBatch === 0) await openBatch();
        countLine(len);
        pos = nl + 1;
        if (inBatch === o.batchLines) {
          pool.sendLines(batch, partFirst, buf.subarray(from, pos));
          from = pos;
          partFirst = lineNo + 1;
          endBatch(consumed);
        }
      }
      if (pos > from) pool.sendLines(batch, partFirst, buf.subarray(from, pos));
      carry = pos < buf.length ? Buffer.from(buf.subarray(pos)) : null;
      o.onLines?.(lineNo);
    }
    if (carry !== null && carry.length > 0 && skip > 0) consumed += carry.length + 1;
    else if (carry !== null && carry.length > 0) {
      // A last line without '\n' counts as a line, as split2 emits it.
      if (inBatch === 0) await openBatch();
      countLine(carry.length);
      pool.sendLines(batch, lineNo, Buffer.concat([carry, Buffer.from('\n')]));
    }
    // The final batch always commits, if only to record the checkpoint.
    if (inBatch === 0) uncommitted++;
    endBatch(Math.min(consumed, guard.bytesIn));
  } finally {
    readDone = true;
    pool.poke();
    // Batches ended before a read error are committed, as a single thread would have.
    await committer;
  }
  o.onLines?.(lineNo);
  return { consumed: Math.min(consumed, guard.bytesIn), lineNo };
}
