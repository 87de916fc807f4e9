import { describe, it, expect } from 'vitest';
import { F_IP, F_XFF, LineFields } from '../../../src/core/record.js';
import { isAppError } from '../../../src/core/errors.js';
import { createByteClientResolver, fieldText } from '../../../src/parse/index.js';
import { resetFields, setField } from '../../../src/parse/fields.js';
import { appendAscii } from '../../../src/parse/scratch.js';

/** A record whose client is `ip` and whose X-Forwarded-For is `xff` (in scratch when `xffInScratch`, as after unescaping). */
function line(ip: string, xff: string, xffInScratch = false): LineFields {
  const out = new LineFields();
  const src = Buffer.from(`${ip} ${xffInScratch ? '' : xff}`, 'latin1');
  resetFields(out, src);
  setField(out, F_IP, 0, ip.length, 0);
  if (xffInScratch) setField(out, F_XFF, 0, appendAscii(out, Buffer.from(xff, 'latin1')), 1);
  else setField(out, F_XFF, ip.length + 1, src.length, 0);
  return out;
}

function resolved(cidrs: string[], ip: string, xff: string): string {
  const l = line(ip, xff);
  createByteClientResolver(cidrs).resolve(l);
  const fromSrc = fieldText(l, F_IP);
  // The same answer when the header value was rewritten into scratch.
  const s = line(ip, xff, true);
  createByteClientResolver(cidrs).resolve(s);
  expect(fieldText(s, F_IP)).toBe(fromSrc);
  return fromSrc;
}

describe('createClientResolver', () => {
  const lb = ['10.0.0.0/8', '2001:db8:ffff::/48'];

  it('takes the right-most entry that is not a trusted proxy', () => {
    expect(resolved(lb, '10.0.0.1', '203.0.113.7')).toBe('203.0.113.7');
    expect(resolved(lb, '10.0.0.1', '198.51.100.1, 203.0.113.7, 10.1.2.3')).toBe('203.0.113.7');
    // Whatever a client wrote to the left of the last untrusted hop is not believed.
    expect(resolved(lb, '10.0.0.1', '1.1.1.1, 203.0.113.7')).toBe('203.0.113.7');
  });

  it('does nothing when the peer is not trusted or there is no header', () => {
    expect(resolved(lb, '192.0.2.1', '203.0.113.7')).toBe('192.0.2.1');
    expect(resolved(lb, '10.0.0.1', '')).toBe('10.0.0.1');
    expect(resolved([], '10.0.0.1', '203.0.113.7')).toBe('10.0.0.1');
  });

  it('skips invalid entries, and keeps the peer when every entry is trusted or invalid', () => {
    expect(resolved(lb, '10.0.0.1', '203.0.113.7, unknown, ,10.9.9.9')).toBe('203.0.113.7');
    expect(resolved(lb, '10.0.0.1', 'unknown, 10.2.2.2')).toBe('10.0.0.1');
    expect(resolved(lb, '10.0.0.1', ',,,')).toBe('10.0.0.1');
  });

  it('handles IPv6, IPv4-mapped peers and entries with ports', () => {
    expect(resolved(lb, '2001:db8:ffff::1', '2001:db8:1::5')).toBe('2001:db8:1::5');
    expect(resolved(lb, '2001:db8:fffe::1', '2001:db8:1::5')).toBe('2001:db8:fffe::1');
    // An IPv4 prefix matches the IPv4-mapped form of an address in it.
    expect(resolved(lb, '::ffff:10.1.1.1', '203.0.113.7')).toBe('203.0.113.7');
    expect(resolved(lb, '10.0.0.1', '203.0.113.7:51234')).toBe('203.0.113.7');
    expect(resolved(lb, '10.0.0.1', '[2001:db8:1::5]:443')).toBe('2001:db8:1::5');
  });

  it('honours prefix lengths that are not multiples of 8, and single addresses', () => {
    expect(resolved(['192.168.0.0/23'], '192.168.1.255', '8.8.8.8')).toBe('8.8.8.8');
    expect(resolved(['192.168.0.0/23'], '192.168.2.0', '8.8.8.8')).toBe('192.168.2.0');
    expect(resolved(['127.0.0.1'], '127.0.0.1', '8.8.8.8')).toBe('8.8.8.8');
    expect(resolved(['127.0.0.1'], '127.0.0.2', '8.8.8.8')).toBe('127.0.0.2');
    expect(resolved(['0.0.0.0/0'], '1.2.3.4', '8.8.8.8, 9.9.9.9')).toBe('1.2.3.4');
    expect(resolved(['::/0'], '1.2.3.4', '8.8.8.8')).toBe('1.2.3.4');
  });

  it('never takes a host-name client for a trusted proxy', () => {
    const l = line('proxy.example', '203.0.113.7');
    l.clientIsName = true;
    createByteClientResolver(['0.0.0.0/0', '::/0']).resolve(l);
    expect(fieldText(l, F_IP)).toBe('proxy.example');
    expect(l.clientIsName).toBe(true);
    const a = line('10.0.0.1', '203.0.113.7');
    createByteClientResolver(['10.0.0.0/8']).resolve(a);
    expect(a.clientIsName).toBe(false);
  });

  it('rejects unreadable CIDRs with a config error', () => {
    for (const bad of ['10.0.0.0/33', '10.0.0/8', 'example.com', '::/129', '10.0.0.0/', '10.0.0.0/x']) {
      try {
        createByteClientResolver([bad]);
        expect.unreachable(bad);
      } catch (e) {
        expect(isAppError(e) && e.code, bad).toBe('ERR_CONFIG_INVALID');
      }
    }
  });
});
