/**
 * Every line of fixtures/logs/tricky and fixtures/logs/edge-cases, with the expected result per
 * line written by hand (see fixtures/logs/LICENSES.md for where the lines come from).
 */
import { describe, it, expect } from 'vitest';
import { F_IP, type ByteLineParser, type RejectReason } from '../../../src/core/record.js';
import { compileApacheFormat, compileNginxFormat, createByteClientResolver, createByteParser, fieldText } from '../../../src/parse/index.js';
import { fixtureLines, parsedFields, run, utc, type Fields } from './helpers.js';

type Expect = RejectReason | Fields;

/** Checks each line: a reason, or the listed fields of a parsed record. */
function expectLines(parser: ByteLineParser, lines: readonly string[], expected: readonly Expect[]): void {
  expect(lines).toHaveLength(expected.length);
  lines.forEach((line, i) => {
    const want = expected[i]!;
    const got = run(parser, line);
    if (typeof want === 'string') {
      expect(got, `line ${i + 1}`).toBe(want);
    } else {
      expect(typeof got, `line ${i + 1} should parse, got ${String(got)}`).toBe('object');
      expect(got, `line ${i + 1}`).toMatchObject(want);
    }
  });
}

const combined = createByteParser({ format: 'combined' });
const common = createByteParser({ format: 'common' });
const vhostCombined = createByteParser({ format: 'vhost_combined' });
const nginxCombined = createByteParser({ format: 'nginx_combined' });

const UA_CHROME72 = 'Mozilla/5.0 (Windows NT 6.1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/72.0.3626.119 Safari/537.36';
const UA_CHROME111 = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/111.0.0.0 Safari/537.36';
const UA_IPAD = 'Mozilla/5.0 (iPad; CPU OS 9_3_1 like Mac OS X) AppleWebKit/601.1.46 (KHTML, like Gecko) Version/9.0 Mobile/13E238 Safari/601.1';
const EMPTY_REQUEST = { method: '', path: '', query: '', protocol: '' };

describe('tricky_lines.log', () => {
  const lines = fixtureLines('tricky/tricky_lines.log');

  // The same expectations hold for combined and nginx_combined: the lines are nginx's default
  // format, which is Apache's combined with '-' as ident.
  const expected: Expect[] = [
    // 1: trailing "-" (gzip ratio) ignored
    { ip: '172.17.0.1', user: '', time: utc(2021, 3, 31, 12, 4, 7), date: '2021-03-31', hour: 12, method: 'GET', path: '/', protocol: 'HTTP/1.1', status: 200, bytes: 612, referrer: '', userAgent: 'curl/7.75.0' },
    // 2: "" request, referer and UA
    { ip: '0.0.0.0', time: utc(2022, 10, 4, 4, 34, 49), ...EMPTY_REQUEST, status: 400, bytes: 0, referrer: '', userAgent: '' },
    // 3: TLS/binary junk as the request line (nginx \xXX): still a hit, request fields empty
    { ip: '0.0.0.0', time: utc(2022, 10, 4, 3, 7, 27), ...EMPTY_REQUEST, status: 400, bytes: 150, referrer: '', userAgent: '' },
    // 4: the same with an empty referer
    { ip: '0.0.0.0', ...EMPTY_REQUEST, status: 400, bytes: 150, referrer: '', userAgent: '' },
    // 5: authenticated user + trailing field
    { ip: '172.17.0.1', user: 'alice', time: utc(2021, 4, 1, 12, 2, 31), method: 'POST', path: '/not-found', query: '', status: 404, bytes: 153, referrer: 'http://localhost/somewhere', userAgent: UA_CHROME72 },
    // 6: X-Forwarded-For as a trailing field: ignored by the preset (forwardedFor stays '')
    { ip: '172.24.0.2', user: 'alice', time: utc(2025, 1, 3, 16, 42, 58), path: '/', status: 200, bytes: 615, referrer: 'http://domain.tld/path', userAgent: 'curl/8.11.1', forwardedFor: '' },
    // 7: ingress-nginx upstreaminfo: the combined part is read, the timing fields are trailing
    { ip: '0.0.0.0', user: 'bob', time: utc(2023, 3, 18, 15), method: 'GET', path: '/some/path', protocol: 'HTTP/2.0', status: 200, bytes: 12312, referrer: 'https://10.0.0.1/some/referer', userAgent: UA_CHROME111 },
    // 8: nginx error log: rejected (its first field is a date, not an address)
    'bad_ip',
    // 9: e-mail address as user, "" referer, %40 stays encoded
    { ip: '10.0.0.1', user: 'username@example.com', time: utc(2016, 4, 7, 18, 42, 24), path: '/bar/foo/users/1/username%40example.com/authenticate', query: 'token=blargh&client_id=15', status: 400, bytes: 75, referrer: '', userAgent: UA_IPAD },
    // 10: status '-' → 0, +0100
    { ip: '83.149.9.216', user: 'a.user', time: utc(2020, 1, 11, 22, 5, 27), date: '2020-01-11', hour: 23, method: 'OPTIONS', path: '/remote.php/', protocol: 'HTTP/1.1', status: 0, bytes: 7908, referrer: '', userAgent: 'monitoring-client (v2.2)' },
    // 11: no HTTP version, +0900
    { ip: '192.168.0.1', time: utc(2013, 2, 28, 3), date: '2013-02-28', hour: 12, method: 'GET', path: '/', protocol: '', status: 200, bytes: 777, userAgent: 'Opera/12.0' },
  ];

  it('combined', () => expectLines(combined, lines, expected));
  it('nginx_combined', () => expectLines(nginxCombined, lines, expected));

  it('common: every access line has trailing fields, the error line is no address', () => {
    expectLines(common, lines, lines.map((_, i) => (i === 7 ? 'bad_ip' : 'trailing_garbage')));
  });

  it('vhost_combined: nothing fits', () => {
    // The client address is read as the vhost, then %h meets '-'; the error line's date has a '/'.
    expectLines(vhostCombined, lines, lines.map((_, i) => (i === 7 ? 'format_mismatch' : 'bad_ip')));
  });

  it("nginx 'main' format reads the X-Forwarded-For of line 6", () => {
    const main = compileNginxFormat(
      `'$remote_addr - $remote_user [$time_local] "$request" ' '$status $body_bytes_sent "$http_referer" ' '"$http_user_agent" "$http_x_forwarded_for"';`,
    );
    expect(run(main, lines[5]!)).toMatchObject({ ip: '172.24.0.2', forwardedFor: '1.2.3.4, 10.10.1.1', userAgent: 'curl/8.11.1' });
    // Line 1's X-Forwarded-For is '-': absent.
    expect(run(main, lines[0]!)).toMatchObject({ forwardedFor: '' });
  });

  it('the ingress-nginx upstreaminfo format reads all of line 7', () => {
    const upstream = compileNginxFormat(
      '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" ' +
        '$request_length $request_time [$proxy_upstream_name] [$proxy_alternative_upstream_name] $upstream_addr ' +
        '$upstream_response_length $upstream_response_time $upstream_status $req_id',
    );
    expect(run(upstream, lines[6]!)).toMatchObject({ ip: '0.0.0.0', user: 'bob', status: 200, bytes: 12312, userAgent: UA_CHROME111 });
    // A plain combined line lacks the upstream fields.
    expect(run(upstream, lines[0]!)).toBe('missing_field');
  });
});

describe('edge-cases', () => {
  it('apache_access_darwin-2.4.23.log (common)', () => {
    const lines = fixtureLines('edge-cases/apache_access_darwin-2.4.23.log');
    expectLines(common, lines, [
      { ip: '::1', time: utc(2016, 12, 26, 14, 16, 28), date: '2016-12-26', hour: 16, path: '/', status: 200, bytes: 45 },
      { ip: '::1', path: '/favicon.ico', status: 404, bytes: 209 },
      { ip: '::1', ...EMPTY_REQUEST, status: 408, bytes: 0 },
      { ip: '77.179.66.156', time: utc(2016, 12, 26, 16, 23, 35), path: '/', status: 200, bytes: 45 },
      { ip: '77.179.66.156', path: '/notfound', status: 404, bytes: 206 },
      { ip: '77.179.66.156', path: '/hmm', status: 404, bytes: 201 },
    ]);
    // Common lines lack referer and UA: combined calls them short.
    expectLines(combined, lines, lines.map(() => 'missing_field'));
  });

  it('apache_access_ssl-request.log (mod_ssl ssl_request_log format)', () => {
    const lines = fixtureLines('edge-cases/apache_access_ssl-request.log');
    const ssl = compileApacheFormat('%t %h %{SSL_PROTOCOL}x %{SSL_CIPHER}x "%r" %b');
    expectLines(ssl, lines, [
      {
        ip: '172.30.0.119',
        time: utc(2018, 8, 10, 7, 45, 56),
        date: '2018-08-10',
        hour: 9,
        method: 'GET',
        path: '/nagiosxi/ajaxhelper.php',
        query:
          'cmd=getxicoreajax&amp;opts=%7B%22func%22%3A%22get_admin_tasks_html%22%2C%22args%22%3A%22%22%7D&amp;nsp=b5c7d5d4b6f7d0cf0c92f9cbdf737f6a5c838218425e6ae21',
        protocol: 'HTTP/1.1',
        status: 0,
        bytes: 1375,
      },
      { ip: '81.2.69.143', time: utc(2019, 10, 16, 9, 53, 47), path: '/appl/ajaxhelper.php', status: 0, bytes: 0 },
    ]);
    expectLines(combined, lines, ['bad_ip', 'bad_ip']);
  });

  it('apache_access_test-vhost.log (vhost without port, no final newline)', () => {
    const lines = fixtureLines('edge-cases/apache_access_test-vhost.log');
    expectLines(vhostCombined, lines, [
      {
        vhost: 'vhost1.domaine.fr',
        ip: '123.123.123.123',
        time: utc(2019, 7, 4, 7, 20, 46),
        path: '/',
        status: 200,
        bytes: 32953,
        referrer: '',
        userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/75.0.  3770.100 Safari/537.36',
      },
    ]);
    // The vhost reads as a host-name client, the address as %l: then ' [' meets '- ['.
    expectLines(combined, lines, ['format_mismatch']);
  });

  it('apache_access_test.log (mixed common, combined and vhost lines)', () => {
    const lines = fixtureLines('edge-cases/apache_access_test.log');
    expectLines(combined, lines, [
      'missing_field', // common line
      { ip: '192.168.33.1', time: utc(2016, 12, 26, 16, 22, 13), path: '/hello', status: 404, bytes: 499, userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10.12; rv:50.0) Gecko/20100101 Firefox/50.0' },
      'missing_field', // common line, "-" 408 -
      { ip: '172.17.0.1', path: '/stringpatch', status: 404, bytes: 612, clientIsName: false }, // trailing "-"
      // monitoring-server: a host name as %h (HostnameLookups On)
      { ip: 'monitoring-server', clientIsName: true, time: utc(2017, 5, 29, 19, 2, 48), path: '/status', status: 200, bytes: 612 },
      { ip: '127.0.0.1', time: utc(2019, 2, 2, 4, 38, 45), ...EMPTY_REQUEST, status: 408, bytes: 152, referrer: '', userAgent: '' },
      // vhost prefix: the vhost reads as a host name, then the address stands where %l is and the
      // literal ' [' meets '- ['
      'format_mismatch',
    ]);
    expectLines(common, lines, [
      { ip: '::1', path: '/favicon.ico', status: 404, bytes: 209 },
      'trailing_garbage',
      { ip: '::1', ...EMPTY_REQUEST, status: 408, bytes: 0 },
      'trailing_garbage',
      'trailing_garbage', // monitoring-server: a client, then the combined fields
      'trailing_garbage',
      'format_mismatch',
    ]);
    expectLines(vhostCombined, lines, [
      'bad_ip', // '::1' taken as the vhost, then %h is '-'
      'bad_ip',
      'bad_ip',
      'bad_ip',
      'bad_ip',
      'bad_ip',
      { vhost: 'vhost1.domaine.fr', ip: '123.123.123.123', time: utc(2019, 7, 4, 7, 20, 46), status: 200, bytes: 32953 },
    ]);
  });

  it('nginx_access_access.log (nginx combined; the last line has a host prefix)', () => {
    const lines = fixtureLines('edge-cases/nginx_access_access.log');
    const chrome54a = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_12_0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/54.0.2840.59 Safari/537.36';
    expectLines(nginxCombined, lines, [
      { ip: '77.179.66.156', time: utc(2016, 10, 25, 12, 49, 33), date: '2016-10-25', hour: 14, path: '/', status: 200, bytes: 612, referrer: '', userAgent: chrome54a },
      { path: '/favicon.ico', status: 404, bytes: 571, referrer: 'http://localhost:8080/' },
      { path: '/adsasd', status: 404, time: utc(2016, 10, 25, 12, 50, 44) },
      { time: utc(2016, 12, 7, 9, 34, 43), hour: 10, path: '/', status: 200 },
      { path: '/favicon.ico', referrer: 'http://localhost:8080/' },
      { path: '/test' },
      { path: '/test', time: utc(2016, 12, 7, 9, 43, 21) },
      { path: '/test1' },
      { ip: '127.0.0.1', path: '/test1' },
      { ip: '127.0.0.1', status: 304, bytes: 0, userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10.12; rv:49.0) Gecko/20100101 Firefox/49.0' },
      { status: 304, time: utc(2016, 12, 7, 10, 4, 59) },
      { path: '/taga', status: 404, bytes: 169 },
      'bad_ip', // lessons.example.com 192.168.0.1 …
    ]);
    const withHost = compileNginxFormat('$host $remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"');
    expect(withHost.hasVhost).toBe(true);
    expect(run(withHost, lines[12]!)).toMatchObject({
      vhost: 'lessons.example.com',
      ip: '192.168.0.1',
      time: utc(2020, 6, 9, 19, 10, 39),
      hour: 12,
      path: '/A%20Beka%20G1%20Howe/029_AND_30/15%20reading%20elephants.mp4',
      status: 206,
      bytes: 7648063,
      referrer: 'http://lessons.example.com/A%20Beka%20G1%20Howe/029_AND_30/15%20reading%20elephants.mp4',
    });
  });

  describe('nginx_access_test-with-host.log ($host first; comma lists, unix: and host names as clients)', () => {
    const lines = fixtureLines('edge-cases/nginx_access_test-with-host.log');
    const hostFmt = compileNginxFormat('$host $remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"');

    it('a $host template (strict: no trailing fields)', () => {
      expectLines(hostFmt, lines, [
        'bad_ip', // 10.0.0.2, 10.0.0.1, 127.0.0.1
        'trailing_garbage', // a trailing "-" that this template does not have
        'bad_ip',
        { vhost: 'example.com', ip: '81.2.69.143', time: utc(2016, 12, 7, 10, 5, 7), path: '/ocelot', status: 200, bytes: 571 },
        'bad_ip', // "10.5.102.222, …" quoted list
        'bad_ip', // 2a02:…:8000, (comma)
        { vhost: '1.128.3.4', ip: '127.0.0.1', ...EMPTY_REQUEST, status: 400, bytes: 0, referrer: '', userAgent: '' },
        'bad_ip', // unix:
        'bad_ip', // localhost
        'bad_ip', // localhost, localhost
      ]);
    });

    it('vhost_combined (which ignores trailing fields)', () => {
      expectLines(vhostCombined, lines, [
        'bad_ip',
        { vhost: 'example.com', ip: '172.17.0.1', path: '/stringpatch', status: 404 },
        'bad_ip',
        { vhost: 'example.com', ip: '81.2.69.143' },
        'bad_ip',
        'bad_ip',
        { vhost: '1.128.3.4', ip: '127.0.0.1', status: 400 },
        'bad_ip', // unix:
        // Apache's %h may be a host name; nginx's $remote_addr (the template above) never is.
        { vhost: '1.128.3.4', ip: 'localhost', clientIsName: true, path: '/test2', status: 200 },
        'bad_ip', // 'localhost,': a list
      ]);
    });

    it('an X-Forwarded-For template reads line 5, and trusted proxies resolve the client', () => {
      const xff = compileNginxFormat(
        '$host "$http_x_forwarded_for" $remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"',
      );
      expect(run(xff, lines[4]!)).toMatchObject({
        vhost: 'example.com',
        ip: '10.2.1.185',
        forwardedFor: '10.5.102.222, 175.16.199.1, 204.246.1.1',
        path: '/assets/xxxx',
        query: 'q=100',
        userAgent: 'Amazon CloudFront',
      });
      const r = parsedFields(xff, lines[4]!);
      createByteClientResolver(['10.0.0.0/8']).resolve(r);
      expect(fieldText(r, F_IP)).toBe('204.246.1.1');
      const again = parsedFields(xff, lines[4]!);
      createByteClientResolver(['10.0.0.0/8', '204.246.0.0/16']).resolve(again);
      expect(fieldText(again, F_IP)).toBe('175.16.199.1');
    });
  });

  it('nginx_access_test.log (nginx combined)', () => {
    const lines = fixtureLines('edge-cases/nginx_access_test.log');
    expectLines(nginxCombined, lines, [
      'bad_ip',
      { ip: '172.17.0.1', time: utc(2017, 5, 29, 19, 2, 48), path: '/stringpatch', status: 404, bytes: 612 },
      'bad_ip',
      { ip: '85.181.35.98', time: utc(2016, 12, 7, 10, 5, 7), path: '/ocelot', status: 200, bytes: 571 },
      'bad_ip', // starts with a quoted list
      'bad_ip', // 2a03:…:8000, (comma)
      { ip: '127.0.0.1', time: utc(2018, 4, 12, 7, 48, 40), ...EMPTY_REQUEST, status: 400, bytes: 0 },
    ]);
    const xff = compileNginxFormat('"$http_x_forwarded_for" $remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"');
    expect(run(xff, lines[4]!)).toMatchObject({ ip: '10.2.1.185', forwardedFor: '10.5.102.222, 199.96.1.1, 204.246.1.1' });
  });
});
