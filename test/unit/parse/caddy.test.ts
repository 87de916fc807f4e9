/** Caddy's JSON access log (preset `caddy`), read by a byte-level JSON scanner. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { createByteParser, bytesToText } from '../../../src/parse/index.js';
import { SHARED_LOGS, haveShared, ok, reason, run, utc, type Rec } from './helpers.js';

const caddy = createByteParser({ format: 'caddy' });

/** A Caddy access-log line as Caddy writes it, with `over` merged in at the top or in `request`. */
function entry(over: Record<string, unknown> = {}, request: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    level: 'info',
    ts: 1703373474.8155608,
    logger: 'http.log.access.log0',
    msg: 'handled request',
    request: {
      remote_ip: '10.0.0.7',
      remote_port: '64985',
      client_ip: '203.0.113.9',
      proto: 'HTTP/2.0',
      method: 'GET',
      host: 'Example.COM:443',
      uri: '/beta/?q=1',
      headers: { 'User-Agent': ['Mozilla/5.0 (X11)'], Referer: ['https://example.com/'], Accept: ['*/*'] },
      tls: { resumed: false, version: 772, cipher_suite: 4865, proto: 'h2', server_name: 'example.com' },
      ...request,
    },
    bytes_read: 0,
    user_id: '',
    duration: 0.001335486,
    size: 3609,
    status: 200,
    resp_headers: { Server: ['Caddy'], 'Alt-Svc': ['h3=":443"; ma=2592000'] },
    ...over,
  };
}
const line = (o: Record<string, unknown>): string => Buffer.from(JSON.stringify(o), 'utf8').toString('latin1');

describe('caddy', () => {
  it('reads Caddy’s default access log line', () => {
    expect(ok(caddy, line(entry()))).toEqual({
      ip: '203.0.113.9',
      forwardedFor: '',
      user: '',
      request: '',
      time: 1703373474,
      day: utc(2023, 12, 23) / 86400,
      date: '2023-12-23',
      hour: 23,
      method: 'GET',
      path: '/beta/',
      query: 'q=1',
      protocol: 'HTTP/2.0',
      status: 200,
      bytes: 3609,
      referrer: 'https://example.com/',
      userAgent: 'Mozilla/5.0 (X11)',
      vhost: 'example.com',
      channel: 'http',
      clientIsName: false,
      timeTakenUs: 1335,
    } satisfies Rec);
    expect(caddy.hasVhost).toBe(true);
  });

  it('takes client_ip, else remote_ip, else the address of remote_addr (Caddy < 2.5)', () => {
    expect(ok(caddy, line(entry({}, { client_ip: undefined }))).ip).toBe('10.0.0.7');
    expect(ok(caddy, line(entry({}, { client_ip: '' }))).ip).toBe('10.0.0.7');
    expect(ok(caddy, line(entry({}, { client_ip: undefined, remote_ip: undefined, remote_addr: '198.51.100.4:5678' }))).ip).toBe('198.51.100.4');
    expect(ok(caddy, line(entry({}, { client_ip: undefined, remote_ip: undefined, remote_addr: '[2001:db8::1]:443' }))).ip).toBe('2001:db8::1');
    expect(reason(caddy, line(entry({}, { client_ip: undefined, remote_ip: undefined })))).toBe('missing_field');
    expect(reason(caddy, line(entry({}, { client_ip: 'example.com' })))).toBe('bad_ip');
    expect(reason(caddy, line(entry({}, { remote_ip: '1.2.3.4,5.6.7.8' })))).toBe('bad_ip');
  });

  it('reads members in any order, skipping unknown ones of any shape', () => {
    const e = entry({ extra: { deep: [1, [2, { x: 'y' }], null, true, -1.5e-3] }, empty: {}, list: [] });
    const reversed = Object.fromEntries(Object.entries(e).reverse());
    expect(ok(caddy, line(reversed))).toEqual(ok(caddy, line(e)));
    expect(ok(caddy, line(reversed)).path).toBe('/beta/');
  });

  it('decodes JSON escapes (as UTF-8) in every text member', () => {
    const r = ok(caddy, line(entry({ user_id: 'jos\u00e9' }, { uri: '/caf\u00e9?a="b"', headers: { 'User-Agent': ['say "hi" \\ \u2603 \u{1f600}'] } })));
    expect(bytesToText(r.user)).toBe('josé');
    expect(bytesToText(r.path)).toBe('/café');
    expect(r.query).toBe('a="b"');
    expect(bytesToText(r.userAgent)).toBe('say "hi" \\ \u2603 \u{1f600}');
    // Go escapes <, > and & as \u003c…; a lone surrogate is U+FFFD.
    const raw = String.raw`{"ts":1,"status":200,"request":{"remote_ip":"1.2.3.4","uri":"/\u003cx\u003e","headers":{"User-Agent":["\ud800!"]}}}`;
    expect(ok(caddy, raw)).toMatchObject({ path: '/<x>' });
    expect(bytesToText(ok(caddy, raw).userAgent)).toBe('\ufffd!');
  });

  it('takes the first User-Agent and Referer, and joins X-Forwarded-For lines', () => {
    const r = ok(caddy, line(entry({}, { headers: { 'user-agent': ['a', 'b'], REFERER: ['r1', 'r2'], 'X-Forwarded-For': ['1.1.1.1, 2.2.2.2', '3.3.3.3'] } })));
    expect(r).toMatchObject({ userAgent: 'a', referrer: 'r1', forwardedFor: '1.1.1.1, 2.2.2.2, 3.3.3.3' });
  });

  it('reads ts as epoch seconds, milliseconds, microseconds or nanoseconds, or an ISO 8601 string', () => {
    const t = 1703373474;
    for (const ts of [t + 0.25, t * 1e3 + 250, t * 1e6, t * 1e9]) expect(ok(caddy, line(entry({ ts }))).time, String(ts)).toBe(t);
    expect(ok(caddy, line(entry({ ts: '2023-12-23T23:17:54.815Z' })))).toMatchObject({ time: t, hour: 23 });
    expect(ok(caddy, line(entry({ ts: '2023-12-24T00:17:54+01:00' })))).toMatchObject({ time: t, hour: 0, date: '2023-12-24' });
    for (const ts of ['yesterday', -5, true]) expect(reason(caddy, line(entry({ ts }))), String(ts)).toBe('bad_time');
    expect(reason(caddy, line(entry({ ts: undefined })))).toBe('missing_field');
  });

  it('reads duration as seconds or a Go duration string; status 0 as unknown', () => {
    expect(ok(caddy, line(entry({ duration: 2 }))).timeTakenUs).toBe(2_000_000);
    expect(ok(caddy, line(entry({ duration: 1e-7 }))).timeTakenUs).toBe(0);
    expect(ok(caddy, line(entry({ duration: '1.5ms' }))).timeTakenUs).toBe(1500);
    expect(ok(caddy, line(entry({ duration: '1m2.5s' }))).timeTakenUs).toBe(62_500_000);
    expect(ok(caddy, line(entry({ duration: '750µs' }))).timeTakenUs).toBe(750);
    expect(ok(caddy, line(entry({ duration: undefined }))).timeTakenUs).toBe(-1);
    expect(reason(caddy, line(entry({ duration: 'soon' })))).toBe('bad_duration');
    expect(reason(caddy, line(entry({ duration: -1 })))).toBe('bad_duration');
    expect(ok(caddy, line(entry({ status: 0 }))).status).toBe(0);
    expect(reason(caddy, line(entry({ status: 700 })))).toBe('bad_status');
    expect(reason(caddy, line(entry({ status: '200' })))).toBe('bad_status');
    expect(reason(caddy, line(entry({ status: undefined })))).toBe('missing_field');
    expect(reason(caddy, line(entry({ size: 1.5 })))).toBe('bad_bytes');
  });

  it('rejects what is not one JSON object, with a reason, never throwing', () => {
    const good = line(entry());
    expect(reason(caddy, '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 5')).toBe('format_mismatch');
    expect(reason(caddy, '[1,2]')).toBe('format_mismatch');
    expect(reason(caddy, good.slice(0, -1))).toBe('format_mismatch');
    expect(reason(caddy, good.slice(0, 80))).toBe('format_mismatch');
    expect(reason(caddy, `${good} {}`)).toBe('trailing_garbage');
    expect(reason(caddy, `${good}  `)).toBeNull();
    expect(reason(caddy, good.replace('"status":200', '"status":200,'))).toBe('format_mismatch');
    expect(reason(caddy, good.replace('"level":"info"', '"level":"in\\xfo"'))).toBe('format_mismatch');
    expect(reason(caddy, good.replace('"level":"info"', `"level":${'['.repeat(100)}${']'.repeat(100)}`))).toBe('format_mismatch');
    expect(reason(caddy, '{"level":"info","msg":"shutting down"}')).toBe('missing_field');
    expect(reason(caddy, '')).toBe('empty');
    expect(run(caddy, '{')).toBe('format_mismatch');
  });

  it('reads back generated lines: any member order, any extra members, any text', () => {
    const text = fc.string({ unit: 'binary', maxLength: 30 });
    const arb = fc.record({
      ts: fc.integer({ min: 0, max: 4_102_444_800 }),
      frac: fc.integer({ min: 0, max: 999 }),
      ip: fc.oneof(fc.ipV4(), fc.ipV6()),
      method: fc.constantFrom('GET', 'POST', 'PROPFIND'),
      host: fc.domain(),
      path: fc.webPath().map((p) => (p.startsWith('/') ? p : `/${p}`)),
      ua: text,
      ref: text,
      user: text,
      status: fc.integer({ min: 100, max: 599 }),
      size: fc.integer({ min: 0, max: 1e12 }),
      micros: fc.integer({ min: 0, max: 1e9 }),
      extra: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 4 }), { maxKeys: 4 }),
      seed: fc.integer(),
    });
    fc.assert(
      fc.property(arb, (a) => {
        const o: Record<string, unknown> = {
          ...a.extra,
          ts: a.ts + a.frac / 1000,
          request: { client_ip: a.ip, method: a.method, host: a.host, uri: a.path, headers: { 'User-Agent': [a.ua], Referer: [a.ref] } },
          user_id: a.user,
          status: a.status,
          size: a.size,
          duration: a.micros / 1e6,
        };
        // Shuffle the members.
        const keys = Object.keys(o).sort((x, y) => ((x.length * 31 + a.seed) % 7) - ((y.length * 31 + a.seed) % 7));
        const shuffled = Object.fromEntries(keys.map((k) => [k, o[k]]));
        const r = ok(caddy, line(shuffled));
        const utf8 = (s: string) => Buffer.from(s, 'utf8').toString('latin1');
        const q = a.path.indexOf('?');
        expect(r).toMatchObject({
          ip: a.ip,
          time: a.ts,
          method: a.method,
          vhost: a.host.toLowerCase(),
          path: q === -1 ? a.path : a.path.slice(0, q),
          userAgent: utf8(a.ua),
          referrer: utf8(a.ref),
          user: utf8(a.user),
          status: a.status,
          bytes: a.size,
          timeTakenUs: a.micros,
        });
      }),
      { numRuns: 500 },
    );
  });
});

const SAMPLE = join(SHARED_LOGS, 'formats-gpl3', 'caddy_json.log');

describe.skipIf(!haveShared(SAMPLE))("Matomo's caddy_json.log sample (../shared)", () => {
  it('reads every line as Matomo does', () => {
    const lines = readFileSync(SAMPLE, 'latin1').split('\n').filter((l) => l !== '');
    const recs = lines.map((l) => ok(caddy, l));
    expect(recs[0]).toMatchObject({ ip: '1.2.3.4', vhost: 'example.com', method: 'GET', path: '/beta/', protocol: 'HTTP/2.0', status: 200, bytes: 3609, time: 1703373474, timeTakenUs: 1335, referrer: '' });
    expect(recs[1]).toMatchObject({ path: '/beta/assets/index-mMaLXldj.css', referrer: 'https://example.com/beta/', bytes: 34534 });
    for (const r of recs) expect(r.userAgent).toMatch(/^Mozilla\/5\.0/);
  });
});
