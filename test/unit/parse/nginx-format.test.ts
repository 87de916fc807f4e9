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

  it('accepts ${var}, ignores unknown variables and keeps a lone $', () => {
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

  it('rejects a format without a time field', () => {
    try {
      compileNginxFormat('$remote_addr "$request"');
      expect.unreachable();
    } catch (e) {
      expect(isAppError(e) && e.code).toBe('ERR_PARSE_BAD_TEMPLATE');
    }
  });
});
