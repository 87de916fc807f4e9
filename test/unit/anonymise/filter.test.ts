import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLineFilter, DEFAULT_PRIVACY, findIpLiterals, type FilterLayout, type PrivacyPolicy, type UnparsedPolicy } from '../../../src/anonymise/index.js';

function filter(p: Partial<PrivacyPolicy> = {}, vhostFirst = false, unparsed: UnparsedPolicy = 'mask', layout: FilterLayout = vhostFirst ? 'vhost-first' : 'client-first') {
  return createLineFilter({ policy: { ...DEFAULT_PRIVACY, ...p }, layout, unparsed, today: () => '2024-03-01' });
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

  it('handles vhost_combined, CRLF and lines without an address (nothing to mask: unchanged)', () => {
    expect(run(filter({}, true), `www.example.com:443 ${LINE}`)).toMatch(/^www\.example\.com:443 203\.0\.113\.0 /);
    expect(run(filter(), LINE.replace('\n', '\r\n'))).toMatch(/extra\r\n$/);
    const f = filter();
    expect(run(f, 'garbage here\n\nhost.name - - [x] "GET / HTTP/1.1" 200 1\n')).toBe('garbage here\n\nhost.name - - [x] "GET / HTTP/1.1" 200 1\n');
    expect(f.stats).toMatchObject({ lines: 2, unrecognised: 2, fallbackV4: 0, fallbackV6: 0 });
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

  it('fails closed: a line whose client field is not an address gets every address in it masked (issue 13, item 3)', () => {
    // vhost_combined read as combined: the address is the second field.
    const vhost = 'site.example:80 158.178.118.99 - - [01/Mar/2024:10:00:00 +0100] "GET /x HTTP/1.1" 200 5 "http://10.1.2.3/from" "curl/8"\n';
    const f = filter();
    const out = run(f, vhost);
    expect(out).toBe('site.example:80 158.178.118.0 - - [01/Mar/2024:10:00:00 +0100] "GET /x HTTP/1.1" 200 5 "http://10.1.2.0/from" "curl/8"\n');
    expect(f.stats).toMatchObject({ lines: 1, unrecognised: 1, fallbackV4: 2, fallbackV6: 0 });
    // IPv6 anywhere, with brackets and ports, IPv4 with a port, IPv4-mapped.
    const g = filter();
    const odd = 'proxy [2001:db8:aaaa:bbbb::17]:443 for 192.0.2.77:8080 via ::ffff:198.51.100.9 at 10:00:00\n';
    const o = run(g, odd);
    expect(o).toBe('proxy [2001:db8:aaaa::]:443 for 192.0.2.0:8080 via 198.51.100.0 at 10:00:00\n');
    expect(g.stats).toMatchObject({ unrecognised: 1, fallbackV4: 1, fallbackV6: 2 });
    // A line whose client is an address but whose user or request field is missing is not trusted either.
    expect(run(filter(), '192.0.2.5 garbage 203.0.113.9\n')).toBe('192.0.2.0 garbage 203.0.113.0\n');
    // Pseudonyms and drop apply too; full leaves them.
    expect(run(filter({ ip: 'drop' }), vhost)).toContain('site.example:80 0.0.0.0 - -');
    expect(run(filter({ ip: 'pseudonym' }), vhost)).toMatch(/^site\.example:80 fd[0-9a-f]{2}:/);
    expect(run(filter({ ip: 'full' }), vhost)).toBe(vhost);
  });

  it('--unparsed drop removes such lines with their line end; pass lets them through unchanged, counted', () => {
    const bad = 'site.example:80 158.178.118.99 - - [01/Mar/2024:10:00:00 +0100] "GET / HTTP/1.1" 200 5\n';
    const d = filter({ user: 'full' }, false, 'drop');
    expect(run(d, `${LINE}${bad}${LINE}`)).toBe(run(filter({ user: 'full' }), `${LINE}${LINE}`));
    expect(d.stats).toMatchObject({ lines: 3, unrecognised: 1, dropped: 1 });
    const p = filter({}, false, 'pass');
    expect(run(p, bad)).toBe(bad);
    expect(p.stats).toMatchObject({ unrecognised: 1, passed: 1, fallbackV4: 0 });
  });

  it('rewrites the remote host and user name of xferlog lines, and nothing else', () => {
    const x = 'Mon Mar  4 13:55:36 2024 1 203.0.113.45 1234 /pub/my file.txt b _ o r alice ftp 0 * c\n';
    const f = filter({}, false, 'mask', 'xferlog');
    const out = run(f, x);
    expect(out).toMatch(/^Mon Mar {2}4 13:55:36 2024 1 203\.0\.113\.0 1234 \/pub\/my file\.txt b _ o r user-[a-z2-7]{10} ftp 0 \* c\n$/);
    // Anonymous logins: the "user" is the e-mail typed as password. Eight trailing fields (no completion status).
    const anon = 'Tue Mar 12 08:00:00 2024 3 2001:db8:1:2::9 99 /x b _ i a guest@example.org ftp 0 *\n';
    expect(run(filter({ user: 'drop' }, false, 'mask', 'xferlog'), anon)).toBe('Tue Mar 12 08:00:00 2024 3 2001:db8:1:: 99 /x b _ i a - ftp 0 *\n');
    expect(f.stats).toMatchObject({ lines: 1, unrecognised: 0 });
    // A web line in an xferlog stream: not readable as xferlog, so masked everywhere.
    expect(run(f, LINE)).toContain('203.0.113.0 - alice');
  });

  it('no address survives a line the filter cannot read (property)', () => {
    const octet = fc.integer({ min: 0, max: 255 });
    const ip4 = fc.tuple(octet, octet, octet, fc.integer({ min: 1, max: 255 })).map((o) => o.join('.'));
    const word = fc.string({ unit: fc.constantFrom(...'abcxyz-_/[]"=:'.split('')), maxLength: 8 });
    fc.assert(
      fc.property(fc.array(fc.tuple(word, ip4), { minLength: 1, maxLength: 6 }), word, (parts, first) => {
        const line = `x${first} ${parts.map(([w, ip]) => `${w} ${ip}`).join(' ')}\n`;
        const f = filter();
        const out = run(f, line);
        for (const [, ip] of parts) expect(out).not.toMatch(new RegExp(`(^|[^0-9.])${ip.replace(/\./g, '\\.')}([^0-9.]|$)`));
        expect(findIpLiterals(out).filter((l) => !l.v6).every((l) => out.slice(l.start, l.end).endsWith('.0'))).toBe(true);
        expect(f.stats.fallbackV4).toBe(parts.length);
      }),
      { numRuns: 300 },
    );
  });
});
