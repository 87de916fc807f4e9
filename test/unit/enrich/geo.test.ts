import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it, expect, afterAll } from 'vitest';
import type { RawIp } from '../../../src/core/record.js';
import { isAppError } from '../../../src/core/errors.js';
import { DBIP_ATTRIBUTION, openGeoLookup, type GeoLookup } from '../../../src/enrich/index.js';
import { countryOf, isNonPublicIp, unmapIpv4 } from '../../../src/enrich/geo-record.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../../fixtures/geoip/${name}`, import.meta.url));
const ip = (s: string): RawIp => s as RawIp;

/** network → [country.iso_code, registered_country.iso_code], extracted from MaxMind's source JSON. */
type Expected = [network: string, country: string | null, registered: string | null][];
const expected = JSON.parse(readFileSync(fixture('expected-countries.json'), 'utf8')) as Record<string, Expected>;

/** First address of a network; MaxMind writes IPv4 networks of IPv6 trees as `::a.b.c.d/n`. */
function firstAddress(network: string): string {
  const addr = network.slice(0, network.indexOf('/'));
  return addr.startsWith('::') && addr.includes('.') ? addr.slice(2) : addr;
}

const opened: GeoLookup[] = [];
async function open(path?: string): Promise<GeoLookup> {
  const g = await openGeoLookup(path === undefined ? {} : { path });
  opened.push(g);
  return g;
}
afterAll(() => {
  for (const g of opened) g.close?.();
});

describe.each(['GeoIP2-Country-Test', 'GeoLite2-Country-Test'])('MaxMind test database %s', (db) => {
  it('answers every network of its source data', async () => {
    const geo = await open(fixture(`${db}.mmdb`));
    const rows = expected[db] ?? [];
    expect(rows.length).toBeGreaterThan(200);
    const wrong = rows
      .map(([network, country, registered]) => ({ network, want: country ?? registered ?? '', got: geo.country(ip(firstAddress(network))) }))
      .filter((r) => r.got !== r.want);
    expect(wrong).toEqual([]);
  });

  it('needs no attribution', async () => {
    expect((await open(fixture(`${db}.mmdb`))).attribution).toBeNull();
  });
});

describe('well-known test addresses', () => {
  it('81.2.69.160 → GB, also IPv4-mapped', async () => {
    const geo = await open(fixture('GeoIP2-Country-Test.mmdb'));
    expect(geo.country(ip('81.2.69.160'))).toBe('GB');
    expect(geo.country(ip('::ffff:81.2.69.160'))).toBe('GB');
    expect(geo.country(ip('::FFFF:81.2.69.160'))).toBe('GB');
    expect(geo.country(ip('0:0:0:0:0:ffff:81.2.69.160'))).toBe('GB');
    expect(geo.country(ip('175.16.199.0'))).toBe('CN');
    expect(geo.country(ip('175.16.199.255'))).toBe('CN');
  });

  it('2001:480::1 → US (GeoLite2)', async () => {
    const geo = await open(fixture('GeoLite2-Country-Test.mmdb'));
    expect(geo.country(ip('2001:480::1'))).toBe('US');
  });

  it('reads the City record shape too', async () => {
    const geo = await open(fixture('GeoIP2-City-Test.mmdb'));
    expect(geo.country(ip('81.2.69.160'))).toBe('GB');
    expect(geo.country(ip('175.16.199.5'))).toBe('CN');
  });

  it('answers "" for empty, invalid, private and unknown addresses', async () => {
    const geo = await open(fixture('GeoIP2-Country-Test.mmdb'));
    for (const bad of ['', 'junk', '999.1.1.1', '1.2.3', '10.0.0.1', '192.168.1.1', '172.16.5.4', '127.0.0.1', '::1', '::', 'fe80::1', 'fd00::1', '8.8.8.8', 'x'.repeat(200)]) {
      expect(geo.country(ip(bad)), bad).toBe('');
    }
  });

  it('gives the same answer every time, by text and by bytes', async () => {
    const geo = await openGeoLookup({ path: fixture('GeoIP2-Country-Test.mmdb') });
    opened.push(geo);
    for (let i = 0; i < 3; i++) {
      expect(geo.country(ip('81.2.69.160'))).toBe('GB');
      expect(geo.country(ip('175.16.199.1'))).toBe('CN');
      const b = Buffer.from('x 81.2.69.160 y');
      expect(geo.countryOfBytes(b, 2, 13)).toBe(('G'.charCodeAt(0) << 8) | 'B'.charCodeAt(0));
    }
  });

  it('answers "" after close', async () => {
    const geo = await openGeoLookup({ path: fixture('GeoIP2-Country-Test.mmdb') });
    expect(geo.country(ip('81.2.69.160'))).toBe('GB');
    geo.close?.();
    expect(geo.country(ip('81.2.69.160'))).toBe('');
  });
});

describe('bundled DB-IP Lite database', () => {
  it('locates well-known addresses and credits DB-IP', async () => {
    const geo = await open();
    expect(geo.attribution).toBe(DBIP_ATTRIBUTION);
    expect(geo.attribution).toBe('IP geolocation by DB-IP (https://db-ip.com), CC BY 4.0');
    expect(geo.country(ip('8.8.8.8'))).toBe('US'); // Google Public DNS
    expect(geo.country(ip('::ffff:8.8.8.8'))).toBe('US');
    expect(geo.country(ip('193.0.6.139'))).toBe('NL'); // RIPE NCC, Amsterdam
    expect(geo.country(ip('2003::1'))).toBe('DE'); // Deutsche Telekom's 2003::/19
    expect(geo.country(ip('2001:67c:2e8::1'))).toBe('NL'); // RIPE NCC
    expect(geo.country(ip('10.0.0.1'))).toBe('');
  });
});

describe('errors', () => {
  it('throws ERR_ENRICH_GEO_DB for a missing file', async () => {
    const err = await openGeoLookup({ path: fixture('no-such.mmdb') }).catch((e: unknown) => e);
    expect(isAppError(err) && err.code).toBe('ERR_ENRICH_GEO_DB');
  });

  it('throws ERR_ENRICH_GEO_DB for a file that is not an .mmdb', async () => {
    const err = await openGeoLookup({ path: fixture('expected-countries.json') }).catch((e: unknown) => e);
    expect(isAppError(err) && err.code).toBe('ERR_ENRICH_GEO_DB');
  });
});

describe('helpers', () => {
  it('reads DB-IP and MaxMind record shapes, falling back to registered_country', () => {
    expect(countryOf({ country_code: 'US' })).toBe('US');
    expect(countryOf({ country: { iso_code: 'GB' }, registered_country: { iso_code: 'FR' } })).toBe('GB');
    expect(countryOf({ registered_country: { iso_code: 'FR' } })).toBe('FR');
    expect(countryOf({ country_code: 'ZZ' })).toBe('');
    expect(countryOf(null)).toBe('');
  });

  it('unmaps IPv4-mapped IPv6 only', () => {
    expect(unmapIpv4('::ffff:1.2.3.4')).toBe('1.2.3.4');
    expect(unmapIpv4('::ffff:1.2.3')).toBe('::ffff:1.2.3');
    expect(unmapIpv4('2001:db8::1')).toBe('2001:db8::1');
    expect(unmapIpv4('1.2.3.4')).toBe('1.2.3.4');
  });

  it('knows the non-public ranges', () => {
    for (const a of ['0.1.2.3', '100.64.0.1', '169.254.1.1', '172.31.255.255', '224.0.0.1', '255.255.255.255', '192.0.2.1', '203.0.113.9']) {
      expect(isNonPublicIp(a, 4), a).toBe(true);
    }
    for (const a of ['8.8.8.8', '172.32.0.1', '100.128.0.1', '81.2.69.160']) expect(isNonPublicIp(a, 4), a).toBe(false);
    for (const a of ['::1', 'fc00::1', 'FE80::1', 'ff02::1', '2001:db8::1']) expect(isNonPublicIp(a, 6), a).toBe(true);
    for (const a of ['2001:480::1', '2003::1']) expect(isNonPublicIp(a, 6), a).toBe(false);
  });
});
