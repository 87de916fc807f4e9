/**
 * The enrich stage on the byte path: a line's User-Agent and Referer become ids in tables kept
 * across batches (bounded), and each distinct value is classified once (ua-parser-js, the
 * referrer tables) when first seen, through the classifiers' own caches. Per line: two hash
 * lookups over the field bytes, no string.
 */
import { ByteInterner } from '../core/interner.js';
import { F_METHOD, F_PROTOCOL, F_REFERRER, F_UA, type LineFields } from '../core/line-fields.js';
import type { ReferrerInfo, UaInfo } from '../core/record.js';
import type { ReferrerClassifier, UaClassifier } from './enricher.js';
import { NO_REFERRER } from './referrer.js';
import { UNKNOWN_UA } from './ua.js';

/**
 * Values kept before a table is emptied at a batch boundary. Referrers are many and mostly seen
 * once (a log of 5,000 sites had 191k distinct in 1M lines), and each keeps a classified object;
 * kept up to 131k they were the largest thing a batch left behind (measured, 1M lines: peak RSS
 * 282–288 → 221–225 MB with long referrers, 315–340 → 294 MB with 5,000 vhosts, 222 → 207 MB for
 * the one-site bench, time unchanged). The classifier's own cache keeps the hot ones across.
 */
const UA_LIMIT = 65_536;
const REFERRER_LIMIT = 16_384;

export interface LineEnricher {
  /** The User-Agent id of the line (classified on first sight). */
  ua(line: LineFields): number;
  /** The Referer id, -1 for none. */
  referrer(line: LineFields): number;
  uaInfo(id: number): UaInfo;
  /** A stable 32-bit hash of the User-Agent's bytes (visitor ids). */
  uaHash(id: number): number;
  referrerInfo(id: number): ReferrerInfo;
  /** The referring host as compared with a site's own host names ('' for none). */
  referrerHost(id: number): string;
  /** The request method and protocol ids (`-` when the line has none): few distinct values, kept for the whole ingest. */
  method(line: LineFields): number;
  protocol(line: LineFields): number;
  /** Their text as written (latin1 byte strings). */
  methodText(id: number): string;
  protocolText(id: number): string;
  /** After a batch drained: bound the tables. True when User-Agent ids were reset. */
  endBatch(): boolean;
}

/** Methods and protocols are few; junk request lines could make them many, so they are capped too. */
const WORD_LIMIT = 4096;

export function createLineEnricher(ua: UaClassifier | null, referrers: ReferrerClassifier | null): LineEnricher {
  const uas = new ByteInterner(4096, 256 * 1024);
  let uaInfos: UaInfo[] = [];
  const refs = new ByteInterner(4096, 256 * 1024);
  let refInfos: ReferrerInfo[] = [];

  const methods = new ByteInterner(64);
  const protocols = new ByteInterner(16);
  // A request without a method or protocol (`-`, junk, `GET /` without a version) is listed as
  // `-` (docs/report-contract.md), so that these lists add up to the hits too.
  const DASH = Uint8Array.of(45);
  const word = (t: ByteInterner, line: LineFields, f: number): number => {
    const s = line.start[f]!;
    const e = line.end[f]!;
    if (e === s) return t.intern(DASH, 0, 1);
    return t.intern(line.inScratch[f] ? line.scratch : line.src, s, e);
  };

  const text = (t: ByteInterner, id: number): string => {
    const b = t.bytesOf(id);
    return Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
  };

  return {
    ua(line) {
      const s = line.start[F_UA]!;
      const e = line.end[F_UA]!;
      const before = uas.size;
      const id = uas.intern(line.inScratch[F_UA] ? line.scratch : line.src, s, e);
      if (id === before) uaInfos[id] = ua === null || e === s ? UNKNOWN_UA : ua.classify(text(uas, id));
      return id;
    },
    referrer(line) {
      const s = line.start[F_REFERRER]!;
      const e = line.end[F_REFERRER]!;
      if (e === s || referrers === null) return -1;
      const before = refs.size;
      const id = refs.intern(line.inScratch[F_REFERRER] ? line.scratch : line.src, s, e);
      if (id === before) refInfos[id] = referrers.classify(text(refs, id));
      return id;
    },
    method: (line) => word(methods, line, F_METHOD),
    protocol: (line) => word(protocols, line, F_PROTOCOL),
    methodText: (id) => text(methods, id),
    protocolText: (id) => text(protocols, id),
    uaInfo: (id) => uaInfos[id]!,
    uaHash: (id) => uas.hashOf(id),
    referrerInfo: (id) => refInfos[id] ?? NO_REFERRER,
    referrerHost: (id) => refInfos[id]?.host ?? '',
    endBatch() {
      if (methods.size > WORD_LIMIT) methods.clear();
      if (protocols.size > WORD_LIMIT) protocols.clear();
      let reset = false;
      if (uas.size > UA_LIMIT) {
        uas.clear();
        uaInfos = [];
        reset = true;
      }
      if (refs.size > REFERRER_LIMIT) {
        refs.clear();
        refInfos = [];
      }
      return reset;
    },
  };
}
