/**
 * What the aggregate stage hands to a Store: the counts of one batch for every site and day it
 * touched, already anonymised and already display text. Columnar typed arrays, so a batch of a
 * log with thousands of sites is a few dozen arrays, not an object per site, day, list and key;
 * it crosses from a worker thread by transfer, and a store encodes it without making a string per
 * key (keys are UTF-8 bytes in one dictionary).
 *
 * Every part adds to what a store has: counts add, visitor intervals merge (visits.ts), under any
 * split of the lines into parts and batches, in any order. That is what makes worker threads,
 * several writers and late files exact.
 */
import { addPolicies, sameIp, sameUser, type IpPolicySpec, type UserPolicySpec } from '../core/policy.js';

/** How a site's data was made: shown on every report of it, and the source of its privacy notice. */
export interface SiteMeta {
  /** IP policies the data was made under, oldest first, each once (a batch has one). */
  readonly ip: readonly IpPolicySpec[];
  /** User-name policies, likewise. */
  readonly user: readonly UserPolicySpec[];
  readonly attribution: readonly string[];
  /** Days raw lines of this site may be kept (the pipeline's raw window): the latest batch's. */
  readonly rawWindowDays: number;
}

/** What a store keeps after `batch` was added to `stored`: the one folding rule of both stores. */
export function mergeSiteMeta(stored: SiteMeta | null, batch: SiteMeta): SiteMeta {
  if (stored === null) return batch;
  return {
    ip: addPolicies(stored.ip, batch.ip, sameIp),
    user: addPolicies(stored.user, batch.user, sameUser),
    attribution: [...new Set([...stored.attribution, ...batch.attribution])],
    rawWindowDays: batch.rawWindowDays,
  };
}

/** Per site-day totals, in this order, TOTAL_FIELDS per site-day. */
export const T_HITS = 0;
export const T_PAGES = 1;
export const T_BYTES = 2;
export const T_BOTS = 3;
export const T_FTP_TRANSFERS = 4;
export const T_FTP_BYTES = 5;
export const TOTAL_FIELDS = 6;

/** No key (an interval without a page view has no entry or exit page). */
export const NO_KEY = 0xffffffff;

/** The batch's display keys: key k is bytes[offsets[k], offsets[k + 1]) (UTF-8). */
export interface KeyDictionary {
  readonly bytes: Uint8Array;
  readonly offsets: Uint32Array;
}

/** One list's counts for every site-day of a part, grouped by site-day: sd's entries are [start[sd], start[sd + 1]). */
export interface ListColumns {
  readonly start: Uint32Array;
  readonly key: Uint32Array;
  readonly hits: Float64Array;
  readonly bytes: Float64Array;
  /** slowPages only: summed and largest time taken (µs) of the `hits` timed requests. */
  readonly timeSum?: Float64Array;
  readonly timeMax?: Float64Array;
}

/**
 * The visits of each site-day: per visitor one or more intervals of hits no more than the visit
 * timeout apart, sorted by (visitor, first) within a site-day. `entry`/`exit` are the keys of the
 * first and last page view (NO_KEY without one), `pages` the page views.
 */
export interface VisitColumns extends Intervals {
  readonly start: Uint32Array;
}

/** Intervals sorted by (visitor, first); entry/exit are keys in the caller's key space. */
export interface Intervals {
  readonly visitor: Float64Array;
  readonly first: Uint32Array;
  readonly last: Uint32Array;
  readonly pages: Uint32Array;
  readonly entry: Uint32Array;
  readonly entryTime: Uint32Array;
  readonly exit: Uint32Array;
  readonly exitTime: Uint32Array;
}

/** Hits of keys beyond the per-day key cap, sparse: entry i is (sd[i], list[i]). */
export interface OtherColumns {
  readonly sd: Uint32Array;
  readonly list: Uint8Array;
  readonly hits: Float64Array;
  readonly bytes: Float64Array;
}

export interface RejectCount {
  /** '' when the line could not be attributed to a site (vhost routing of an unparsable line). */
  readonly site: string;
  readonly reason: string;
  readonly lines: number;
}

/** One part of a batch: what one thread aggregated. */
export interface BatchPart {
  readonly keys: KeyDictionary;
  /** Per site-day: its site, its day (days since 1970-01-01, the date written in the lines), and the key generation of its visitor ids ('' when it has no visitors). */
  readonly site: readonly string[];
  readonly day: Int32Array;
  readonly keyGen: readonly string[];
  readonly totals: Float64Array;
  /** Indexed by list id (core/lists.ts); null when the part has no entry for the list. */
  readonly lists: readonly (ListColumns | null)[];
  readonly others: OtherColumns;
  readonly visits: VisitColumns;
  readonly rejected: readonly RejectCount[];
}

/**
 * A source's position: the batch moves it from `from` (null: the start) to `offset`, and a store
 * accepts the batch only if the source still stands at `from` (compare-and-set), so two ingests
 * of the same bytes cannot both count them.
 */
export interface CheckpointMove {
  /** The content fingerprint: length and SHA-256 of the first bytes (at most 1 KiB). */
  readonly fpLength: number;
  readonly fpHash: string;
  readonly dev: number;
  readonly ino: number;
  /** Where the source stood when this ingest started reading it (the checkpoint it resumed from). */
  readonly from: { readonly fpLength: number; readonly fpHash: string; readonly offset: number } | null;
  /** Decompressed bytes consumed (complete lines only) after this batch. */
  readonly offset: number;
  readonly lines: number;
}

/** Committed size of one raw-window file (store/raw-spool.ts). */
export interface RawFileSize {
  readonly site: string;
  readonly day: string;
  readonly bytes: number;
  readonly lines: number;
}

export interface Batch {
  readonly parts: readonly BatchPart[];
  /** For every site in the parts. */
  readonly sites: ReadonlyMap<string, SiteMeta>;
  readonly checkpoint: CheckpointMove | null;
  /** Raw-window files this batch appended to, with their sizes after it. */
  readonly raw: readonly RawFileSize[];
  /** Lines read in this batch (parsed + rejected + blank). */
  readonly lines: number;
}

/** The bytes of key k. */
export function keyBytes(d: KeyDictionary, k: number): Uint8Array {
  return d.bytes.subarray(d.offsets[k]!, d.offsets[k + 1]!);
}

/** The text of key k (decoding: for reports and tests, not the hot path). */
export function keyText(d: KeyDictionary, k: number): string {
  return Buffer.from(d.bytes.buffer, d.bytes.byteOffset + d.offsets[k]!, d.offsets[k + 1]! - d.offsets[k]!).toString('utf8');
}
