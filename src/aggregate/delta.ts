/**
 * What the aggregate stage hands to a Store: per site and calendar day, the counts of one batch.
 * Everything here is already anonymised and already display text. A Store adds these deltas to
 * what it has; the only state that needs more than addition is the visitor set (visitor-state.ts).
 */
import type { ListName } from '../core/lists.js';

export interface Counter {
  hits: number;
  bytes: number;
}

/** First and last hit (unix seconds) of one visitor within a day. */
export interface VisitorSpan {
  first: number;
  last: number;
}

/** Visitors of one day in a batch, sorted by id, with their first and last hit (unix seconds). */
export interface VisitorSet {
  readonly ids: Float64Array;
  readonly first: Uint32Array;
  readonly last: Uint32Array;
}

/** A VisitorSet from (id, span) pairs in any order (ids distinct). */
export function visitorSetOf(entries: Iterable<readonly [number, VisitorSpan]>): VisitorSet {
  const sorted = [...entries].sort((a, b) => a[0] - b[0]);
  return {
    ids: Float64Array.from(sorted, ([id]) => id),
    first: Uint32Array.from(sorted, ([, s]) => s.first),
    last: Uint32Array.from(sorted, ([, s]) => s.last),
  };
}

export interface DayDelta {
  readonly site: string;
  /** YYYY-MM-DD as written in the log lines. */
  readonly date: string;
  hits: number;
  pages: number;
  bytes: number;
  bots: number;
  /** Visits started within this batch, before merging with earlier batches of the same day. */
  visits: number;
  ftpTransfers: number;
  ftpBytes: number;
  /** Visitor ids (keyed hashes, see anonymise) with their spans. Only hits that count towards visitors. */
  readonly visitors: VisitorSet;
  readonly lists: Map<ListName, Map<string, Counter>>;
  /** Hits of keys beyond the per-day cap, per list. */
  readonly others: Map<ListName, Counter>;
}

export interface RejectDelta {
  /** '' when the line could not be attributed to a site (vhost routing of an unparsable line). */
  readonly site: string;
  readonly reason: string;
  readonly lines: number;
}

/** Where a source stands after a batch: committed together with the batch, atomically. */
export interface Checkpoint {
  /** Routing scope + content fingerprint: the same file under another routing is another source. */
  readonly scope: string;
  readonly fpLength: number;
  readonly fpHash: string;
  readonly dev: number;
  readonly ino: number;
  /** Decompressed bytes consumed (complete lines only). */
  readonly offset: number;
  readonly lines: number;
}

/** How a site's data was made: shown on every report of it. */
export interface SiteMeta {
  readonly ipPolicy: string;
  readonly userPolicy: string;
  readonly attribution: readonly string[];
  /** Days raw lines of this site may be kept (the pipeline's raw window). */
  readonly rawWindowDays: number;
}

/** Committed size of one raw-window file (store/raw-spool.ts). */
export interface RawFileSize {
  readonly site: string;
  readonly day: string;
  readonly bytes: number;
  readonly lines: number;
}

export interface Batch {
  readonly days: DayDelta[];
  /** For every site in `days`. When it differs from what is stored, both are kept ("a; b"). */
  readonly sites: ReadonlyMap<string, SiteMeta>;
  readonly rejected: RejectDelta[];
  readonly checkpoint: Checkpoint | null;
  /** Raw-window files this batch appended to, with their sizes after it. */
  readonly raw: readonly RawFileSize[];
  /** Lines read in this batch (parsed + rejected). */
  readonly lines: number;
}
