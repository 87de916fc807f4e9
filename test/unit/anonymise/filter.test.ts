import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLineFilter, createMemoryKeyRing, DEFAULT_PRIVACY, type PrivacyPolicy } from '../../../src/anonymise/index.js';

function filter(p: Partial<PrivacyPolicy> = {}, vhostFirst = false) {
  return createLineFilter({ policy: { ...DEFAULT_PRIVACY, ...p }, keys: createMemoryKeyRing(), site: 's', vhostFirst, today: () => '2024-03-01' });
}
const run = (f: ReturnType<typeof filter>, text: string) => f.rewrite(Buffer.from(text, 'latin1')).toString('latin1');

const LINE = '203.0.113.197 - alice [01/Mar/2024:10:00:00 +0100] "GET /a/b?token=s3cret&page=2 HTTP/1.1" 200 512 "https://bob:pw@ref.example/x/y?q=term#frag" "Mozilla/5.0 (X11)" extra\n';

describe('anonymising filter', () => {
  it('rewrites IP, user, query and Referer and leaves every other byte', () => {
    const out = run(filter(), LINE);
    expect(out).toMatch(/^203\.0\.113\.0 - user-[a-z2-7]{10} \[01\/Mar\/2024:10:00:00 \+0100\] "GET \/a\/b HTTP\/1\.1" 200 512 "https:\/\/ref\.example\/x\/y" "Mozilla\/5\.0 \(X11\)" extra\n$/);
  });

  it('keeps what the policy keeps', () => {
    expect(run(filter({ ip: 'full', user: 'full', query: 'keep' }), LINE)).toBe(LINE.replace('bob:pw@', ''));
    expect(run(filter({ queryAllow: ['page'] }), LINE)).toContain('"GET /a/b?page=2 HTTP/1.1"');
    expect(run(filter({ ip: 'drop', user: 'drop' }), LINE)).toMatch(/^0\.0\.0\.0 - - \[/);
  });

  it('masks IPv6 and IPv4 by prefix and gives parseable pseudonyms', () => {
    expect(run(filter({ ipv4Prefix: 16 }), LINE)).toMatch(/^203\.0\.0\.0 /);
    expect(run(filter(), LINE.replace('203.0.113.197', '2001:db8:aaaa:bbbb::1'))).toMatch(/^2001:db8:aaaa:: /);
    const f = filter({ ip: 'pseudonym' });
    const a = run(f, LINE).split(' ')[0]!;
    expect(a).toMatch(/^fd[0-9a-f]{2}:[0-9a-f]{4}:[0-9a-f]{4}::[0-9a-f]{3}$/);
    expect(run(f, LINE).split(' ')[0]).toBe(a);
    expect(run(filter({ ip: 'pseudonym' }), LINE).split(' ')[0]).not.toBe(a); // another key
  });

  it('handles vhost_combined, CRLF, unterminated lines, and passes non-log lines through', () => {
    expect(run(filter({}, true), `www.example.com:443 ${LINE}`)).toMatch(/^www\.example\.com:443 203\.0\.113\.0 /);
    expect(run(filter(), LINE.replace('\n', '\r\n'))).toMatch(/extra\r\n$/);
    const f = filter();
    expect(run(f, 'garbage here\n\nhost.name - - [x] "GET / HTTP/1.1" 200 1\n')).toBe('garbage here\n\nhost.name - - [x] "GET / HTTP/1.1" 200 1\n');
    expect(f.stats).toEqual({ lines: 2, unrecognised: 2 });
  });

  it('never throws and keeps the line count for any input (property)', () => {
    const f = filter({ ip: 'pseudonym' });
    fc.assert(
      fc.property(fc.array(fc.string({ unit: fc.constantFrom(...'0123456789. -"[]?@#/\\abc:\r'.split('')) })), (parts) => {
        const text = `${parts.join('\n')}\n`;
        const out = run(f, text);
        expect(out.split('\n').length).toBe(text.split('\n').length);
      }),
    );
  });
});
