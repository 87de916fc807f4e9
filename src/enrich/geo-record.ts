/**
 * What a country database's record and an address say on their own: the country code of an
 * .mmdb record, IPv4-mapped IPv6 spelled as IPv4, and the ranges no database places anywhere.
 * Shared by the country lookup (geo.ts) and the range table built from the database (geo-ranges.ts).
 */
import { isIP } from 'node:net';

/**
 * The fields we read. DB-IP Lite as repackaged by ip-location-db has a flat `country_code`;
 * MaxMind GeoIP2/GeoLite2 Country and City have `country.iso_code`, and only
 * `registered_country.iso_code` for some networks (e.g. satellite and anycast ranges).
 */
export interface CountryFields {
  readonly country_code?: unknown;
  readonly country?: { readonly iso_code?: unknown };
  readonly registered_country?: { readonly iso_code?: unknown };
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
