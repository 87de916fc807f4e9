import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { isIP } from 'node:net';
import { isIp, isIpv4, isIpv6, ipToBytes, parseCidr, cidrContains } from '../../../src/parse/ip.js';

const whole = (f: (s: string, a: number, b: number) => boolean) => (s: string) => f(s, 0, s.length);

describe('ip', () => {
  it('accepts what fast-check generates as IPv4 and IPv6', () => {
    fc.assert(fc.property(fc.ipV4(), (ip) => whole(isIpv4)(ip) && whole(isIp)(ip)));
    fc.assert(fc.property(fc.ipV6(), (ip) => whole(isIpv6)(ip) && whole(isIp)(ip)));
  });

  it("agrees with node:net's isIP on short strings of address characters", () => {
    const chars = fc.string({ unit: fc.constantFrom('0', '1', '9', 'a', 'f', 'g', ':', '.', '2', '5'), maxLength: 16 });
    fc.assert(
      fc.property(chars, (s) => {
        // node accepts IPv4 parts with leading zeros; we do not (they may mean octal).
        const v4 = s.slice(s.lastIndexOf(':') + 1);
        const node = isIP(s) !== 0 && !(v4.includes('.') && /(^|\.)0\d/.test(v4));
        return whole(isIp)(s) === node;
      }),
      { numRuns: 20_000 },
    );
  });

  it('checks ranges inside a longer string', () => {
    const s = 'x 10.1.2.3 y';
    expect(isIp(s, 2, 10)).toBe(true);
    expect(isIp(s, 2, 11)).toBe(false);
    expect(isIp(s, 1, 10)).toBe(false);
  });

  it('converts to bytes and matches prefixes', () => {
    const b = new Uint8Array(16);
    expect(ipToBytes('2001:db8::1', 0, 11, b)).toBe(true);
    expect(Array.from(b)).toEqual([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(ipToBytes('::ffff:1.2.3.4', 0, 14, b)).toBe(true);
    expect(Array.from(b.subarray(10))).toEqual([0xff, 0xff, 1, 2, 3, 4]);
    const c = parseCidr('2001:db8::/32')!;
    ipToBytes('2001:db8:ffff::1', 0, 16, b);
    expect(cidrContains(c, b)).toBe(true);
    ipToBytes('2001:db9::1', 0, 11, b);
    expect(cidrContains(c, b)).toBe(false);
  });
});
