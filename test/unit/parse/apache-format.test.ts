import { describe, it, expect } from 'vitest';
import { isAppError } from '../../../src/core/errors.js';
import { compileApacheFormat } from '../../../src/parse/index.js';
import { ok, reason, utc } from './helpers.js';

const REQ = '"GET /p?q=1 HTTP/1.1"';

function compileError(fmt: string): { code: string; message: string } {
  try {
    compileApacheFormat(fmt);
  } catch (e) {
    if (isAppError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error(`compiled: ${fmt}`);
}

describe('compileApacheFormat', () => {
  it('reads vhost_common (%v without port), as in Matomo common_vhost.log', () => {
    const p = compileApacheFormat('%v %h %l %u %t "%r" %>s %b');
    expect(p.hasVhost).toBe(true);
    expect(ok(p, 'www.example.com 1.2.3.4 - theuser [10/Feb/2012:16:42:07 -0500] "GET / HTTP/1.0" 301 368')).toMatchObject({
      vhost: 'www.example.com',
      ip: '1.2.3.4',
      user: 'theuser',
      time: utc(2012, 2, 10, 21, 42, 7),
      date: '2012-02-10',
      hour: 16,
      status: 301,
      bytes: 368,
    });
  });

  it('reads X-Forwarded-For from %{X-Forwarded-For}i', () => {
    const p = compileApacheFormat('%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" "%{X-Forwarded-For}i"');
    expect(p.hasVhost).toBe(false);
    expect(ok(p, `10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] ${REQ} 200 5 "-" "ua" "203.0.113.9, 10.0.0.7"`)).toMatchObject({
      ip: '10.0.0.1',
      forwardedFor: '203.0.113.9, 10.0.0.7',
      userAgent: 'ua',
    });
    expect(ok(p, `10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] ${REQ} 200 5 "-" "ua" "-"`).forwardedFor).toBe('');
  });

  it('accepts %{format}t: the CLF layout without brackets, ISO 8601, and split parts', () => {
    const clf = compileApacheFormat('%h %{%d/%b/%Y:%H:%M:%S %z}t "%r" %>s %b');
    expect(ok(clf, `1.2.3.4 10/Oct/2000:13:55:36 -0700 ${REQ} 200 5`)).toMatchObject({ time: utc(2000, 10, 10, 20, 55, 36), hour: 13 });
    const bracketed = compileApacheFormat('%h [%{%d/%b/%Y:%H:%M:%S %z}t] "%r" %>s %b');
    expect(ok(bracketed, `1.2.3.4 [10/Oct/2000:13:55:36 -0700] ${REQ} 200 5`).time).toBe(utc(2000, 10, 10, 20, 55, 36));

    const iso = compileApacheFormat('%{%Y-%m-%dT%H:%M:%S%z}t %a "%r" %>s %B %D');
    expect(ok(iso, `2021-06-01T23:10:05+0200 2001:db8::7 ${REQ} 204 0 1234`)).toMatchObject({
      ip: '2001:db8::7',
      time: utc(2021, 6, 1, 21, 10, 5),
      date: '2021-06-01',
      hour: 23,
      status: 204,
      bytes: 0,
    });

    // Apache's documented example of a time with milliseconds.
    const split = compileApacheFormat('%h [%{%d/%b/%Y %T}t.%{msec_frac}t %{%z}t] "%r" %>s %b');
    expect(ok(split, `1.2.3.4 [10/Oct/2000 13:55:36.123 +0530] ${REQ} 200 5`)).toMatchObject({
      time: utc(2000, 10, 10, 8, 25, 36),
      date: '2000-10-10',
      hour: 13,
    });
    expect(reason(split, `1.2.3.4 [31/Feb/2000 13:55:36.123 +0530] ${REQ} 200 5`)).toBe('bad_time');

    const words = compileApacheFormat('%h [%{%a %B %e %H:%M:%S %Y}t] "%r" %>s %b');
    expect(ok(words, `1.2.3.4 [Mon October  2 07:08:09 2023] ${REQ} 200 5`)).toMatchObject({ time: utc(2023, 10, 2, 7, 8, 9), date: '2023-10-02', hour: 7 });
  });

  it('accepts epoch times %{sec}t and %{msec}t (date and hour in UTC)', () => {
    const sec = compileApacheFormat('%{sec}t %h "%r" %>s %b');
    expect(ok(sec, `971186136 1.2.3.4 ${REQ} 200 5`)).toMatchObject({ time: 971186136, date: '2000-10-10', hour: 13 });
    const ms = compileApacheFormat('%{msec}t %h "%r" %>s %b');
    expect(ok(ms, `971186136999 1.2.3.4 ${REQ} 200 5`).time).toBe(971186136);
    expect(reason(ms, `97118x 1.2.3.4 ${REQ} 200 5`)).toBe('bad_time');
    // Check the epoch against an independent conversion.
    expect(new Date(971186136 * 1000).toISOString()).toBe('2000-10-10T13:55:36.000Z');
  });

  it('reads %m %U %q %H instead of %r', () => {
    const p = compileApacheFormat('%h %t "%m %U%q %H" %>s %b');
    expect(ok(p, `1.2.3.4 [10/Oct/2000:13:55:36 +0000] "POST /form?x=1 HTTP/1.1" 201 7`)).toMatchObject({
      method: 'POST',
      path: '/form',
      query: 'x=1',
      protocol: 'HTTP/1.1',
      status: 201,
    });
    expect(ok(p, `1.2.3.4 [10/Oct/2000:13:55:36 +0000] "GET /form HTTP/1.1" 200 7`).query).toBe('');
  });

  it('picks one field per value: %a over %{c}a, %>s over %<s, %b over %O, %r over %U', () => {
    const p = compileApacheFormat('%{c}a %a %t "%r" %<s %>s %O %b %U');
    expect(ok(p, '10.0.0.1 203.0.113.5 [10/Oct/2000:13:55:36 +0000] "GET /raw%20x HTTP/1.1" 302 200 999 5 /raw x')).toMatchObject({
      ip: '203.0.113.5',
      status: 200,
      bytes: 5,
      path: '/raw%20x',
    });
  });

  it('tolerates status conditions, modifiers and ignored directives', () => {
    const p = compileApacheFormat('%h %l %u %t "%r" %>s %b "%400,501{User-agent}i" %{Cookie}C %{X}e %{X}n %{X}o %D %T %{ms}T %I %O %S %k %L %P %{tid}P %p %{remote}p %A %f %R %X %{X}^ti %%');
    const line = '1.2.3.4 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 5 "-" a=b - - - 1234 0 1 300 400 700 0 - 999 140 443 51234 10.0.0.1 /var/www/index.html - + - %';
    expect(ok(p, line)).toMatchObject({ userAgent: '', bytes: 5, status: 200 });
  });

  it('reads a LogFormat pasted with the config file escapes', () => {
    const p = compileApacheFormat('%h %l %u %t \\"%r\\" %>s %b');
    expect(ok(p, '1.2.3.4 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 5').path).toBe('/');
  });

  it('treats %% as a literal percent sign', () => {
    const p = compileApacheFormat('%h %% %t "%r" %>s %b');
    expect(ok(p, '1.2.3.4 % [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 5').ip).toBe('1.2.3.4');
    expect(reason(p, '1.2.3.4 x [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 5')).toBe('format_mismatch');
  });

  it('rejects unknown directives, naming them', () => {
    const e = compileError('%h %l %u %t "%r" %>s %Z');
    expect(e.code).toBe('ERR_PARSE_BAD_TEMPLATE');
    expect(e.message).toContain('%Z');
    expect(compileError('%h %{Foo}j %t').message).toContain('%{Foo}j');
  });

  it('rejects templates it cannot read', () => {
    expect(compileError('%h %l %u').message).toContain('time');
    expect(compileError('%h%u %t').message).toContain('%h and %u');
    expect(compileError('%h %{Referer %t').code).toBe('ERR_PARSE_BAD_TEMPLATE');
    expect(compileError('%h %t %').code).toBe('ERR_PARSE_BAD_TEMPLATE');
    expect(compileError('%h %{%Q}t').message).toContain('%Q');
    expect(compileError('%h %{%H:%M}t').message).toContain('full date');
    expect(compileError('%h %i %t').code).toBe('ERR_PARSE_BAD_TEMPLATE');
    expect(compileError('plain text').code).toBe('ERR_PARSE_BAD_TEMPLATE');
  });

  it('is strict about trailing fields (unlike the combined-style presets)', () => {
    const p = compileApacheFormat('%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"');
    expect(reason(p, '1.2.3.4 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 5 "-" "ua" "extra"')).toBe('trailing_garbage');
  });

  it('reads the time taken from %D (µs), %T (s) and %{UNIT}T; the finest unit wins', () => {
    const line = (v: string) => `1.2.3.4 [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 5 ${v}`;
    expect(ok(compileApacheFormat('%h %t "%r" %>s %b %D'), line('1234')).timeTakenUs).toBe(1234);
    expect(ok(compileApacheFormat('%h %t "%r" %>s %b %T'), line('3')).timeTakenUs).toBe(3_000_000);
    expect(ok(compileApacheFormat('%h %t "%r" %>s %b %{s}T'), line('2')).timeTakenUs).toBe(2_000_000);
    expect(ok(compileApacheFormat('%h %t "%r" %>s %b %{ms}T'), line('250')).timeTakenUs).toBe(250_000);
    expect(ok(compileApacheFormat('%h %t "%r" %>s %b %{us}T'), line('17')).timeTakenUs).toBe(17);
    // %T first, %D after it: %D is finer and wins.
    expect(ok(compileApacheFormat('%h %t "%r" %>s %b %T %D'), line('1 1234567')).timeTakenUs).toBe(1_234_567);
    // '-' is "not logged"; a format without any of them has none either.
    expect(ok(compileApacheFormat('%h %t "%r" %>s %b %D'), line('-')).timeTakenUs).toBe(-1);
    expect(ok(compileApacheFormat('%h %t "%r" %>s %b'), line('').trimEnd()).timeTakenUs).toBe(-1);
    for (const bad of ['12a', '-5', '1e3', '.5', '1.']) {
      expect(reason(compileApacheFormat('%h %t "%r" %>s %b %D'), line(bad)), bad).toBe('bad_duration');
    }
    expect(compileError('%h %t %{minutes}T').message).toContain('%{minutes}T');
  });

  it('decodes escapes in %u', () => {
    const p = compileApacheFormat('%h %l %u %t "%r" %>s %b');
    expect(ok(p, '1.2.3.4 - j\\x41ne [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 5').user).toBe('jAne');
  });
});
