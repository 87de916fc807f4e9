/**
 * The string API (createParser, createClientResolver, detectLineParser) that the current engine
 * uses, on top of the byte parsers: the same answers as the bytes, mapped to ParsedLine.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { emptyParsedLine, type RawIp } from '../../../src/core/record.js';
import { PRESETS, createByteParser, createClientResolver, createParser, detectLineParser } from '../../../src/parse/index.js';
import { fixtureLines, run } from './helpers.js';

const lines = [
  ...fixtureLines('tricky/tricky_lines.log'),
  ...fixtureLines('edge-cases/apache_access_test.log'),
  ...fixtureLines('edge-cases/nginx_access_test-with-host.log'),
  ...fixtureLines('hostnames/hostname_lookups.log'),
  String.raw`1.2.3.4 - j\x41ne [10/Oct/2000:13:55:36 -0700] "GET /a\"b?c=\xC3\xA9 HTTP/1.1" 200 1 "-" "say \"hi\""`,
  'WWW.Example.COM:443 10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 1 "-" "-"',
  'Mon Oct 12 13:55:36 2020 1 192.0.2.1 1234 /path/with spaces/file.txt b _ o r alice ftp 0 * c',
  '{"ts":1703373474.8,"request":{"client_ip":"1.2.3.4","method":"GET","host":"a.example","uri":"/x?y","headers":{"User-Agent":["caf\\u00e9"]}},"status":200,"size":1}',
];

describe('createParser (string API over bytes)', () => {
  it('gives every preset the byte parser’s answer as a ParsedLine', () => {
    for (const format of PRESETS) {
      const str = createParser({ format });
      const bytes = createByteParser({ format });
      expect(str.format).toBe(format);
      expect(str.hasVhost).toBe(bytes.hasVhost);
      for (const l of lines) {
        const out = emptyParsedLine();
        const reason = str.parse(l, out);
        const rec = run(bytes, l);
        if (typeof rec === 'string') {
          expect(reason, `${format}: ${l}`).toBe(rec);
          expect(out).toEqual(emptyParsedLine());
          continue;
        }
        expect(reason, `${format}: ${l}`).toBeNull();
        expect(out).toEqual({
          ip: rec.ip,
          forwardedFor: rec.forwardedFor,
          user: rec.user,
          time: rec.time,
          date: rec.date,
          hour: rec.hour,
          method: rec.method,
          path: rec.path,
          query: rec.query,
          protocol: rec.protocol,
          status: rec.status,
          bytes: rec.bytes,
          referrer: rec.referrer,
          userAgent: rec.userAgent,
          vhost: rec.vhost,
          channel: rec.channel,
        });
      }
    }
  });

  it('decodes rewritten values (escapes, lower-cased vhosts, xferlog commands) and slices the rest', () => {
    const out = emptyParsedLine();
    expect(createParser({ format: 'combined' }).parse(lines[lines.length - 4]!, out)).toBeNull();
    expect(out).toMatchObject({ user: 'jAne', path: '/a"b', query: 'c=\xc3\xa9', userAgent: 'say "hi"' });
    expect(createParser({ format: 'vhost_combined' }).parse(lines[lines.length - 3]!, out)).toBeNull();
    expect(out.vhost).toBe('www.example.com');
    expect(createParser({ format: 'xferlog' }).parse(lines[lines.length - 2]!, out)).toBeNull();
    expect(out).toMatchObject({ method: 'RETR', channel: 'ftp', path: '/path/with spaces/file.txt' });
    expect(createParser({ format: 'caddy' }).parse(lines[lines.length - 1]!, out)).toBeNull();
    expect(out).toMatchObject({ userAgent: 'caf\xc3\xa9', vhost: 'a.example', query: 'y', date: '2023-12-23' });
  });

  it('says too_long for any long line, and never throws on any string (also chars above U+00FF)', () => {
    const p = createParser({ format: 'combined' });
    expect(p.parse('x'.repeat(1_000_000), emptyParsedLine())).toBe('too_long');
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => {
        const out = emptyParsedLine();
        const r = p.parse(s, out);
        return r === null || typeof r === 'string';
      }),
      { numRuns: 1000 },
    );
  });

  it('resolves trusted proxies on a ParsedLine', () => {
    const l = emptyParsedLine();
    l.ip = '10.0.0.1' as RawIp;
    l.forwardedFor = '198.51.100.1, 203.0.113.7, 10.1.2.3' as RawIp;
    createClientResolver(['10.0.0.0/8']).resolve(l);
    expect(l.ip).toBe('203.0.113.7');
    l.ip = '192.0.2.1' as RawIp;
    createClientResolver(['10.0.0.0/8']).resolve(l);
    expect(l.ip).toBe('192.0.2.1');
    l.ip = '' as RawIp;
    createClientResolver(['0.0.0.0/0']).resolve(l);
    expect(l.ip).toBe('');
  });

  it('detects from head bytes and hands back a string parser', () => {
    const d = detectLineParser(Buffer.from(`${lines[0]}\n${lines[0]}\n`, 'latin1'));
    expect(d).toMatchObject({ name: 'combined', parsed: 2, sampled: 2 });
    const out = emptyParsedLine();
    expect(d.parser.parse(lines[0]!, out)).toBeNull();
    expect(out.ip).toBe('172.17.0.1');
  });
});
