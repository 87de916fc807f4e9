/**
 * Keeps the heap near what is live. An ingest allocates fast and its per-batch maps die old, so
 * V8 lets the old space grow to 4–5× the live data between collections (measured: 75 MB live,
 * 400 MB heap, 534 MB RSS on 3M lines). After each committed batch, when the heap is well above
 * the budget or buffers grew by much since the last collection, a full collection runs (a few ms
 * for ~100 MB live), so peak memory follows the distinct keys, not the input size.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | null | undefined;

function collector(): (() => void) | null {
  if (collect !== undefined) return collect;
  try {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  } catch {
    collect = null;
  }
  return collect;
}

/**
 * After each full collection V8 lets the old space grow by a factor it picks from the GC's speed,
 * up to 4×; an ingest's heap is mostly long-lived maps, so that headroom is mostly unused. Capped
 * at 40 % (measured, 3M lines with 500k clients: peak RSS 379 → 305 MB, time unchanged; on 1M
 * lines 20 % would save another ~15 MB but cost 8 % in time). The flag is read at every
 * collection, so setting it at run time works. Process-wide: call it from commands that stream
 * (ingest, its workers), not from a library.
 */
export function limitHeapGrowth(): void {
  try {
    setFlagsFromString('--heap-growing-percent=40');
    // The young generation starts at 1 MB semi-spaces and doubles while objects survive, up to
    // 16 MB each: 32 MB committed that an ingest, which allocates little per line, does not need.
    // Its size is fixed at start-up (--max-semi-space-size cannot be set from inside), but the
    // growth factor is read at every grow, so 1 keeps it at its initial size. Measured with the
    // engine's byte-level hot path (bench/README.md, "Rollups and the young generation"):
    // 5,000 vhosts 258 → 231 MB.
    setFlagsFromString('--semi-space-growth-factor=1');
  } catch {
    // Not fatal: memory is only higher.
  }
}

/** Heap bytes above which a batch boundary triggers a full collection. */
const HEAP_BUDGET = 96 * 1024 * 1024;
/**
 * Growth of array-buffer memory since the last collection above which a batch boundary triggers
 * one. Typed arrays live outside the heap, so heapUsed does not see them; a compaction of a busy
 * day leaves ~175 MB of dead buffers (10M lines, 500k clients), which V8 kept until its own
 * external-memory heuristics fired while the next batches allocated on top: peaks of 540 MB.
 */
const BUFFER_GROWTH = 64 * 1024 * 1024;
let buffersAfterCollection = 0;

export function collectIfOverBudget(): void {
  const m = process.memoryUsage();
  if (m.heapUsed < HEAP_BUDGET && m.arrayBuffers < buffersAfterCollection + BUFFER_GROWTH) return;
  collectNow();
}

function collectNow(): void {
  const gc = collector();
  if (gc === null) return;
  gc();
  buffersAfterCollection = process.memoryUsage().arrayBuffers;
}

/** Buffer bytes whose death is worth a collection of its own (one costs ~10 ms at 50 MB of heap). */
const RELEASE_AT = 16 * 1024 * 1024;

/**
 * Collects now when `bytes` of buffers have just become garbage, so that what is allocated next
 * reuses their memory instead of adding to it. Called where a large transient dies in the middle
 * of a step (compaction of a busy site-day), not per line or per key.
 */
export function releaseBuffers(bytes: number): void {
  if (bytes < RELEASE_AT) return;
  collectNow();
}
