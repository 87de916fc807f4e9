/**
 * Keeps the heap near what is live. An ingest allocates fast and its per-batch maps die old, so
 * V8 lets the old space grow to 4–5× the live data between collections (measured: 75 MB live,
 * 400 MB heap, 534 MB RSS on 3M lines). After each committed batch, when the heap is well above
 * the budget, a full collection runs (a few ms for ~100 MB live), so peak memory follows the
 * distinct keys, not the input size.
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

/** Heap bytes above which a batch boundary triggers a full collection. */
const BUDGET = 96 * 1024 * 1024;

export function collectIfOverBudget(): void {
  if (process.memoryUsage().heapUsed < BUDGET) return;
  collector()?.();
}
