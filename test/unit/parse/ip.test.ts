import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { isIP } from 'node:net';
import { isIp, isIpv4, isIpv6, ipToBytes, parseCidr, cidrContains, isHostName } from '../../../src/parse/index.js';

const B = (s: string): Buffer => Buffer.from(s, 'latin1');
const whole = (f: (b: Uint8Array, a: number, e: number) => boolean) => (s: string) => f(B(s), 0, s.length);

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

  it('checks ranges inside a longer buffer, never reading past them', () => {
    const b = B('x 10.1.2.3 y');
    expect(isIp(b, 2, 10)).toBe(true);
    expect(isIp(b, 2, 11)).toBe(false);
    expect(isIp(b, 1, 10)).toBe(false);
    // '10.1.2.3' followed by more digits: the range ends before them.
    expect(isIp(B('10.1.2.34'), 0, 8)).toBe(true);
    expect(isIpv6(B('::1:2'), 0, 3)).toBe(true);
  });

  it('converts to bytes and matches prefixes', () => {
    const b = new Uint8Array(16);
    expect(ipToBytes(B('2001:db8::1'), 0, 11, b)).toBe(true);
    expect(Array.from(b)).toEqual([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(ipToBytes(B('::ffff:1.2.3.4'), 0, 14, b)).toBe(true);
    expect(Array.from(b.subarray(10))).toEqual([0xff, 0xff, 1, 2, 3, 4]);
    expect(ipToBytes(B('1::2:3.4.5.6'), 0, 12, b)).toBe(true);
    expect(Array.from(b)).toEqual([0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 4, 5, 6]);
    expect(ipToBytes(B('192.0.2.200'), 0, 11, b)).toBe(true);
    expect(Array.from(b)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 200]);
    expect(ipToBytes(B('example.com'), 0, 11, b)).toBe(false);
    const c = parseCidr('2001:db8::/32')!;
    ipToBytes(B('2001:db8:ffff::1'), 0, 16, b);
    expect(cidrContains(c, b)).toBe(true);
    ipToBytes(B('2001:db9::1'), 0, 11, b);
    expect(cidrContains(c, b)).toBe(false);
  });

  it('ipToBytes agrees with an independent expansion for any generated IPv6', () => {
    const expand = (ip: string): number[] => {
      // Node's URL parser normalises IPv6 hosts (an IPv4 tail becomes two groups): expand that.
      const host = new URL(`http://[${ip}]/`).hostname.slice(1, -1);
      const halves = host.split('::');
      const part = (p: string | undefined): string[] => (p === undefined || p === '' ? [] : p.split(':'));
      const hg = part(halves[0]);
      const tg = part(halves[1]);
      const groups = halves.length === 2 ? [...hg, ...Array<string>(8 - hg.length - tg.length).fill('0'), ...tg] : hg;
      return groups.flatMap((g) => {
        const v = parseInt(g, 16);
        return [v >> 8, v & 0xff];
      });
    };
    const out = new Uint8Array(16);
    fc.assert(
      fc.property(fc.ipV6(), (ip) => {
        expect(ipToBytes(B(ip), 0, ip.length, out)).toBe(true);
        expect(Array.from(out)).toEqual(expand(ip));
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects CIDRs that are not an address and prefix', () => {
    for (const bad of ['10.0.0.0/33', '10.0.0/8', 'example.com', '::/129', '10.0.0.0/', '10.0.0.0/x', '10.0.0.0/1234', '1.2.3.4\u0132']) expect(parseCidr(bad), bad).toBeNull();
    expect(parseCidr(' 10.0.0.0/8 ')).toMatchObject({ bits: 104 });
  });
});

describe('isHostName', () => {
  const name = (s: string) => isHostName(B(s), 0, s.length);

  it('accepts host names (RFC 1123 labels, an optional root dot)', () => {
    for (const n of ['localhost', 'a', 'ppp31.example.com', 'pool-71-104-40-142.lsanca.dsl-w.verizon.net', 'xn--bcher-kva.example', 'A.B.C', 'www.example.com.', '1.2.3.example', '3com.com']) {
      expect(name(n), n).toBe(true);
    }
    expect(name(`${'a'.repeat(63)}.example`)).toBe(true);
    expect(name(Array(4).fill('a'.repeat(62)).join('.'))).toBe(true); // 251 bytes
  });

  it('rejects everything else, including malformed addresses', () => {
    for (const n of ['', '.', '-', 'a..b', '.a', '-a.example', 'a-.example', 'a_b.example', 'a b', 'a,b', 'unix:', '1.2.3.4', '1.2.3.256', '01.2.3.4', '123', 'a.123', 'ex\xe4mple.com', '[::1]', 'a.b:80', 'a..', 'a.b..']) {
      expect(name(n), JSON.stringify(n)).toBe(false);
    }
    expect(name('a'.repeat(64))).toBe(false);
    expect(name(Array(5).fill('a'.repeat(50)).join('.'))).toBe(false); // 254 bytes
  });

  it('reads only its range', () => {
    const b = B('xx.example,yy');
    expect(isHostName(b, 0, 10)).toBe(true);
    expect(isHostName(b, 0, 11)).toBe(false);
  });
});
