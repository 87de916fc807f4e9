/**
 * The anonymise stage: the one place where a parsed line (with its raw client address and user
 * name) becomes an AnonHit (without). Raw values go into this stage's own tables and come out
 * only as what the privacy policy allows, at the end of a batch (AnonKeys): a masked address, a
 * pseudonym, or nothing; `full` must have been asked for.
 *
 * Per line it interns the address, user and path bytes (integer ids, no strings). Everything
 * keyed is done once per distinct value at the end of the batch, when the batch's keys have been
 * fetched in one request (KeyRing.keysFor): SipHash of each address per site-day for visitor ids
 * and pseudonyms. So the line path never waits for a key, whatever the store.
 */
import type { AnonHit, AnonHitFields, AnonKeys } from '../core/anon-hit.js';
import { dayToIso } from '../core/dates.js';
import { ByteInterner } from '../core/interner.js';
import { F_IP, F_PATH, F_QUERY, F_REQUEST, F_USER, type LineFields } from '../core/line-fields.js';
import { PairIndex } from '../core/pair-index.js';
import type { SiteDays } from '../core/site-days.js';
import { pseudonymText, visitorId } from './hash.js';
import { maskIp } from './ip-mask.js';
import { registrableDomain } from './registrable-domain.js';
import type { KeyRing } from './keyring.js';
import type { PrivacyPolicy } from './policy.js';
import { filterQuery as filterQueryText } from './scrub.js';
import { sipHash, type SipKey } from './siphash.js';

export interface ByteAnonymiserOptions {
  /** The policy of each site (by site index). */
  readonly policyOf: (site: number) => PrivacyPolicy;
  /** The raw window of each site (by site index): its keys' lifetime. */
  readonly windowOf: (site: number) => number;
  readonly keys: KeyRing;
  /** GoAccess does not count 4xx answers towards unique visitors unless told to. */
  readonly count4xxVisitors: boolean;
  /**
   * Country of an address (enrich/geo), asked once per distinct address while it is in the
   * table; null: no countries. Returns two packed char codes, 0 for unknown.
   */
  readonly countryOf: ((ip: Uint8Array, start: number, end: number) => number) | null;
  /** Lower-case extensions of page-like URLs (Webalizer's PageType); extension-less paths are pages. */
  readonly pageExtensions: ReadonlySet<string>;
}

/** Values the persistent tables may hold before they are emptied at a batch boundary. */
const ADDRESS_LIMIT = 262_144;
const PATH_LIMIT = 262_144;
const USER_LIMIT = 65_536;

/** What a path key is: a page (counts in `pages`), its file type, and whether it is a real path. */
const K_PATH = 1;
const K_PAGE = 2;

export interface ByteAnonymiser {
  /**
   * Fill `hit` from `line` for site-day `sd` of site `site`; `ua` and `uaHash` identify the
   * User-Agent (enrich). Everything but the UA, Referer, method and protocol ids.
   */
  apply(line: LineFields, site: number, sd: number, ua: number, hit: AnonHit): void;
  /** The batch's keys (one request to the key ring), and what the policy lets out. */
  keysForBatch(sites: SiteDays, uaHash: (ua: number) => number, today: string): Promise<AnonKeys>;
  /** Display text of a path key: the bytes as the log wrote them (the aggregator decodes and scrubs). */
  pathBytes(id: number): Uint8Array;
  fileType(id: number): string;
  /** After a batch drained: bound the tables kept across batches (`uaReset`: the User-Agent ids were reset). */
  endBatch(uaReset: boolean): void;
}

/** A reusable AnonHit: only this stage can make one. */
export function createAnonHit(): AnonHit {
  const h: AnonHitFields = {
    sd: 0,
    time: 0,
    hour: 0,
    status: 0,
    bytes: 0,
    timeTakenUs: -1,
    page: false,
    countsAsVisitor: true,
    bot: false,
    ftp: false,
    client: -1,
    ipKey: -1,
    userKey: -1,
    path: 0,
    ua: 0,
    ref: -1,
    country: 0,
    method: -1,
    protocol: -1,
    fileType: -1,
  };
  return h as AnonHit;
}

export function createByteAnonymiser(opts: ByteAnonymiserOptions): ByteAnonymiser {
  // Addresses and users: raw bytes, kept across batches (bounded) so that a returning client
  // costs a lookup, not a country lookup and a mask again.
  const addresses = new ByteInterner(65_536, 1 << 20);
  let country = new Uint16Array(65_536);
  let isName = new Uint8Array(65_536);
  /**
   * Mask / host-name text per address, computed when first needed, one table per pair of
   * prefixes: sites of one log may keep different prefixes, and one site's /24 text must never
   * be shown for a site that keeps /16. A hoster's sites share a few pairs; each policy object
   * finds its table once (bySpec). Address ids are reused only after `addresses.clear()`, which
   * empties these tables too, so a new id never meets an old text.
   */
  const shown = new Map<string, (string | undefined)[]>();
  let bySpec = new WeakMap<PrivacyPolicy, (string | undefined)[]>();
  const shownFor = (policy: PrivacyPolicy): (string | undefined)[] => {
    let c = bySpec.get(policy);
    if (c === undefined) {
      const spec = `${policy.ipv4Prefix}/${policy.ipv6Prefix}`;
      c = shown.get(spec);
      if (c === undefined) shown.set(spec, (c = []));
      bySpec.set(policy, c);
    }
    return c;
  };
  const clients = new PairIndex(65_536);
  const users = new ByteInterner(1024);
  const paths = new ByteInterner(16_384, 1 << 20);
  let pathKind = new Uint8Array(16_384);
  let pathType = new Int32Array(16_384);
  const fileTypes = new ByteInterner(64);
  /** Where a path and a filtered query are put together. */
  let joined = new Uint8Array(4096);

  function addressId(line: LineFields): number {
    const buf = line.inScratch[F_IP] ? line.scratch : line.src;
    const s = line.start[F_IP]!;
    const e = line.end[F_IP]!;
    const before = addresses.size;
    const id = addresses.intern(buf, s, e);
    if (id === before) {
      if (id >= country.length) {
        country = grow16(country);
        isName = grow8(isName);
      }
      isName[id] = line.clientIsName ? 1 : 0;
      country[id] = !line.clientIsName && opts.countryOf !== null ? opts.countryOf(buf, s, e) : 0;
    }
    return id;
  }

  /** The path key: the path and what the policy keeps of the query, or the request when there is no path. */
  function pathId(line: LineFields, policy: PrivacyPolicy): number {
    const ps = line.start[F_PATH]!;
    const pe = line.end[F_PATH]!;
    if (pe === ps) return otherRequest(line);
    const pbuf = line.inScratch[F_PATH] ? line.scratch : line.src;
    const qs = line.start[F_QUERY]!;
    const qe = line.end[F_QUERY]!;
    let id: number;
    if (qe === qs || (policy.query === 'drop' && policy.queryAllow.length === 0)) id = internPath(pbuf, ps, pe);
    else {
      const qbuf = line.inScratch[F_QUERY] ? line.scratch : line.src;
      const kept = policy.query === 'keep' ? { buf: qbuf, start: qs, end: qe } : filterQuery(qbuf, qs, qe, policy.queryAllow);
      if (kept.end === kept.start) id = internPath(pbuf, ps, pe);
      else if (kept.buf === pbuf && kept.start === pe + 1 && pbuf[pe] === 63) id = internPath(pbuf, ps, kept.end);
      else {
        // Path and query are not adjacent in the line (unescaped, or filtered): join them.
        const n = pe - ps + 1 + kept.end - kept.start;
        if (n > joined.length) joined = new Uint8Array(Math.max(n, joined.length * 2));
        joined.set(pbuf.subarray(ps, pe), 0);
        joined[pe - ps] = 63;
        joined.set(kept.buf.subarray(kept.start, kept.end), pe - ps + 1);
        id = internPath(joined, 0, n);
      }
    }
    return id;
  }

  function internPath(buf: Uint8Array, s: number, e: number): number {
    const before = paths.size;
    const id = paths.intern(buf, s, e);
    if (id === before) {
      if (id >= pathKind.length) {
        pathKind = grow8(pathKind);
        pathType = grow32(pathType);
      }
      // The extension of the path part (before any '?').
      let end = e;
      for (let i = s; i < e; i++) {
        if (buf[i] === 63) {
          end = i;
          break;
        }
      }
      let slash = -1;
      let dot = -1;
      for (let i = s; i < end; i++) {
        const c = buf[i];
        if (c === 47) slash = i;
        else if (c === 46) dot = i;
      }
      if (dot > slash && dot + 1 < end && end - dot <= 12) {
        const ext = Buffer.from(buf.subarray(dot + 1, end)).toString('latin1').toLowerCase();
        pathKind[id] = K_PATH | (opts.pageExtensions.has(ext) ? K_PAGE : 0);
        pathType[id] = fileTypes.internText(ext);
      } else {
        pathKind[id] = K_PATH | (dot > slash ? 0 : K_PAGE);
        pathType[id] = -1;
      }
    }
    return id;
  }

  const DASH = Uint8Array.of(45);

  /** Requests without a usable path (`-`, junk, CONNECT host:port): keyed by their text, never pages. */
  function otherRequest(line: LineFields): number {
    const rs = line.start[F_REQUEST]!;
    const re = line.end[F_REQUEST]!;
    const before = paths.size;
    const id = re === rs ? paths.intern(DASH, 0, 1) : paths.intern(line.inScratch[F_REQUEST] ? line.scratch : line.src, rs, re);
    if (id === before) {
      if (id >= pathKind.length) {
        pathKind = grow8(pathKind);
        pathType = grow32(pathType);
      }
      pathKind[id] = 0;
      pathType[id] = -1;
    }
    return id;
  }

  function userId(line: LineFields, policy: PrivacyPolicy): number {
    const s = line.start[F_USER]!;
    const e = line.end[F_USER]!;
    if (e === s || policy.user === 'drop') return -1;
    return users.intern(line.inScratch[F_USER] ? line.scratch : line.src, s, e);
  }

  return {
    apply(line, site, sd, ua, hit) {
      const policy = opts.policyOf(site);
      const h: AnonHitFields = hit;
      h.sd = sd;
      h.time = line.time;
      h.hour = line.hour;
      h.status = line.status;
      h.bytes = line.bytes;
      h.timeTakenUs = line.timeTakenUs;
      h.ftp = line.channel === 1;
      if (line.end[F_IP] !== line.start[F_IP]) {
        const a = addressId(line);
        h.client = clients.add(a, ua);
        h.ipKey = policy.ip === 'drop' ? -1 : a;
        h.country = country[a]!;
      } else {
        h.client = -1;
        h.ipKey = -1;
        h.country = 0;
      }
      h.userKey = userId(line, policy);
      const p = pathId(line, policy);
      h.path = p;
      h.page = (pathKind[p]! & K_PAGE) !== 0;
      h.fileType = pathType[p]!;
      h.countsAsVisitor = opts.count4xxVisitors || line.status < 400 || line.status > 499;
    },

    async keysForBatch(sites, uaHash, today) {
      const n = sites.count;
      const reqs = new Array<{ site: string; day: string; windowDays: number }>(n);
      for (let sd = 0; sd < n; sd++) reqs[sd] = { site: sites.site(sd), day: dayToIso(sites.day(sd)), windowDays: opts.windowOf(sites.siteIndex(sd)) };
      const got = await opts.keys.keysFor(reqs, today);
      const keyOf = (sd: number): SipKey => got[sd]!.key;
      // SipHash of an address under a site-day's key, once per (site-day, address).
      const hashIndex = new PairIndex(4096);
      let hashes = new Float64Array(4096);
      const addressHash = (sd: number, a: number): number => {
        const before = hashIndex.size;
        const i = hashIndex.add(sd, a);
        if (i === before) {
          if (i >= hashes.length) hashes = growF64(hashes);
          hashes[i] = sipHash(keyOf(sd), addresses.arena, addresses.offsetOf(a), addresses.offsetOf(a) + addresses.lengthOf(a));
        }
        return hashes[i]!;
      };
      const userBytes = new Uint8Array(1024);
      return {
        ipText(sd, a) {
          const policy = opts.policyOf(sites.siteIndex(sd));
          switch (policy.ip) {
            case 'drop':
              return '';
            case 'pseudonym':
              return pseudonymText('ip-', addressHash(sd, a));
            case 'full':
              return latin1(addresses.bytesOf(a));
            case 'mask': {
              const c = shownFor(policy);
              let t = c[a];
              if (t === undefined) {
                const raw = latin1(addresses.bytesOf(a));
                t = isName[a] ? registrableDomain(raw) : maskIp(raw, policy.ipv4Prefix, policy.ipv6Prefix);
                c[a] = t;
              }
              return t;
            }
          }
        },
        userText(sd, u) {
          const policy = opts.policyOf(sites.siteIndex(sd));
          if (policy.user === 'full') return latin1(users.bytesOf(u));
          // Pseudonyms of users and addresses must never collide: a leading 0x01 separates them.
          const raw = users.bytesOf(u);
          const buf = raw.length + 1 <= userBytes.length ? userBytes : new Uint8Array(raw.length + 1);
          buf[0] = 1;
          buf.set(raw, 1);
          return pseudonymText('user-', sipHash(keyOf(sd), buf, 0, raw.length + 1));
        },
        visitorId(sd, client) {
          return visitorId(addressHash(sd, clients.keyA(client)), uaHash(clients.keyB(client)));
        },
        keyGen(sd) {
          return got[sd]!.gen;
        },
      };
    },

    pathBytes(id) {
      return paths.bytesOf(id);
    },

    fileType(id) {
      return latin1(fileTypes.bytesOf(id));
    },

    endBatch(uaReset) {
      if (addresses.size > ADDRESS_LIMIT || clients.size > ADDRESS_LIMIT * 2) {
        addresses.clear();
        clients.clear();
        shown.clear();
        bySpec = new WeakMap();
      } else if (uaReset) clients.clear();
      if (paths.size > PATH_LIMIT) paths.clear();
      if (users.size > USER_LIMIT) users.clear();
    },
  };
}

function latin1(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
}

/** The query's parameters whose names are allowed (`--query-allow`), in their order. Only policies with an allow-list get here. */
function filterQuery(buf: Uint8Array, s: number, e: number, allow: readonly string[]): { buf: Uint8Array; start: number; end: number } {
  const kept = filterQueryText(Buffer.from(buf.subarray(s, e)).toString('latin1'), new Set(allow));
  const bytes = Buffer.from(kept, 'latin1');
  return { buf: bytes, start: 0, end: bytes.length };
}

function grow8(a: Uint8Array): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(a.length * 2);
  b.set(a);
  return b;
}

function grow16(a: Uint16Array): Uint16Array<ArrayBuffer> {
  const b = new Uint16Array(a.length * 2);
  b.set(a);
  return b;
}

function grow32(a: Int32Array): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

function growF64(a: Float64Array): Float64Array<ArrayBuffer> {
  const b = new Float64Array(a.length * 2);
  b.set(a);
  return b;
}
