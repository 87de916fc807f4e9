import { describe, it, expect } from 'vitest';
import { LineFields, type ByteLineParser } from '../../../src/core/record.js';
import { isAppError } from '../../../src/core/errors.js';
import { PRESETS, VHOST_PRESETS, bytesToText, createByteParser, rejectReason, type FormatSpec, type PresetName } from '../../../src/parse/index.js';
import { fenced, ok, reason, recordOf, utc } from './helpers.js';

const combined = createByteParser({ format: 'combined' });
const common = createByteParser({ format: 'common' });
const vhost = createByteParser({ format: 'vhost_combined' });
const nginx = createByteParser({ format: 'nginx_combined' });

/** Parses into a given record (to see what a parse leaves in a reused one). */
function parseInto(p: ByteLineParser, line: string, out: LineFields): string | null {
  const { buf, start, end } = fenced(line);
  return rejectReason(p.parse(buf, start, end, out));
}

const T = '[10/Oct/2000:13:55:36 -0700]';
const COMBINED_LINE = `127.0.0.1 - frank ${T} "GET /apache_pb.gif?a=1&b=2 HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"`;

describe('createParser', () => {
  it('knows the seven presets', () => {
    expect([...PRESETS].sort()).toEqual(['caddy', 'combined', 'common', 'nginx_combined', 'vhost_combined', 'vhost_common', 'xferlog']);
    for (const p of PRESETS) expect(createByteParser({ format: p }).format).toBe(p);
  });

  it('says which presets carry a vhost', () => {
    const has = PRESETS.filter((p) => createByteParser({ format: p }).hasVhost);
    expect(has).toEqual(['vhost_combined', 'vhost_common', 'caddy']);
    expect(VHOST_PRESETS).toEqual(has);
  });

  it('names custom formats after their template', () => {
    expect(createByteParser({ format: 'apache', logFormat: '%h %t' }).format).toBe('apache:%h %t');
    expect(createByteParser({ format: 'nginx', logFormat: '$remote_addr [$time_local]' }).format).toBe('nginx:$remote_addr [$time_local]');
  });

  const codeOf = (spec: FormatSpec): string => {
    try {
      createByteParser(spec);
    } catch (e) {
      return isAppError(e) ? e.code : 'not an AppError';
    }
    return 'no error';
  };

  it('rejects auto, unknown names and incomplete specs with stable codes', () => {
    expect(codeOf({ format: 'auto' })).toBe('ERR_PARSE_UNKNOWN_FORMAT');
    expect(codeOf({ format: 'w3c' as PresetName })).toBe('ERR_PARSE_UNKNOWN_FORMAT');
    expect(codeOf({ format: 'apache' })).toBe('ERR_PARSE_BAD_TEMPLATE');
    expect(codeOf({ format: 'nginx', logFormat: '  ' })).toBe('ERR_PARSE_BAD_TEMPLATE');
    expect(codeOf({ format: 'combined', logFormat: '%h' })).toBe('ERR_PARSE_BAD_TEMPLATE');
    expect(codeOf({ format: 'apache', logFormat: '%h %Q %t' })).toBe('ERR_PARSE_BAD_TEMPLATE');
  });
});

describe('combined', () => {
  it('parses the Apache documentation example', () => {
    const r = ok(combined, COMBINED_LINE);
    expect(r).toEqual({
      ip: '127.0.0.1',
      forwardedFor: '',
      user: 'frank',
      request: 'GET /apache_pb.gif?a=1&b=2 HTTP/1.0',
      time: utc(2000, 10, 10, 20, 55, 36),
      day: utc(2000, 10, 10) / 86400,
      date: '2000-10-10',
      hour: 13,
      method: 'GET',
      path: '/apache_pb.gif',
      query: 'a=1&b=2',
      protocol: 'HTTP/1.0',
      status: 200,
      bytes: 2326,
      referrer: 'http://www.example.com/start.html',
      userAgent: 'Mozilla/4.08 [en] (Win98; I ;Nav)',
      vhost: '',
      channel: 'http',
      clientIsName: false,
      timeTakenUs: -1,
    });
  });

  it('applies the offset to time but keeps date and hour as written', () => {
    const at = (t: string) => ok(combined, `1.2.3.4 - - [${t}] "GET / HTTP/1.1" 200 1 "-" "-"`);
    // +0000
    expect(at('01/Jan/2021:00:00:00 +0000')).toMatchObject({ time: utc(2021, 1, 1), date: '2021-01-01', hour: 0 });
    // -0700 late in the day: the UTC date is the next day (and year).
    expect(at('31/Dec/2020:23:30:00 -0700')).toMatchObject({ time: utc(2021, 1, 1, 6, 30), date: '2020-12-31', hour: 23 });
    // +0530 early in the day: the UTC date is the day before.
    expect(at('10/Oct/2000:02:10:00 +0530')).toMatchObject({ time: utc(2000, 10, 9, 20, 40), date: '2000-10-10', hour: 2 });
    // +1400 (Line Islands), the largest offset in use.
    expect(at('01/Jan/2021:05:00:00 +1400')).toMatchObject({ time: utc(2020, 12, 31, 15), date: '2021-01-01', hour: 5 });
    // Leap day, and the month name in any case.
    expect(at('29/Feb/2000:12:00:00 +0000')).toMatchObject({ time: utc(2000, 2, 29, 12), date: '2000-02-29' });
    expect(at('05/MAR/2024:12:00:00 +0100')).toMatchObject({ time: utc(2024, 3, 5, 11), date: '2024-03-05' });
  });

  it('rejects impossible times as bad_time', () => {
    const at = (t: string) => reason(combined, `1.2.3.4 - - [${t}] "GET / HTTP/1.1" 200 1 "-" "-"`);
    expect(at('29/Feb/2001:12:00:00 +0000')).toBe('bad_time');
    expect(at('32/Oct/2000:12:00:00 +0000')).toBe('bad_time');
    expect(at('10/Foo/2000:12:00:00 +0000')).toBe('bad_time');
    expect(at('10/Oct/2000:24:00:00 +0000')).toBe('bad_time');
    expect(at('10/Oct/2000:12:00:00 0000')).toBe('bad_time');
    expect(at('10/Oct/2000 12:00:00 +0000')).toBe('bad_time');
    expect(at('2000-10-10T12:00:00+00:00')).toBe('bad_time');
  });

  it('reuses the cached date correctly when the date changes', () => {
    const p = createByteParser({ format: 'combined' });
    const a = ok(p, `1.2.3.4 - - [10/Oct/2000:23:59:59 +0000] "GET / HTTP/1.1" 200 1 "-" "-"`);
    const b = ok(p, `1.2.3.4 - - [11/Oct/2000:00:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "-"`);
    const c = ok(p, `1.2.3.4 - - [10/Oct/2000:12:00:00 +0200] "GET / HTTP/1.1" 200 1 "-" "-"`);
    expect([a.date, b.date, c.date]).toEqual(['2000-10-10', '2000-10-11', '2000-10-10']);
    expect(b.time - a.time).toBe(1);
    expect(c.time).toBe(utc(2000, 10, 10, 10));
  });

  it('accepts IPv6 clients and rejects what is not an address', () => {
    const line = (ip: string) => `${ip} - - ${T} "GET / HTTP/1.1" 200 1 "-" "-"`;
    for (const ip of ['::1', '2001:db8::1', '2001:0db8:0000:0000:0000:ff00:0042:8329', '::ffff:192.0.2.128', 'fe80::', '::']) {
      expect(ok(combined, line(ip))).toMatchObject({ ip, clientIsName: false });
    }
    for (const ip of ['unix:', '1.2.3.256', '01.2.3.4', '1.2.3', '2001:db8:::1', 'fe80::1%eth0', '1.2.3.4,', '-', '[::1]', 'a..b', '-host.example', 'host-.example', 'under_score.example', 'x'.repeat(64)]) {
      expect(reason(combined, line(ip)), ip).toBe('bad_ip');
    }
  });

  it('accepts a DNS host name as %h (HostnameLookups On), never as nginx $remote_addr', () => {
    const line = (ip: string) => `${ip} - - ${T} "GET / HTTP/1.1" 200 1 "-" "-"`;
    for (const name of ['localhost', 'example.com', 'pool-71-104-40-142.lsanca.dsl-w.verizon.net', 'ppp31.example.com', 'HOST.Example.ORG', 'www.example.com.', '1.2.3.example', 'x'.repeat(63)]) {
      expect(ok(combined, line(name)), name).toMatchObject({ ip: name, clientIsName: true });
      expect(ok(common, `${name} - - ${T} "GET / HTTP/1.1" 200 1`).clientIsName).toBe(true);
      expect(reason(nginx, line(name)), name).toBe('bad_ip');
    }
  });

  it('maps - sizes, - status and - user, and rejects malformed numbers', () => {
    const r = ok(combined, `1.2.3.4 - - ${T} "GET / HTTP/1.1" - - "-" "-"`);
    expect(r).toMatchObject({ status: 0, bytes: 0, user: '', referrer: '', userAgent: '' });
    const line = (status: string, bytes: string) => `1.2.3.4 - - ${T} "GET / HTTP/1.1" ${status} ${bytes} "-" "-"`;
    expect(ok(combined, line('599', '0'))).toMatchObject({ status: 599, bytes: 0 });
    expect(ok(combined, line('100', '123456789012345'))).toMatchObject({ status: 100, bytes: 123456789012345 });
    for (const s of ['099', '600', '20', '2000', 'abc', 'OK']) expect(reason(combined, line(s, '1'))).toBe('bad_status');
    for (const b of ['12a', '-1', '1.5', '1234567890123456']) expect(reason(combined, line('200', b))).toBe('bad_bytes');
  });

  it('decodes Apache escapes inside quoted fields', () => {
    const r = ok(combined, String.raw`1.2.3.4 - - ${T} "GET /a\"b\\c HTTP/1.1" 200 1 "-" "say \"hi\" \\o/ \x01\xe2\x98\x83"`);
    expect(r.path).toBe('/a"b\\c');
    expect(r.userAgent).toBe('say "hi" \\o/ \x01\xe2\x98\x83');
    expect(bytesToText(r.userAgent)).toBe('say "hi" \\o/ \\x01\u2603');
  });

  it('decodes nginx \\xHH escapes (the UTF-8 bytes of the UA)', () => {
    const r = ok(nginx, String.raw`1.2.3.4 - - ${T} "GET /caf\xC3\xA9 HTTP/1.1" 200 1 "-" "\x22quoted\x22 \xE2\x98\x83"`);
    expect(r.path).toBe('/caf\xc3\xa9');
    expect(bytesToText(r.path)).toBe('/café');
    expect(r.userAgent).toBe('"quoted" \xe2\x98\x83');
  });

  it('keeps raw (unescaped) bytes as they are: lines are latin1 byte strings', () => {
    const r = ok(combined, `1.2.3.4 - - ${T} "GET /\xc3\xa9t\xe9 HTTP/1.1" 200 1 "-" "\xff\xfe"`);
    expect(r.path).toBe('/\xc3\xa9t\xe9');
    expect(r.userAgent).toBe('\xff\xfe');
  });

  it('splits request lines: absolute form, no protocol, spaces in the path', () => {
    const req = (r: string) => ok(combined, `1.2.3.4 - - ${T} "${r}" 400 1 "-" "-"`);
    expect(req('GET http://example.com/p/q?x=1 HTTP/1.1')).toMatchObject({ method: 'GET', path: '/p/q', query: 'x=1', protocol: 'HTTP/1.1' });
    expect(req('GET https://example.com HTTP/1.1')).toMatchObject({ method: 'GET', path: '/', query: '', protocol: 'HTTP/1.1' });
    expect(req('GET /')).toMatchObject({ method: 'GET', path: '/', protocol: '' });
    expect(req('GET /a b HTTP/1.1')).toMatchObject({ path: '/a b', protocol: 'HTTP/1.1' });
    expect(req('OPTIONS * HTTP/1.1')).toMatchObject({ method: 'OPTIONS', path: '*' });
    expect(req('CONNECT example.com:443 HTTP/1.1')).toMatchObject({ method: 'CONNECT', path: '', protocol: 'HTTP/1.1' });
    expect(req('PROPFIND /dav/?depth=1 HTTP/1.1')).toMatchObject({ method: 'PROPFIND', path: '/dav/', query: 'depth=1' });
  });

  it('treats -, empty and junk request lines as hits with empty request fields', () => {
    const junk = ['-', '', '\\x16\\x03\\x01\\x00\\xa5\\x01', 'get / HTTP/1.1', 'GET', '/index.html', 'G3T / HTTP/1.1', 'hello'];
    for (const j of junk) {
      const r = ok(combined, `1.2.3.4 - - ${T} "${j}" 400 0 "-" "-"`);
      expect({ m: r.method, p: r.path, q: r.query, v: r.protocol }).toEqual({ m: '', p: '', q: '', v: '' });
      expect(r.status).toBe(400);
    }
  });

  it('handles a request line of 10,000 spaces quickly', () => {
    const line = `1.2.3.4 - - ${T} "GET${' '.repeat(10_000)}/x HTTP/1.1" 200 1 "-" "-"`;
    const { buf, start, end } = fenced(line);
    const out = new LineFields();
    const t0 = performance.now();
    for (let i = 0; i < 100; i++) combined.parse(buf, start, end, out);
    const perLine = (performance.now() - t0) / 100;
    const r = ok(combined, line);
    expect(r).toMatchObject({ method: 'GET', path: '', protocol: 'HTTP/1.1' });
    // Linear work on 10 kB is microseconds; quadratic work would be ~100 ms.
    expect(perLine).toBeLessThan(5);
  });

  it('ignores extra fields after the User-Agent', () => {
    const base = `1.2.3.4 - - ${T} "GET / HTTP/1.1" 200 1 "-" "curl/8"`;
    expect(ok(combined, `${base} "-"`).userAgent).toBe('curl/8');
    expect(ok(combined, `${base} "1.2.3.4, 10.0.0.1" 0.005 [up] 10.0.0.2:80`).userAgent).toBe('curl/8');
    expect(reason(combined, `${base}x`)).toBe('trailing_garbage');
    expect(reason(combined, `${base}\t0.5`)).toBe('trailing_garbage');
  });

  it('accepts a last quoted field without its closing quote (as GoAccess does)', () => {
    const r = ok(combined, `1.2.3.4 - - ${T} "GET / HTTP/1.1" 200 1 "-" "Mozilla/5.0 (X11; Linux`);
    expect(r.userAgent).toBe('Mozilla/5.0 (X11; Linux');
    // An unterminated quote anywhere else is an error.
    expect(reason(combined, `1.2.3.4 - - ${T} "GET / HTTP/1.1 200 1`)).toBe('bad_quote');
    expect(reason(common, `1.2.3.4 - - ${T} "GET /`)).toBe('bad_quote');
  });

  it('does not end a quoted field at an unescaped quote that the format does not expect next', () => {
    // A quote is taken as closing only when what the format expects next follows it.
    const r = ok(combined, `1.2.3.4 - - ${T} "GET /"x HTTP/1.1" 200 1 "-" "a "b";c"`);
    expect(r.path).toBe('/"x');
    expect(r.userAgent).toBe('a "b";c');
    // A quote followed by garbage at the end: the line has trailing garbage, not an open quote.
    expect(reason(common, `1.2.3.4 - - ${T} "GET / HTTP/1.1"x 200 1`)).toBe('bad_quote');
    expect(reason(combined, `1.2.3.4 - - ${T} "GET / HTTP/1.1" 200 1 "-" "curl/8"x`)).toBe('trailing_garbage');
  });

  it('reports the first problem of short or broken lines', () => {
    expect(reason(combined, `1.2.3.4 - - ${T} "GET / HTTP/1.1" 200 1`)).toBe('missing_field');
    expect(reason(combined, `1.2.3.4 - - ${T} "GET / HTTP/1.1" 200`)).toBe('missing_field');
    expect(reason(combined, `1.2.3.4 - - ${T}`)).toBe('missing_field');
    expect(reason(combined, `1.2.3.4 - - ${T} GET / HTTP/1.1 200 1 "-" "-"`)).toBe('format_mismatch');
    expect(reason(combined, `1.2.3.4 - - 10/Oct/2000:13:55:36 -0700 "GET /" 200 1 "-" "-"`)).toBe('format_mismatch');
  });

  it('rejects empty, blank and too long lines first', () => {
    for (const l of ['', ' ', '\t  ', '\r']) expect(reason(combined, l)).toBe('empty');
    const pad = (n: number) => {
      const head = `1.2.3.4 - - ${T} "GET / HTTP/1.1" 200 1 "-" "`;
      return `${head}${'a'.repeat(n - head.length - 1)}"`;
    };
    expect(pad(65536)).toHaveLength(65536);
    expect(reason(combined, pad(65536))).toBeNull();
    expect(reason(combined, pad(65537))).toBe('too_long');
    expect(reason(combined, 'x'.repeat(100_000))).toBe('too_long');
  });

  it('strips a trailing \\r', () => {
    expect(ok(combined, `${COMBINED_LINE}\r`)).toEqual(ok(combined, COMBINED_LINE));
    expect(ok(common, `1.2.3.4 - - ${T} "GET / HTTP/1.1" 200 5\r`).bytes).toBe(5);
  });

  it('resets every field of the reused record', () => {
    const out = new LineFields();
    expect(parseInto(combined, COMBINED_LINE, out)).toBeNull();
    expect(parseInto(combined, '', out)).toBe('empty');
    expect(recordOf(out)).toEqual(recordOf(new LineFields()));
    expect(out.scratchUsed).toBe(0);
    expect(parseInto(combined, String.raw`1.2.3.4 - - ${T} "GET /a\"b HTTP/1.1" 200 1 "-" "-"`, out)).toBeNull();
    expect(out.scratchUsed).toBeGreaterThan(0);
    expect(parseInto(combined, `1.2.3.4 - - ${T} "-" 408 - "-" "-"`, out)).toBeNull();
    expect(out.scratchUsed).toBe(0);
    expect(recordOf(out)).toMatchObject({ user: '', request: '', method: '', path: '', query: '', protocol: '', bytes: 0, referrer: '', userAgent: '' });
  });
});

describe('common', () => {
  it('parses common lines', () => {
    expect(ok(common, `::1 - bob ${T} "GET /x?y HTTP/1.1" 404 209`)).toMatchObject({
      ip: '::1',
      user: 'bob',
      path: '/x',
      query: 'y',
      status: 404,
      bytes: 209,
      referrer: '',
      userAgent: '',
    });
  });

  it('calls a combined line trailing_garbage, and combined calls a common line missing_field', () => {
    expect(reason(common, COMBINED_LINE)).toBe('trailing_garbage');
    expect(reason(combined, `127.0.0.1 - frank ${T} "GET / HTTP/1.0" 200 2326`)).toBe('missing_field');
  });

  it('tolerates trailing blanks only', () => {
    expect(reason(common, `1.2.3.4 - - ${T} "GET / HTTP/1.1" 200 5  `)).toBeNull();
    expect(reason(common, `1.2.3.4 - - ${T} "GET / HTTP/1.1" 200 5 x`)).toBe('trailing_garbage');
  });
});

describe('vhost_combined', () => {
  const line = (v: string) => `${v} 10.0.0.1 - - ${T} "GET / HTTP/1.1" 200 1 "-" "-"`;

  it('lower-cases the vhost and drops the port, with or without one', () => {
    expect(ok(vhost, line('WWW.Example.COM:443'))).toMatchObject({ vhost: 'www.example.com', ip: '10.0.0.1' });
    expect(ok(vhost, line('www.example.com'))).toMatchObject({ vhost: 'www.example.com' });
    expect(ok(vhost, line('[2001:db8::1]:80')).vhost).toBe('[2001:db8::1]');
    expect(ok(vhost, line('-:80')).vhost).toBe('');
  });

  it('rejects a vhost that cannot be a host name', () => {
    expect(reason(vhost, line('a,b:80'))).toBe('format_mismatch');
    expect(reason(vhost, line('"x":80'))).toBe('format_mismatch');
    expect(reason(vhost, line(':80'))).toBe('format_mismatch');
  });

  it('does not take a combined line (the client becomes the vhost, then %h is -)', () => {
    expect(reason(vhost, COMBINED_LINE)).toBe('bad_ip');
    expect(reason(combined, line('www.example.com:80'))).toBe('bad_ip');
  });
});

describe('nginx_combined', () => {
  it('parses nginx default lines the same as combined', () => {
    const line = `172.17.0.1 - alice [31/Mar/2021:12:04:07 +0000] "GET /x HTTP/1.1" 200 612 "-" "curl/7.75.0" "-"`;
    expect(ok(nginx, line)).toEqual(ok(combined, line));
    expect(ok(nginx, line)).toMatchObject({ user: 'alice', time: utc(2021, 3, 31, 12, 4, 7), path: '/x' });
  });

  it('needs the literal - between address and user', () => {
    expect(reason(nginx, `1.2.3.4 ident bob ${T} "GET / HTTP/1.1" 200 1 "-" "-"`)).toBe('format_mismatch');
  });
});
