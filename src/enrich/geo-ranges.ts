/**
 * Country lookup as a binary search over sorted address ranges in typed arrays, built once from
 * an .mmdb database and cached on disk (keyed by the database's content), instead of a walk down
 * the mmdb tree and a record decode per address (issue 11: ~5 µs a miss, and a busy day has
 * hundreds of thousands of distinct addresses).
 *
 * The table is built by walking the database's search tree (the MaxMind DB format: a binary trie
 * whose leaves point into the data section) and decoding each distinct leaf record once through
 * mmdb-lib's public Reader. Ranges are exact for IPv4 and IPv6 (128-bit starts: test databases
 * split networks down to /128).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Reader, type CountryResponse } from 'maxmind';
import { countryOf, isNonPublicIp, unmapIpv4 } from './geo-record.js';

export interface RangeTable {
  /** IPv4: range k covers [v4Start[k], v4Start[k+1]) with country v4Code[k] (0 = unknown). */
  readonly v4Start: Uint32Array;
  readonly v4Code: Uint16Array;
  /** IPv6: range k starts at the 128-bit address v6Start[4k … 4k+3] (most significant word first). */
  readonly v6Start: Uint32Array;
  readonly v6Code: Uint16Array;
  /**
   * Whether ::/96 is the IPv4 tree (an IPv6 database that holds IPv4 puts it there): its ranges
   * are then answered from the IPv4 table and left out of the IPv6 one, which they were half of
   * (DB-IP Lite: 355,814 of 701,684 ranges, 6.6 MB of memory).
   */
  readonly v4InV6: boolean;
}

/** 3: ::/96 left out of the IPv6 ranges when it is the IPv4 tree (the header's flags word). */
const FORMAT = 3;

/** Packs an ISO code into 16 bits (c1 << 8 | c2), 0 for none. */
export function packCountry(code: string): number {
  return code.length === 2 ? (code.charCodeAt(0) << 8) | code.charCodeAt(1) : 0;
}

function readRecord(db: Buffer, node: number, right: boolean, recordSize: number): number {
  switch (recordSize) {
    case 24: {
      const o = node * 6 + (right ? 3 : 0);
      return (db[o]! << 16) | (db[o + 1]! << 8) | db[o + 2]!;
    }
    case 28: {
      const o = node * 7;
      if (right) return ((db[o + 3]! & 0x0f) << 24) | (db[o + 4]! << 16) | (db[o + 5]! << 8) | db[o + 6]!;
      return (((db[o + 3]! & 0xf0) << 20) | (db[o]! << 16) | (db[o + 1]! << 8) | db[o + 2]!) >>> 0;
    }
    case 32:
      return db.readUInt32BE(node * 8 + (right ? 4 : 0));
    default:
      throw new Error(`unsupported mmdb record size ${recordSize}`);
  }
}

/** Builds the range table of an .mmdb file's contents. */
export function buildRangeTable(db: Buffer): RangeTable {
  const reader = new Reader<CountryResponse>(db);
  const { nodeCount, recordSize, ipVersion } = reader.metadata;
  const codeOfPointer = new Map<number, number>();
  /** The country of a leaf: decoded once per data record, through the public API. */
  const leafCode = (pointer: number, address: string): number => {
    if (pointer === nodeCount) return 0;
    let c = codeOfPointer.get(pointer);
    if (c === undefined) {
      c = packCountry(countryOf(reader.get(address) as Parameters<typeof countryOf>[0]));
      codeOfPointer.set(pointer, c);
    }
    return c;
  };

  // IPv4: the subtree after 96 zero bits (IPv4-in-IPv6) or the root of an IPv4 tree.
  let v4root = 0;
  if (ipVersion === 6) for (let i = 0; i < 96 && v4root < nodeCount; i++) v4root = readRecord(db, v4root, false, recordSize);
  const v4Start: number[] = [];
  const v4Code: number[] = [];
  const emit4 = (start: number, code: number): void => {
    if (v4Code.length > 0 && v4Code[v4Code.length - 1] === code) return;
    v4Start.push(start);
    v4Code.push(code);
  };
  const walk4 = (node: number, depth: number, prefix: number): void => {
    for (const bit of [0, 1]) {
      const rec = readRecord(db, node, bit === 1, recordSize);
      const p = depth === 31 ? prefix + bit : bit === 1 ? prefix + 2 ** (31 - depth) : prefix;
      if (rec < nodeCount && depth < 31) walk4(rec, depth + 1, p);
      else emit4(p, rec < nodeCount ? 0 : leafCode(rec, v4Text(p)));
    }
  };
  if (v4root < nodeCount) walk4(v4root, 0, 0);
  else emit4(0, leafCode(v4root, '0.0.0.0'));

  const v6Start: number[] = [];
  const v6Code: number[] = [];
  let v4InV6 = false;
  if (ipVersion === 6) {
    const w = [0, 0, 0, 0];
    const emit6 = (code: number): void => {
      if (v6Code.length > 0 && v6Code[v6Code.length - 1] === code) return;
      v6Start.push(w[0]!, w[1]!, w[2]!, w[3]!);
      v6Code.push(code);
    };
    // Depth-first, left first: ranges come out in address order; `w` is the current prefix.
    const walk6 = (node: number, depth: number): void => {
      const word = depth >>> 5;
      const bit = 2 ** (31 - (depth & 31));
      for (const b of [0, 1]) {
        const rec = readRecord(db, node, b === 1, recordSize);
        if (b === 1) w[word] = (w[word]! + bit) >>> 0;
        if (depth === 95 && b === 0 && w[0] === 0 && w[1] === 0 && w[2] === 0 && rec === v4root && v4root < nodeCount) {
          // ::/96, the IPv4 tree: lookup6 answers it from the IPv4 ranges.
          v4InV6 = true;
          continue;
        }
        if (rec < nodeCount && depth < 127) walk6(rec, depth + 1);
        else emit6(rec < nodeCount ? 0 : leafCode(rec, v6Text(w)));
        if (b === 1) w[word] = (w[word]! - bit) >>> 0;
      }
    };
    walk6(0, 0);
  }
  return {
    v4Start: Uint32Array.from(v4Start),
    v4Code: Uint16Array.from(v4Code),
    v6Start: Uint32Array.from(v6Start),
    v6Code: Uint16Array.from(v6Code),
    v4InV6,
  };
}

function v4Text(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

function v6Text(w: readonly number[]): string {
  const g: string[] = [];
  for (const x of w) g.push((x >>> 16).toString(16), (x & 0xffff).toString(16));
  return g.join(':');
}

/** Country code of an IPv4 address as a 32-bit number. */
export function lookup4(t: RangeTable, a: number): number {
  const s = t.v4Start;
  let lo = 0;
  let hi = s.length - 1;
  if (hi < 0 || a < s[0]!) return 0;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (s[mid]! <= a) lo = mid;
    else hi = mid - 1;
  }
  return t.v4Code[lo]!;
}

/** Country code of an IPv6 address given as four 32-bit words. */
export function lookup6(t: RangeTable, a: readonly number[]): number {
  if (t.v4InV6 && a[0] === 0 && a[1] === 0 && a[2] === 0) return lookup4(t, a[3]!);
  const S = t.v6Start;
  const n = t.v6Code.length;
  /** Whether range k starts at or before a. */
  const le = (k: number): boolean => {
    for (let i = 0; i < 4; i++) {
      const x = S[4 * k + i]!;
      const y = a[i]!;
      if (x !== y) return x < y;
    }
    return true;
  };
  if (n === 0 || !le(0)) return 0;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (le(mid)) lo = mid;
    else hi = mid - 1;
  }
  return t.v6Code[lo]!;
}

function serialize(t: RangeTable): Buffer {
  const head = Buffer.alloc(16);
  head.writeUInt32LE(FORMAT, 0);
  head.writeUInt32LE(t.v4Start.length, 4);
  head.writeUInt32LE(t.v6Code.length, 8);
  head.writeUInt32LE(t.v4InV6 ? 1 : 0, 12);
  const part = (a: ArrayBufferView): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  return Buffer.concat([head, part(t.v4Start), part(t.v6Start), part(t.v4Code), part(t.v6Code)]);
}

function deserialize(b: Buffer): RangeTable | null {
  if (b.length < 16 || b.readUInt32LE(0) !== FORMAT) return null;
  const n4 = b.readUInt32LE(4);
  const n6 = b.readUInt32LE(8);
  if (b.length !== 16 + n4 * 4 + n6 * 16 + n4 * 2 + n6 * 2) return null;
  // Views over the file's own memory (readFileSync gives a file this size a buffer of its own,
  // at offset 0, so the 32-bit columns are aligned); a copy only if it is not.
  const own = b.byteOffset % 4 === 0 ? b : Buffer.from(b);
  let o = own.byteOffset + 16;
  const u32 = (n: number): Uint32Array => {
    const a = new Uint32Array(own.buffer, o, n);
    o += n * 4;
    return a;
  };
  const u16 = (n: number): Uint16Array => {
    const a = new Uint16Array(own.buffer, o, n);
    o += n * 2;
    return a;
  };
  const v4Start = u32(n4);
  const v6Start = u32(n6 * 4);
  return { v4Start, v6Start, v4Code: u16(n4), v6Code: u16(n6), v4InV6: (b.readUInt32LE(12) & 1) === 1 };
}

/** Where range tables are cached: `$XDG_CACHE_HOME/weblog/geo` (or ~/.cache/weblog/geo). */
export function geoCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'weblog', 'geo');
}

/** The range table of the database at `path`: from the cache when it was built before, else built and cached. */
export function loadRangeTable(path: string, cacheDir: string = geoCacheDir()): RangeTable {
  const db = readFileSync(path);
  const id = createHash('sha256').update(db).digest('hex').slice(0, 32);
  // The format in the name: two versions of weblog sharing a cache keep one file each.
  const file = join(cacheDir, `${id}.v${FORMAT}.ranges`);
  try {
    const t = deserialize(readFileSync(file));
    if (t !== null) return t;
  } catch {
    // Not cached yet (or unreadable): build it.
  }
  const t = buildRangeTable(db);
  try {
    mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, serialize(t), { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    // A read-only home: every run builds the table (about a second); nothing is lost.
  }
  return t;
}

/**
 * Country of the address written in bytes[s, e) (a log field), packed; 0 for unknown, private or
 * not an address. IPv4 is read from the bytes; IPv6 (rarer) through its text.
 */
export function countryOfBytes(t: RangeTable, b: Uint8Array, s: number, e: number): number {
  let a = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  let i = s;
  for (; i < e; i++) {
    const c = b[i]!;
    if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) break;
    } else if (c === 46 && digits > 0 && dots < 3) {
      a = a * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else break;
  }
  if (i === e && dots === 3 && digits > 0) {
    a = a * 256 + part;
    const text = v4Text(a);
    return isNonPublicIp(text, 4) ? 0 : lookup4(t, a);
  }
  const text = Buffer.from(b.subarray(s, e)).toString('latin1');
  if (text.indexOf(':') === -1) return 0;
  const ip = unmapIpv4(text);
  if (ip !== text) {
    // ::ffff:a.b.c.d: unmapIpv4 has checked that a.b.c.d is an IPv4 address.
    const v4 = Buffer.from(ip, 'latin1');
    return countryOfBytes(t, v4, 0, v4.length);
  }
  const g = ipv6Words(ip);
  if (g === null || isNonPublicIp(ip, 6)) return 0;
  return lookup6(t, g);
}

/** An IPv6 address text as four 32-bit words; null when it is not one. */
function ipv6Words(ip: string): number[] | null {
  const zone = ip.indexOf('%');
  const addr = zone === -1 ? ip : ip.slice(0, zone);
  const dbl = addr.indexOf('::');
  const head = dbl === -1 ? addr : addr.slice(0, dbl);
  const tail = dbl === -1 ? '' : addr.slice(dbl + 2);
  const hp = head === '' ? [] : head.split(':');
  const tp = tail === '' ? [] : tail.split(':');
  const last = tp.length > 0 ? tp[tp.length - 1]! : hp.length > 0 && dbl === -1 ? hp[hp.length - 1]! : '';
  if (last.includes('.')) {
    // An IPv4 tail (NAT64 64:ff9b::a.b.c.d and the like): its two 16-bit groups.
    const o = last.split('.').map(Number);
    if (o.length !== 4 || o.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) return null;
    const groups = [((o[0]! << 8) | o[1]!).toString(16), ((o[2]! << 8) | o[3]!).toString(16)];
    if (tp.length > 0) tp.splice(tp.length - 1, 1, ...groups);
    else hp.splice(hp.length - 1, 1, ...groups);
  }
  const all = dbl === -1 ? hp : [...hp, ...new Array<string>(8 - hp.length - tp.length).fill('0'), ...tp];
  if (all.length !== 8) return null;
  const w: number[] = [];
  for (const g of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    w.push(parseInt(g, 16));
  }
  return [((w[0]! << 16) | w[1]!) >>> 0, ((w[2]! << 16) | w[3]!) >>> 0, ((w[4]! << 16) | w[5]!) >>> 0, ((w[6]! << 16) | w[7]!) >>> 0];
}
