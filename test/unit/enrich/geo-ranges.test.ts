import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Reader, type CountryResponse } from 'maxmind';
import { describe, expect, it } from 'vitest';
import { defaultGeoDbPath } from '../../../src/enrich/geo.js';
import { countryOf, isNonPublicIp } from '../../../src/enrich/geo-record.js';
import { buildRangeTable, countryOfBytes, loadRangeTable, packCountry } from '../../../src/enrich/geo-ranges.js';

/** A deterministic stream of pseudo-random 32-bit numbers. */
function* numbers(seed: number): Generator<number> {
  let x = seed >>> 0;
  for (;;) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    yield x >>> 0;
  }
}

describe('country range table', () => {
  const path = defaultGeoDbPath();
  const db = readFileSync(path);
  const reader = new Reader<CountryResponse>(db);
  const table = buildRangeTable(db);
  const expected = (ip: string, family: 4 | 6): number => (isNonPublicIp(ip, family) ? 0 : packCountry(countryOf(reader.get(ip) as Parameters<typeof countryOf>[0])));
  const lookup = (ip: string): number => {
    const b = Buffer.from(ip, 'latin1');
    return countryOfBytes(table, b, 0, b.length);
  };

  it('answers like the mmdb tree for 20,000 random IPv4 addresses', () => {
    const rnd = numbers(7);
    let known = 0;
    for (let i = 0; i < 20_000; i++) {
      const n = rnd.next().value!;
      const ip = `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
      const want = expected(ip, 4);
      if (want !== 0) known++;
      expect(lookup(ip), ip).toBe(want);
    }
    expect(known).toBeGreaterThan(10_000);
  });

  it('answers like the mmdb tree for 20,000 random addresses in allocated IPv6 space', () => {
    const rnd = numbers(11);
    let known = 0;
    for (let i = 0; i < 20_000; i++) {
      const w = Array.from({ length: 8 }, () => (rnd.next().value! & 0xffff).toString(16));
      w[0] = (0x2000 + (rnd.next().value! % 0x0c00)).toString(16); // 2000::/3 … 2bff
      const ip = w.join(':');
      const want = expected(ip, 6);
      if (want !== 0) known++;
      expect(lookup(ip), ip).toBe(want);
    }
    expect(known).toBeGreaterThan(1000);
  });

  it('answers ::/96 (IPv4-compatible addresses) like the mmdb tree, from the IPv4 ranges it leaves out of the IPv6 ones', () => {
    expect(table.v4InV6).toBe(true);
    // No IPv6 range starts inside ::/96: those addresses are the IPv4 table's.
    for (let k = 0; k < table.v6Code.length; k++) expect(table.v6Start[4 * k]! + table.v6Start[4 * k + 1]! + table.v6Start[4 * k + 2]!, `range ${k}`).toBeGreaterThan(0);
    const rnd = numbers(13);
    let known = 0;
    for (let i = 0; i < 5_000; i++) {
      const n = rnd.next().value!;
      const ip = `::${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
      const want = expected(ip, 6);
      if (want !== 0) known++;
      expect(lookup(ip), ip).toBe(want);
    }
    expect(known).toBeGreaterThan(2_500);
    // Just past it, the IPv6 table again.
    for (const ip of ['::1:0:0', '::1:0:1', '::2:0:0']) expect(lookup(ip), ip).toBe(expected(ip, 6));
  });

  it('reads IPv4-mapped IPv6 as IPv4 and gives private, junk and host names no country', () => {
    expect(lookup('::ffff:8.8.8.8')).toBe(lookup('8.8.8.8'));
    expect(lookup('8.8.8.8')).not.toBe(0);
    for (const ip of ['10.1.2.3', '192.168.0.1', '127.0.0.1', '::1', 'fe80::1', '1.2.3', '1.2.3.4.5', '256.1.1.1', 'example.com', '']) expect(lookup(ip), ip).toBe(0);
  });

  it('caches the table on disk and reads it back identical', () => {
    const dir = mkdtempSync(join(tmpdir(), 'weblog-geo-'));
    const first = loadRangeTable(path, dir);
    const again = loadRangeTable(path, dir);
    expect(again.v4Start).toEqual(first.v4Start);
    expect(again.v6Code).toEqual(first.v6Code);
    expect(again.v6Start).toEqual(first.v6Start);
    expect(again.v4Code).toEqual(table.v4Code);
    expect(again.v4InV6).toBe(first.v4InV6);
  });
});
