/**
 * The per-line data path, left to right: parse → route → enrich → anonymise → aggregate, over a
 * block of complete lines given as bytes and line ends. The same code runs on the main thread
 * (inline) and in worker threads; what it produces at a batch end is a PartResult: the batch's
 * aggregated part, its raw-window lines and its line counts.
 *
 * The hot loop handles integers and byte ranges only: no string, no object per line.
 */
import type { BatchPart } from '../../aggregate/index.js';
import { createAnonHit } from '../../anonymise/index.js';
import { dayToIso, isStorableDay } from '../../core/dates.js';
import { ByteInterner } from '../../core/interner.js';
import { F_VHOST, LineFields } from '../../core/line-fields.js';
import { REJECT_REASONS, type RejectReason } from '../../core/record.js';
import type { ByteLineParser } from '../../parse/index.js';
import type { Stages } from './stages.js';

/** How lines of an input are routed to sites. */
export type Routing =
  | { readonly type: 'fixed'; readonly site: string }
  | {
      readonly type: 'vhost';
      /** Sites lines may go to; null accepts every vhost as its own site. */
      readonly known: ReadonlySet<string> | null;
      /** Host name → site, for the host names a site answers to besides its own name. */
      readonly aliases?: ReadonlyMap<string, string>;
    };

/** Raw-window lines of one site and day, '\n'-terminated, in line order. */
export interface RawBlock {
  readonly site: string;
  readonly day: string;
  readonly bytes: Uint8Array;
  readonly lines: number;
  /** Each line's number in its input, and where it ends in `bytes` (after its '\n'): parts of several threads merge back into input order. */
  readonly lineNos: Uint32Array;
  readonly ends: Uint32Array;
}

export interface LineCounts {
  lines: number;
  parsed: number;
  /** Blank lines: skipped, as GoAccess and Webalizer skip them (docs/metrics.md). */
  blank: number;
  rejected: Partial<Record<RejectReason, number>>;
  /** Up to five line numbers per reason, in line order. */
  samples: Partial<Record<RejectReason, number[]>>;
}

export interface PartResult {
  readonly part: BatchPart;
  readonly raw: readonly RawBlock[];
  readonly counts: LineCounts;
}

const SAMPLES = 5;
const EMPTY = REJECT_REASONS.indexOf('empty') + 1;
const NO_SITE = REJECT_REASONS.indexOf('no_site') + 1;
const BAD_TIME = REJECT_REASONS.indexOf('bad_time') + 1;

export function newCounts(): LineCounts {
  return { lines: 0, parsed: 0, blank: 0, rejected: {}, samples: {} };
}

/** Adds b's counts to a (samples: the first five per reason, in line order). */
export function addCounts(a: LineCounts, b: LineCounts): void {
  a.lines += b.lines;
  a.parsed += b.parsed;
  a.blank += b.blank;
  for (const [r, n] of Object.entries(b.rejected) as [RejectReason, number][]) a.rejected[r] = (a.rejected[r] ?? 0) + n;
  for (const [r, at] of Object.entries(b.samples) as [RejectReason, number[]][]) {
    const s = (a.samples[r] ??= []);
    s.push(...at);
    s.sort((x, y) => x - y);
    s.length = Math.min(s.length, SAMPLES);
  }
}

/** Raw-window lines of a batch, per site and day. */
class RawCollector {
  #files = new Map<string, { site: string; day: string; parts: Uint8Array[]; size: number; lineNos: number[]; ends: number[] }>();

  append(site: string, day: number, src: Uint8Array, start: number, end: number, lineNo: number): void {
    const iso = dayToIso(day);
    const key = `${site}\u0000${iso}`;
    let f = this.#files.get(key);
    if (f === undefined) {
      f = { site, day: iso, parts: [], size: 0, lineNos: [], ends: [] };
      this.#files.set(key, f);
    }
    // A copy with its newline: the block is reused or transferred after the batch.
    const line = new Uint8Array(end - start + 1);
    line.set(src.subarray(start, end));
    line[end - start] = 10;
    f.parts.push(line);
    f.size += line.length;
    f.lineNos.push(lineNo);
    f.ends.push(f.size);
  }

  take(): RawBlock[] {
    const out: RawBlock[] = [];
    for (const f of this.#files.values()) {
      out.push({ site: f.site, day: f.day, bytes: Buffer.concat(f.parts, f.size), lines: f.lineNos.length, lineNos: Uint32Array.from(f.lineNos), ends: Uint32Array.from(f.ends) });
    }
    this.#files = new Map();
    return out;
  }
}

/** The raw blocks of several parts of one batch, one per site and day, lines back in input order. */
export function mergeRawBlocks(blocks: readonly RawBlock[]): RawBlock[] {
  const groups = new Map<string, RawBlock[]>();
  for (const b of blocks) {
    const key = `${b.site}\u0000${b.day}`;
    const g = groups.get(key);
    if (g === undefined) groups.set(key, [b]);
    else g.push(b);
  }
  const out: RawBlock[] = [];
  for (const g of groups.values()) {
    if (g.length === 1) {
      out.push(g[0]!);
      continue;
    }
    const lines: { no: number; b: RawBlock; i: number }[] = [];
    for (const b of g) for (let i = 0; i < b.lines; i++) lines.push({ no: b.lineNos[i]!, b, i });
    lines.sort((x, y) => x.no - y.no);
    const bytes = Buffer.allocUnsafe(g.reduce((n, b) => n + b.bytes.length, 0));
    const lineNos = new Uint32Array(lines.length);
    const ends = new Uint32Array(lines.length);
    let o = 0;
    lines.forEach((l, k) => {
      const from = l.i === 0 ? 0 : l.b.ends[l.i - 1]!;
      bytes.set(l.b.bytes.subarray(from, l.b.ends[l.i]!), o);
      o += l.b.ends[l.i]! - from;
      lineNos[k] = l.no;
      ends[k] = o;
    });
    out.push({ site: g[0]!.site, day: g[0]!.day, bytes, lines: lines.length, lineNos, ends });
  }
  return out;
}

export class LinePath {
  readonly #s: Stages;
  readonly #line = new LineFields();
  readonly #hit = createAnonHit();
  readonly #raw: RawCollector | null;
  #counts = newCounts();
  #parser: ByteLineParser | null = null;
  #fixedSite = -1;
  #rejectSite = '';
  /** vhost bytes → site index (-1: not a site lines may go to). */
  readonly #vhosts = new ByteInterner(1024);
  #vhostSite = new Int32Array(1024);
  #known: ReadonlySet<string> | null = null;
  #aliases: ReadonlyMap<string, string> = new Map();
  /** Lines run in the current batch, and the latest day among them (-1: none yet). */
  #inBatch = 0;
  #lastDay = -1;

  constructor(stages: Stages) {
    this.#s = stages;
    this.#raw = stages.rawKeeps ? new RawCollector() : null;
  }

  /** The lines that follow belong to a new input. */
  setInput(parser: ByteLineParser, routing: Routing): void {
    this.#parser = parser;
    if (routing.type === 'fixed') {
      this.#fixedSite = this.#s.sites.indexOf(routing.site);
      this.#rejectSite = routing.site;
    } else {
      this.#fixedSite = -1;
      this.#rejectSite = '';
      this.#known = routing.known;
      this.#aliases = routing.aliases ?? new Map();
      this.#vhosts.clear();
    }
  }

  /** The site of the parsed line, or -1. */
  #siteOf(line: LineFields): number {
    if (this.#fixedSite >= 0) return this.#fixedSite;
    const s = line.start[F_VHOST]!;
    const e = line.end[F_VHOST]!;
    if (e === s) return -1;
    const before = this.#vhosts.size;
    const id = this.#vhosts.intern(line.inScratch[F_VHOST] ? line.scratch : line.src, s, e);
    if (id === before) {
      if (id >= this.#vhostSite.length) {
        const g = new Int32Array(this.#vhostSite.length * 2);
        g.set(this.#vhostSite);
        this.#vhostSite = g;
      }
      const b = this.#vhosts.bytesOf(id);
      const host = Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
      const name = this.#aliases.get(host) ?? host;
      this.#vhostSite[id] = this.#known !== null && !this.#known.has(name) ? -1 : this.#s.sites.indexOf(name);
    }
    return this.#vhostSite[id]!;
  }

  #reject(code: number, lineNo: number, site: string): void {
    const reason = REJECT_REASONS[code - 1]!;
    const c = this.#counts;
    c.rejected[reason] = (c.rejected[reason] ?? 0) + 1;
    const s = (c.samples[reason] ??= []);
    if (s.length < SAMPLES) s.push(lineNo);
    this.#s.aggregator.reject(site, reason);
  }

  /**
   * Runs the lines of `block`: line i ends (before its '\n') at ends[i] and starts after the
   * previous one's '\n' (the first at `from`). `firstLine` numbers the first line (1-based).
   *
   * Returns how many lines it ran: fewer than `n` when line k starts a day later than any of the
   * batch, once the batch has `cutAfter` lines. The batch should then end before line k, so that
   * a time-ordered log's day is not split between two batches (each split is a second segment
   * of every site-day, merged again by the store's compaction).
   */
  run(block: Uint8Array, from: number, ends: Uint32Array, n: number, firstLine: number, cutAfter = Infinity): number {
    const s = this.#s;
    const parser = this.#parser!;
    const line = this.#line;
    const hit = this.#hit;
    const agg = s.aggregator;
    const enr = s.enricher;
    const anon = s.anonymiser;
    const days = s.siteDays;
    const raw = this.#raw;
    const c = this.#counts;
    let start = from;
    let ran = n;
    const cutAt = cutAfter - this.#inBatch;
    for (let i = 0; i < n; i++) {
      const end = ends[i]!;
      const code = parser.parse(block, start, end, line);
      const lineStart = start;
      start = end + 1;
      if (code !== 0) {
        if (code === EMPTY) c.blank++;
        else this.#reject(code, firstLine + i, this.#rejectSite);
        continue;
      }
      if (!isStorableDay(line.day)) {
        this.#reject(BAD_TIME, firstLine + i, this.#rejectSite);
        continue;
      }
      if (line.day > this.#lastDay) {
        if (i >= cutAt && this.#lastDay >= 0) {
          ran = i;
          break;
        }
        this.#lastDay = line.day;
      }
      const site = this.#siteOf(line);
      if (site < 0) {
        this.#reject(NO_SITE, firstLine + i, this.#rejectSite);
        continue;
      }
      c.parsed++;
      const sd = days.slot(site, line.day);
      if (raw !== null && s.rawKeeps!(site, line.day)) raw.append(s.sites.nameOf(site), line.day, block, lineStart, end, firstLine + i);
      s.clientResolver?.resolve(line);
      s.attack?.observe(line);
      const ua = enr.ua(line);
      anon.apply(line, site, sd, ua, hit);
      hit.ua = ua;
      hit.bot = enr.uaInfo(ua).bot;
      hit.ref = enr.referrer(line);
      hit.method = enr.method(line);
      hit.protocol = enr.protocol(line);
      agg.add(hit);
    }
    c.lines += ran;
    this.#inBatch += ran;
    return ran;
  }

  /** Lines run since the last drain. */
  get pending(): number {
    return this.#counts.lines;
  }

  /** Drops what was run since the last drain (its input failed, or its batch was refused). */
  discard(): void {
    const s = this.#s;
    s.aggregator.discard();
    this.#raw?.take();
    this.#counts = newCounts();
    this.#inBatch = 0;
    this.#lastDay = -1;
    s.siteDays.clear();
  }

  /** Ends the batch: its part (keys fetched for its site-days), raw lines and counts. */
  async drain(today: string): Promise<PartResult> {
    const s = this.#s;
    const keys = await s.anonymiser.keysForBatch(s.siteDays, (ua) => s.enricher.uaHash(ua), today);
    const part = s.aggregator.drain(s.siteDays, keys);
    const raw = this.#raw?.take() ?? [];
    const counts = this.#counts;
    this.#counts = newCounts();
    this.#inBatch = 0;
    this.#lastDay = -1;
    s.siteDays.clear();
    const uaReset = s.enricher.endBatch();
    s.anonymiser.endBatch(uaReset);
    return { part, raw, counts };
  }
}
