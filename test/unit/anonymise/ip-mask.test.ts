import { describe, expect, it } from 'vitest';
import { maskIp } from '../../../src/anonymise/index.js';
import { formatIpv6, ipv6Groups } from '../../../src/anonymise/ip-mask.js';

describe('maskIp', () => {
  it('masks IPv4 to the prefix', () => {
    expect(maskIp('192.168.123.45', 24, 48)).toBe('192.168.123.0');
    expect(maskIp('192.168.123.45', 16, 48)).toBe('192.168.0.0');
    expect(maskIp('192.168.123.45', 0, 48)).toBe('0.0.0.0');
    expect(maskIp('192.168.123.45', 32, 48)).toBe('192.168.123.45');
    expect(maskIp('10.255.255.255', 12, 48)).toBe('10.240.0.0');
  });
  it('masks IPv6 to the prefix, in RFC 5952 form', () => {
    expect(maskIp('2001:db8:85a3:8d3:1319:8a2e:370:7348', 24, 48)).toBe('2001:db8:85a3::');
    expect(maskIp('2001:DB8:85A3:08D3::7348', 24, 64)).toBe('2001:db8:85a3:8d3::');
    expect(maskIp('2001:db8:85a3:ffff::1', 24, 56)).toBe('2001:db8:85a3:ff00::');
    expect(maskIp('::1', 24, 48)).toBe('::');
    expect(maskIp('::1', 24, 128)).toBe('::1');
  });
  it('masks IPv4-mapped IPv6 as IPv4 (as anonip does)', () => {
    expect(maskIp('::ffff:81.2.69.160', 24, 48)).toBe('81.2.69.0');
  });
  it('returns empty for non-addresses', () => {
    expect(maskIp('not-an-ip', 24, 48)).toBe('');
    expect(maskIp('1.2.3', 24, 48)).toBe('');
    expect(maskIp('1.2.3.256', 24, 48)).toBe('');
    expect(maskIp('1::2::3', 24, 48)).toBe('');
    expect(maskIp('12345::', 24, 48)).toBe('');
  });
  it('round-trips IPv6 groups through the formatter', () => {
    for (const ip of ['2001:db8::1', '::', '1::', 'fe80::1:2:3:4', '1:2:3:4:5:6:7:8', '1:0:0:2::3']) {
      expect(formatIpv6(ipv6Groups(ip)!)).toBe(ip);
    }
  });
});
