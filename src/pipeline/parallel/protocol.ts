/**
 * Messages between the ingest's main thread and its worker threads (see pool.ts for the design).
 * Everything here is structured-cloneable plain data; line bytes travel as transferred buffers.
 */
import type { DayDelta, RejectDelta } from '../../aggregate/delta.js';
import type { RejectReason } from '../../core/record.js';
import type { FormatSpec } from '../../parse/index.js';
import type { StageSettings } from '../build.js';
import type { Routing } from '../line-processor.js';

export interface WorkerInit {
  readonly settings: StageSettings;
  /** Whether any site keeps raw lines (then batches carry them back). */
  readonly raw: boolean;
  readonly today: string;
  /** Key requests: [0] state (0 idle, 1 answered), [1] key length; key chars from index 8 (Uint16). */
  readonly keyChannel: SharedArrayBuffer;
}

export type ToWorker =
  /** A new input: its parser and routing apply to the lines that follow. */
  | { readonly type: 'input'; readonly name: string; readonly format: FormatSpec; readonly routing: Routing; readonly rejectSite: string }
  /** Complete lines ('\n'-terminated) of batch `batch`, the first of them line number `firstLine`. */
  | { readonly type: 'lines'; readonly batch: number; readonly firstLine: number; readonly data: ArrayBuffer }
  /** Batch `batch` has no more lines: drain and answer with a BatchResult. */
  | { readonly type: 'end'; readonly batch: number };

/** Raw-window lines of one site and day, in line order, joined by '\n'. */
export interface RawBlock {
  readonly site: string;
  readonly day: string;
  readonly text: string;
  readonly lines: number;
}

export interface BatchResult {
  readonly type: 'batch';
  readonly batch: number;
  readonly days: DayDelta[];
  readonly rejected: RejectDelta[];
  readonly lines: number;
  readonly parsed: number;
  readonly reasons: Partial<Record<RejectReason, number>>;
  /** Up to five line numbers per reason, in line order. */
  readonly samples: Partial<Record<RejectReason, number[]>>;
  readonly raw: RawBlock[];
}

export type FromWorker =
  | BatchResult
  /** Bytes of `lines` messages processed (flow control). */
  | { readonly type: 'ack'; readonly bytes: number }
  /** The key for a site and day is needed: answered through `keyChannel`. */
  | { readonly type: 'key'; readonly site: string; readonly date: string }
  | { readonly type: 'error'; readonly code: string | null; readonly message: string; readonly stack?: string };

export const KEY_STATE = 0;
export const KEY_LENGTH = 1;
/** Uint16 index where the key's chars start (byte 16). */
export const KEY_CHARS = 8;
export const KEY_CHANNEL_BYTES = 16 + 2 * 1024;
