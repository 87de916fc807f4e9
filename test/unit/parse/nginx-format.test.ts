import { describe, it, expect } from 'vitest';
import { isAppError } from '../../../src/core/errors.js';
import { bytesToText, compileNginxFormat } from '../../../src/parse/index.js';
import { ok, reason, utc } from './helpers.js';

describe('compileNginxFormat', () => {
  it('reads $time_iso8601 with -07:00, +00:00 and Z', () => {
    const p = compileNginxFormat('$remote_addr [$time_iso8601] "$request" $status $body_bytes_sent');
    const at = (t: string) => ok(p, `1.2.3.4 [${t}] "GET / HTTP/1.1" 200 5`);
    expect(at('2000-10-10T13:55:36-07:00')).toMatchObject({ time: utc(2000, 10, 10, 20, 55, 36), date: '2000-10-10', hour: 13 });
    expect(at('2000-10-10T13:55:36+00:00')).toMatchObject({ time: utc(2000, 10, 10, 13, 55, 36), date: '2000-10-10' });
    expect(at('2000-10-10T13:55:36Z').time).toBe(utc(2000, 10, 10, 13, 55, 36));
    expect(at('2024-02-29T00:30:00+05:30')).toMatchObject({ time: utc(2024, 2, 28, 19), date: '2024-02-29', hour: 0 });
    expect(at('2000-10-10T13:55:36.250+01:00').time).toBe(utc(2000, 10, 10, 12, 55, 36));
    expect(reason(p, '1.2.3.4 [2023-02-29T00:00:00+00:00] "GET / HTTP/1.1" 200 5')).toBe('bad_time');
    expect(reason(p, '1.2.3.4 [2000-10-10 13:55:36+00:00] "GET / HTTP/1.1" 200 5')).toBe('bad_time');
  });

  it('reads $msec', () => {
    const p = compileNginxFormat('$msec $remote_addr "$request" $status $bytes_sent');
    const r = ok(p, '1600000000.123 10.1.1.1 "GET / HTTP/1.1" 200 99');
    const iso = new Date(1600000000 * 1000).toISOString();
    expect(r).toMatchObject({ time: 1600000000, date: iso.slice(0, 10), hour: Number(iso.slice(11, 13)), bytes: 99 });
  });

  it('reads method, URI and protocol variables, and $uri$is_args$args', () => {
    const p = compileNginxFormat('$remote_addr [$time_local] "$request_method $request_uri $server_protocol" $status $body_bytes_sent');
    expect(ok(p, '1.2.3.4 [10/Oct/2000:13:55:36 +0000] "GET /a/b?x=1&y HTTP/2.0" 200 5')).toMatchObject({
      method: 'GET',
      path: '/a/b',
      query: 'x=1&y',
      protocol: 'HTTP/2.0',
    });
    const q = compileNginxFormat('$remote_addr [$time_local] "$request_method $uri$is_args$args" $status $body_bytes_sent');
    expect(ok(q, '1.2.3.4 [10/Oct/2000:13:55:36 +0000] "GET /s?q=x" 200 5')).toMatchObject({ path: '/s', query: 'q=x' });
    expect(ok(q, '1.2.3.4 [10/Oct/2000:13:55:36 +0000] "GET /s" 200 5')).toMatchObject({ path: '/s', query: '' });
    const sep = compileNginxFormat('$remote_addr [$time_local] $uri $args $status $body_bytes_sent');
    expect(ok(sep, '1.2.3.4 [10/Oct/2000:13:55:36 +0000] /s - 200 5')).toMatchObject({ path: '/s', query: '' });
  });

  it('reads the vhost from $host or $server_name, with or without a port', () => {
    const host = compileNginxFormat('$host:$server_port $remote_addr [$time_local] "$request" $status $body_bytes_sent');
    expect(host.hasVhost).toBe(true);
    expect(ok(host, 'Shop.Example.org:8443 1.2.3.4 [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 5').vhost).toBe('shop.example.org');
    expect(ok(host, 'shop.example.org 1.2.3.4 [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 5').vhost).toBe('shop.example.org');
    const both = compileNginxFormat('$server_name $host $remote_addr [$time_local] "$request" $status $body_bytes_sent');
    expect(ok(both, '_ www.a.example 1.2.3.4 [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 5').vhost).toBe('www.a.example');
    expect(compileNginxFormat('$remote_addr [$time_local] "$request"').hasVhost).toBe(false);
  });

  it('accepts ${var}, reads past the variables it does not use and keeps a lone $', () => {
    const p = compileNginxFormat('${remote_addr} $$ [$time_local] "$request" $status ${body_bytes_sent} "$http_cookie" $upstream_addr $pipe');
    expect(ok(p, '1.2.3.4 $$ [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 5 "a=b; c=d" 10.0.0.1:80, 10.0.0.2:80 p')).toMatchObject({
      ip: '1.2.3.4',
      bytes: 5,
    });
  });

  it('prefers $remote_addr over $realip_remote_addr', () => {
    const p = compileNginxFormat('$realip_remote_addr $remote_addr [$time_local] "$request" $status $body_bytes_sent');
    expect(ok(p, '10.0.0.1 198.51.100.4 [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 5').ip).toBe('198.51.100.4');
  });

  it('decodes escape=json escapes', () => {
    const p = compileNginxFormat('{"ip":"$remote_addr","t":"$time_iso8601","r":"$request","s":$status,"b":$body_bytes_sent,"ua":"$http_user_agent"}');
    const r = ok(p, String.raw`{"ip":"1.2.3.4","t":"2020-01-01T00:00:00+00:00","r":"GET /\u00e9 HTTP/1.1","s":200,"b":3,"ua":"say \"hi\" \u2603 \ud83d\ude00"}`);
    expect(r.path).toBe('/\xe9');
    expect(bytesToText(r.userAgent)).toBe('say "hi" \u2603 \u{1f600}');
  });

  it('rejects an unknown variable at compile time, naming it', () => {
    for (const v of ['$remote_adr', '$requst_time', '${statuss}', '$http_', '$foo']) {
      try {
        compileNginxFormat(`$remote_addr [$time_local] "$request" $status ${v}`);
        expect.unreachable(v);
      } catch (e) {
        expect(isAppError(e) && e.code, v).toBe('ERR_PARSE_BAD_TEMPLATE');
        expect((e as Error).message).toContain(v);
      }
    }
    // Documented variables and the families are read past.
    for (const v of ['$request_length', '$upstream_response_time', '$ssl_protocol', '$http_x_request_id', '$sent_http_content_type', '$cookie_session', '$arg_page', '$gzip_ratio', '$request_id', '$pipe']) {
      expect(() => compileNginxFormat(`$remote_addr [$time_local] "$request" $status "${v}"`), v).not.toThrow();
    }
  });

  it('reads $request_time (seconds with a millisecond fraction) as the time taken', () => {
    const p = compileNginxFormat('$remote_addr [$time_local] "$request" $status $body_bytes_sent $request_time');
    const line = (v: string) => `1.2.3.4 [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 5 ${v}`;
    expect(ok(p, line('0.123')).timeTakenUs).toBe(123_000);
    expect(ok(p, line('12.000')).timeTakenUs).toBe(12_000_000);
    expect(ok(p, line('-')).timeTakenUs).toBe(-1);
    expect(reason(p, line('0,123'))).toBe('bad_duration');
  });

  it('takes the escape=json prefix: JSON escapes, \\u as UTF-8', () => {
    const fmt = `escape=json '{"time":"$time_iso8601","ip":"$remote_addr","request":"$request","status":$status,'
      '"bytes":$body_bytes_sent,"ua":"$http_user_agent","rt":$request_time}'`;
    const p = compileNginxFormat(fmt);
    expect(p.format).toBe(`nginx:${fmt}`);
    const r = ok(p, String.raw`{"time":"2024-05-01T10:00:00+02:00","ip":"2001:db8::5","request":"GET /caf\u00e9?q=\"x\" HTTP/2.0","status":200,"bytes":512,"ua":"a\\b\u0001\ud83d\ude00","rt":0.004}`);
    expect(r).toMatchObject({ ip: '2001:db8::5', time: utc(2024, 5, 1, 8), date: '2024-05-01', hour: 10, method: 'GET', query: 'q="x"', protocol: 'HTTP/2.0', status: 200, bytes: 512, timeTakenUs: 4000 });
    // JSON's \u00e9 is the character é, written as UTF-8 (not the latin1 byte as without the prefix).
    expect(bytesToText(r.path)).toBe('/café');
    expect(bytesToText(r.userAgent)).toBe('a\\b\\x01\u{1f600}');
    // \x is not a JSON escape: it stays as written.
    expect(ok(p, String.raw`{"time":"2024-05-01T10:00:00Z","ip":"1.2.3.4","request":"GET /\x41 HTTP/1.1","status":200,"bytes":1,"ua":"-","rt":0.1}`).path).toBe('/\\x41');
  });

  it('takes escape=none (values as written: a backslash is a byte) and escape=default', () => {
    const none = compileNginxFormat(`escape=none '$remote_addr [$time_local] "$request" $status "$http_user_agent"'`);
    const r = ok(none, String.raw`1.2.3.4 [10/Oct/2000:13:55:36 +0000] "GET /a\x41 HTTP/1.1" 200 "C:\dir\"`);
    expect(r.path).toBe('/a\\x41');
    expect(r.userAgent).toBe('C:\\dir\\');
    const dflt = compileNginxFormat(`escape=default $remote_addr [$time_local] "$request" $status`);
    expect(ok(dflt, String.raw`1.2.3.4 [10/Oct/2000:13:55:36 +0000] "GET /a\x41 HTTP/1.1" 200`).path).toBe('/aA');
    try {
      compileNginxFormat(`escape=xml $remote_addr [$time_local]`);
      expect.unreachable();
    } catch (e) {
      expect(isAppError(e) && e.code).toBe('ERR_PARSE_BAD_TEMPLATE');
      expect((e as Error).message).toContain('escape=xml');
    }
  });

  it("reads an nginx JSON log written with escape=json (Matomo's nginx_json sample layout)", () => {
    const p = compileNginxFormat(
      `escape=json '{"idsite":1,"ip": "$remote_addr","host": "$host","path": "$request_uri","status": "$status","referrer": "$http_referer",'` +
        ` '"user_agent": "$http_user_agent","length": $bytes_sent,"generation_time_milli": $request_time,"date": "$time_iso8601"}'`,
    );
    const line =
      '{"idsite":1,"ip": "1.2.3.4","host": "www.piwik.org","path": "/piwik.php?action_name=X&idsite=1","status": "200","referrer": "http://clearcode.cc/",' +
      '"user_agent": "Mozilla/5.0 (Windows NT 6.1; WOW64)","length": 192,"generation_time_milli": 0.008,"date": "2013-10-10T16:52:00+02:00"}';
    expect(ok(p, line)).toMatchObject({
      ip: '1.2.3.4',
      vhost: 'www.piwik.org',
      path: '/piwik.php',
      query: 'action_name=X&idsite=1',
      status: 200,
      referrer: 'http://clearcode.cc/',
      bytes: 192,
      timeTakenUs: 8000,
      time: utc(2013, 10, 10, 14, 52),
    });
  });

  it('rejects a format without a time field', () => {
    try {
      compileNginxFormat('$remote_addr "$request"');
      expect.unreachable();
    } catch (e) {
      expect(isAppError(e) && e.code).toBe('ERR_PARSE_BAD_TEMPLATE');
    }
  });
});
