import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/contract.js';
import { REPO, tempStore, weblog, weblogProcess } from '../helpers/cli.js';

const SAMPLE = join(REPO, 'fixtures', 'sample-access.log');

async function report(store: string, site: string, extra: string[] = []): Promise<Report> {
  const r = await weblog(['report', '--store', store, '--site', site, '--format', 'json', '--threshold', '1', ...extra]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Report;
}

const LINES = [
  '192.0.2.10 - alice [01/Mar/2024:10:00:00 +0100] "GET /index.html HTTP/1.1" 200 1000 "https://www.google.com/search?q=Hosting+Test" "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"',
  '192.0.2.10 - alice [01/Mar/2024:10:05:00 +0100] "GET /style.css HTTP/1.1" 200 500 "https://www.example.com/index.html" "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"',
  '198.51.100.7 - - [01/Mar/2024:23:59:59 +0100] "GET /missing HTTP/1.1" 404 10 "-" "curl/8.0"',
  '2001:db8::1 - - [02/Mar/2024:00:00:01 +0100] "GET /a?secret=1 HTTP/1.1" 200 - "-" "Googlebot/2.1 (+http://www.google.com/bot.html)"',
  'garbage line that is not a log',
  '',
];

describe('weblog CLI end to end', () => {
  it('ingests and reports the contract', async () => {
    const store = tempStore();
    const log = join(dirname(store), 'a.log');
    writeFileSync(log, `${LINES.join('\n')}\n`);
    const ing = await weblog(['ingest', '--store', store, '--site', 'WWW.example.com', '--ip', 'full', '--user', 'full', log]);
    expect(ing.code).toBe(0);
    // The blank line is skipped, not rejected (as GoAccess and Webalizer do; docs/metrics.md).
    expect(ing.stderr).toMatch(/6 lines read, 4 counted, 1 rejected, 1 blank skipped/);
    const r = await report(store, 'www.example.com');
    expect(r.site).toBe('www.example.com');
    expect([r.from, r.to]).toEqual(['2024-03-01', '2024-03-02']);
    // curl and Googlebot are both in the bundled crawler list.
    expect(r.totals).toMatchObject({ hits: 4, bytes: 1510, bots: 2 });
    // GoAccess default: the 404 does not count towards unique visitors.
    expect(r.days.map((d) => [d.date, d.hits, d.visitors])).toEqual([
      ['2024-03-01', 3, 1],
      ['2024-03-02', 1, 1],
    ]);
    expect(r.totals.visitors).toBe(2);
    expect(r.totals.ips).toBe(3);
    expect(r.top.ips[0]).toEqual({ key: '192.0.2.10', hits: 2, bytes: 1500 });
    expect(r.top.users).toEqual([{ key: 'alice', hits: 2, bytes: 1500 }]);
    expect(r.top.notFound).toEqual([{ key: '/missing', hits: 1, bytes: 10 }]);
    expect(r.top.searchTerms).toEqual([{ key: 'hosting test', hits: 1, bytes: 1000 }]);
    expect(r.top.urls.map((u) => u.key)).toContain('/a');
    expect(r.top.statusCodes).toEqual([
      { key: '200', hits: 3, bytes: 1500 },
      { key: '404', hits: 1, bytes: 10 },
    ]);
    expect(r.rejected.lines).toBe(1);
    expect(r.meta.ipPolicy).toMatch(/full/);
    expect(r.totals.pages).toBe(3);
  });

  it('folds IPs and user names seen fewer than k times into others (default k = 3)', async () => {
    const store = tempStore();
    const log = join(dirname(store), 'k.log');
    const line = (ip: string, user: string) => `${ip} - ${user} [01/Mar/2024:10:00:00 +0000] "GET / HTTP/1.1" 200 10 "-" "curl/8"`;
    writeFileSync(log, [line('192.0.2.1', 'ann'), line('192.0.2.1', 'ann'), line('192.0.2.1', 'ann'), line('198.51.100.1', 'bob')].join('\n'));
    await weblog(['ingest', '--store', store, '--site', 's', '--ip', 'full', '--user', 'full', log]);
    const r = JSON.parse((await weblog(['report', '--store', store, '--site', 's', '--format', 'json'])).stdout) as Report;
    expect(r.top.ips).toEqual([{ key: '192.0.2.1', hits: 3, bytes: 30 }]);
    expect(r.top.users).toEqual([{ key: 'ann', hits: 3, bytes: 30 }]);
    expect(r.others.ips).toEqual({ hits: 1, bytes: 10 });
    expect(r.others.users).toEqual({ hits: 1, bytes: 10 });
    expect(r.totals.ips).toBe(2);
    expect(JSON.stringify(r)).not.toContain('bob');
  });

  it('never counts the same file twice, also renamed and gzipped', async () => {
    const store = tempStore();
    const dir = dirname(store);
    const log = join(dir, 'access.log');
    copyFileSync(SAMPLE, log);
    expect((await weblog(['ingest', '--store', store, '--site', 's', log])).code).toBe(0);
    const first = await report(store, 's', ['--top', '0']);
    const again = await weblog(['ingest', '--store', store, '--site', 's', log]);
    expect(again.stderr).toMatch(/already ingested/);
    const gz = join(dir, 'access.log.2.gz');
    writeFileSync(gz, gzipSync(readFileSync(log)));
    expect((await weblog(['ingest', '--store', store, '--site', 's', gz])).code).toBe(0);
    expect(await report(store, 's', ['--top', '0'])).toEqual(first);
  });

  it('resumes a grown file where it stopped and equals a single run', async () => {
    const text = readFileSync(SAMPLE, 'latin1');
    const lines = text.split('\n');
    const half = `${lines.slice(0, 1000).join('\n')}\n`;
    const store = tempStore();
    const log = join(dirname(store), 'grow.log');
    writeFileSync(log, half, 'latin1');
    // Pseudonym keys are random per store: compare with user names kept, so the stores can agree.
    // --now inside the raw window: the days' keys must still be alive when the second run adds to them.
    const args = ['--site', 's', '--user', 'full', '--batch-lines', '137', '--now', '2024-03-08'];
    await weblog(['ingest', '--store', store, ...args, log]);
    writeFileSync(log, text, 'latin1');
    const second = await weblog(['ingest', '--store', store, ...args, log]);
    expect(second.stderr).toMatch(/resuming after line 1,000\b/);
    const once = tempStore();
    await weblog(['ingest', '--store', once, ...args, SAMPLE]);
    expect(await report(store, 's', ['--top', '0'])).toEqual(await report(once, 's', ['--top', '0']));
  });

  it('routes vhost_combined lines to their own sites', async () => {
    const store = tempStore();
    const log = join(dirname(store), 'vhosts.log');
    writeFileSync(
      log,
      [
        'www.a.example:443 192.0.2.1 - - [01/Mar/2024:10:00:00 +0000] "GET / HTTP/1.1" 200 100 "-" "curl/8"',
        'B.example:80 192.0.2.2 - - [01/Mar/2024:10:00:00 +0000] "GET / HTTP/1.1" 200 200 "-" "curl/8"',
        'b.example:80 192.0.2.3 - - [01/Mar/2024:10:00:01 +0000] "GET /x HTTP/1.1" 200 300 "-" "curl/8"',
      ].join('\n'),
    );
    const r = await weblog(['ingest', '--store', store, '--format', 'vhost_combined', log]);
    expect(r.code).toBe(0);
    expect((await weblog(['sites', '--store', store])).stdout).toBe('b.example\nwww.a.example\n');
    expect((await report(store, 'b.example')).totals.hits).toBe(2);
    expect((await report(store, 'www.a.example')).totals.bytes).toBe(100);
  });

  it('detects vhost_common lines (with or without a port) and routes them to their own sites', async () => {
    const store = tempStore();
    const log = join(dirname(store), 'vhost-common.log');
    writeFileSync(
      log,
      [
        'a.example:443 192.0.2.1 - - [01/Mar/2024:10:00:00 +0000] "GET / HTTP/1.1" 200 100',
        'b.example 192.0.2.2 - bob [01/Mar/2024:10:00:00 +0000] "GET /x HTTP/1.1" 404 -',
        'b.example 192.0.2.3 - - [01/Mar/2024:10:00:01 +0000] "GET /y HTTP/1.1" 200 300',
      ].join('\n') + '\n',
    );
    const r = await weblog(['ingest', '--store', store, log]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('detected format vhost_common (3 of the first 3 lines parsed)');
    expect((await weblog(['sites', '--store', store])).stdout).toBe('a.example\nb.example\n');
    const b = await report(store, 'b.example');
    expect(b.totals).toMatchObject({ hits: 2, bytes: 300 });
    expect((await report(store, 'a.example')).totals.bytes).toBe(100);
  });

  it('routes a site\'s other host names to it, and rejects unknown vhosts when told to', async () => {
    const store = tempStore();
    const dir = dirname(store);
    const line = (vhost: string) => `${vhost}:80 192.0.2.1 - - [01/Mar/2024:10:00:00 +0000] "GET / HTTP/1.1" 200 100 "-" "curl/8"`;
    writeFileSync(join(dir, 'v.log'), [line('shop.example'), line('www.shop.example'), line('other.example')].join('\n'));
    writeFileSync(
      join(dir, 'p.yaml'),
      'source: { type: file, paths: [v.log] }\nformat: { type: vhost_combined }\nrouting: { type: vhost, unknown: reject }\nsites: { shop.example: { hosts: [www.shop.example] } }\n',
    );
    const r = await weblog(['ingest', '--store', store, '--pipeline', join(dir, 'p.yaml')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/rejected no_site: 1/);
    expect((await weblog(['sites', '--store', store])).stdout).toBe('shop.example\n');
    expect((await report(store, 'shop.example')).totals.hits).toBe(2);
  });

  it('masks an address with each site\'s own prefix when several sites of one batch see it', async () => {
    const store = tempStore();
    const dir = dirname(store);
    const line = (vhost: string, ip: string) => `${vhost}:80 ${ip} - - [01/Mar/2024:10:00:00 +0000] "GET / HTTP/1.1" 200 100 "-" "curl/8"`;
    // The same addresses for a /24 site, a /16 site and a /8 site, interleaved in one batch;
    // three hits each, the publication threshold.
    const ips = ['192.0.2.1', '2001:db8:1:2::7'];
    const lines = [1, 2, 3].flatMap(() => ips.flatMap((ip) => ['wide.example', 'narrow.example', 'narrowest.example'].map((v) => line(v, ip))));
    writeFileSync(join(dir, 'm.log'), `${lines.join('\n')}\n`);
    writeFileSync(
      join(dir, 'm.yaml'),
      'source: { type: file, paths: [m.log] }\nformat: { type: vhost_combined }\nprivacy: { ip: mask, ipv4Prefix: 24, ipv6Prefix: 48 }\n' +
        'sites: { wide.example: {}, narrow.example: { privacy: { ipv4Prefix: 16, ipv6Prefix: 32 } }, narrowest.example: { privacy: { ipv4Prefix: 8, ipv6Prefix: 16 } } }\n',
    );
    const r = await weblog(['ingest', '--store', store, '--pipeline', join(dir, 'm.yaml')]);
    expect(r.code, r.stderr).toBe(0);
    const shown = async (site: string) => (await report(store, site)).top.ips.map((e) => e.key).sort();
    expect(await shown('wide.example')).toEqual(['192.0.2.0', '2001:db8:1::']);
    expect(await shown('narrow.example')).toEqual(['192.0.0.0', '2001:db8::']);
    expect(await shown('narrowest.example')).toEqual(['192.0.0.0', '2001::']);
  });

  it('reads stdin, and exits 1 with --strict when lines were rejected', async () => {
    const store = tempStore();
    const ok = await weblogProcess(['ingest', '--store', store, '--site', 's'], `${LINES.slice(0, 4).join('\n')}\n`);
    expect(ok.code).toBe(0);
    expect((await report(store, 's')).totals.hits).toBe(4);
    const strict = await weblogProcess(['ingest', '--store', store, '--site', 's', '--strict', '-'], `${LINES.join('\n')}\n`);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/error\[ERR_DATA_REJECTED\]/);
  });

  it('reports usage errors with exit 2 and names the problem', async () => {
    const bad = await weblog(['ingest', '--ip', 'hash', '--site', 's', SAMPLE]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--ip must be one of full, mask, pseudonym, drop \(got "hash"\)/);
    expect((await weblog(['report'])).code).toBe(2);
    expect((await weblog(['report', '--site', 's', '--from', '2024-02-30'])).stderr).toMatch(/--from must be a date/);
    expect((await weblog(['nope'])).code).toBe(2);
    expect((await weblog(['ingest', '--bogus'])).code).toBe(2);
    const missing = await weblog(['ingest', '--site', 's', '--store', tempStore(), '/nonexistent/file.log']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/ERR_SOURCE_OPEN/);
    const unknown = await weblog(['report', '--store', tempStore(), '--site', 'nosuch.example']);
    expect(unknown.code).toBe(1);
  });

  it('says why a format is unknown or was not detected (issue 16 error table)', async () => {
    const store = tempStore();
    const dir = dirname(store);
    // --format foo lists exactly what --help lists.
    const help = (await weblog(['ingest', '--help'])).stdout;
    const listed = /--format NAME\s+(.+?) \(default: auto\)/.exec(help)?.[1]?.split(' | ');
    expect(listed).toContain('caddy');
    const foo = await weblog(['ingest', '--store', store, '--format', 'foo', SAMPLE]);
    expect(foo.code).toBe(2);
    expect(foo.stderr).toContain('error[ERR_PARSE_UNKNOWN_FORMAT]');
    expect(/\(known: (.+)\)/.exec(foo.stderr)?.[1]?.split(', ')).toEqual(listed);
    // A gzip stream on stdin.
    const gz = await weblogProcess(['ingest', '--store', store, '--site', 's'], gzipSync(readFileSync(SAMPLE)));
    expect(gz.code).toBe(2);
    expect(gz.stderr).toContain('error[ERR_PARSE_DETECT_GZIP]');
    expect(gz.stderr).toMatch(/zcat/);
    // A binary file.
    const bin = join(dir, 'db.bin');
    writeFileSync(bin, Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 131) % 256)));
    const b = await weblog(['ingest', '--store', store, '--site', 's', bin]);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('error[ERR_PARSE_DETECT_BINARY]');
    // JSON lines that are not Caddy's.
    const json = join(dir, 'app.json');
    writeFileSync(json, `${['{"time":"2024-03-01T10:00:00Z","ip":"192.0.2.1","status":200}', '{"time":"2024-03-01T10:00:01Z","ip":"192.0.2.2","status":404}'].join('\n')}\n`);
    const j = await weblog(['ingest', '--store', store, '--site', 's', json]);
    expect(j.code).toBe(2);
    expect(j.stderr).toContain('error[ERR_PARSE_DETECT_JSON]');
    expect(j.stderr).toContain('--format caddy');
    // An nginx format with an unknown variable is refused before any line is read.
    const v = await weblog(['ingest', '--store', store, '--site', 's', '--log-format', '$remote_addr [$time_local] "$request" $statu', SAMPLE]);
    expect(v.code).toBe(2);
    expect(v.stderr).toContain('error[ERR_PARSE_BAD_TEMPLATE]');
    expect(v.stderr).toContain('$statu');
  });

  it('detects and counts Caddy JSON logs and logs with host names as clients', async () => {
    const store = tempStore();
    const dir = dirname(store);
    const caddy = join(dir, 'caddy.log');
    const entry = (uri: string, host: string) =>
      JSON.stringify({ level: 'info', ts: 1709287200.5, logger: 'http.log.access.log0', msg: 'handled request', request: { remote_ip: '192.0.2.9', client_ip: '192.0.2.9', proto: 'HTTP/2.0', method: 'GET', host, uri, headers: { 'User-Agent': ['curl/8.0'] } }, user_id: '', duration: 0.01, size: 100, status: 200 });
    writeFileSync(caddy, `${[entry('/a', 'www.example.com'), entry('/b', 'www.example.com'), entry('/c', 'shop.example.com:443')].join('\n')}\n`);
    const c = await weblog(['ingest', '--store', store, '--ip', 'full', caddy]);
    expect(c.code).toBe(0);
    expect(c.stderr).toMatch(/detected format caddy/);
    expect((await report(store, 'www.example.com')).totals.hits).toBe(2);
    expect((await report(store, 'shop.example.com')).totals.hits).toBe(1);
    const names = await weblog(['ingest', '--store', store, '--site', 'nasa.example', '--ip', 'full', join(REPO, 'fixtures', 'logs', 'hostnames', 'hostname_lookups.log')]);
    expect(names.code).toBe(0);
    expect(names.stderr).toMatch(/detected format common/);
    expect(names.stderr).toMatch(/10 lines read, 8 counted, 2 rejected/);
    expect((await report(store, 'nasa.example')).totals.hits).toBe(8);
  });

  it('reads an nginx JSON log (log_format escape=json) given as --log-format, JSON escapes decoded', async () => {
    const store = tempStore();
    const log = join(dirname(store), 'nginx-json.log');
    const fmt = `escape=json '{"time":"$time_iso8601","ip":"$remote_addr","request":"$request","status":$status,"bytes":$body_bytes_sent,"ref":"$http_referer","ua":"$http_user_agent","rt":$request_time}'`;
    // nginx's escape=json escapes \" and \\, and bytes below 0x20 as \u00XX; a \u escape of any
    // character (\u00e9 here) is JSON too, and must decode the same.
    const entry = (t: string, ip: string, path: string, status: number, rt: string) =>
      `{"time":"${t}","ip":"${ip}","request":"GET ${path} HTTP/1.1","status":${status},"bytes":100,"ref":"","ua":"Mozilla/5.0 \\"quoted\\" \\u00e9","rt":${rt}}`;
    const lines = [
      entry('2024-03-04T10:00:00+00:00', '192.0.2.1', '/caf\\u00e9', 200, '0.250'),
      entry('2024-03-04T10:05:00+00:00', '192.0.2.1', '/caf\\u00e9', 200, '0.750'),
      entry('2024-03-04T11:00:00+01:00', '2001:db8::7', '/b', 404, '0.001'),
      'not json at all',
    ];
    writeFileSync(log, `${lines.join('\n')}\n`);
    const r = await weblog(['ingest', '--store', store, '--site', 'json.example', '--ip', 'full', '--log-format', fmt, log]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/4 lines read, 3 counted, 1 rejected/);
    const rep = await report(store, 'json.example');
    expect(rep.totals.hits).toBe(3);
    // \u00e9 is the character é (as UTF-8).
    expect(rep.top.urls.map((u) => [u.key, u.hits])).toEqual([
      ['/café', 2],
      ['/b', 1],
    ]);
    expect(rep.top.statusCodes.map((u) => [u.key, u.hits])).toEqual([
      ['200', 2],
      ['404', 1],
    ]);
    // Hours are the log's own clock (as GoAccess reads them): the +01:00 line is at 11.
    expect(rep.top.hours.filter((h) => h.hits > 0).map((h) => [h.key, h.hits])).toEqual([
      ['10', 2],
      ['11', 1],
    ]);
    expect(rep.days.map((d) => [d.date, d.hits])).toEqual([['2024-03-04', 3]]);
    expect(rep.top.slowPages.map((p) => [p.key, p.totalMs, p.maxMs])).toEqual([
      ['/café', 1000, 750],
      ['/b', 1, 1],
    ]);
  });

  it('reports FTP transfers from an xferlog in their own section, routed per file', async () => {
    const store = tempStore();
    const dir = dirname(store);
    const xfer = [
      'Mon Mar  4 10:00:00 2024 1 192.0.2.5 5000 /pub/file one.zip b _ o r alice ftp 0 * c',
      'Mon Mar  4 10:05:00 2024 2 192.0.2.5 7000 /pub/b.tar.gz b _ o r alice ftp 0 * c',
      'Mon Mar  4 11:00:00 2024 1 198.51.100.9 300 /incoming/x.txt a _ i a guest@example.com ftp 0 * c',
    ];
    writeFileSync(join(dir, 'customer-a.xferlog'), `${xfer.join('\n')}\n`);
    writeFileSync(
      join(dir, 'p.yaml'),
      'source: { type: file, paths: [customer-a.xferlog] }\nformat: { type: xferlog }\nrouting: { type: file, files: { customer-a.xferlog: files.a.example } }\nenrich: { ua: false, referrers: false }\n',
    );
    const r = await weblog(['ingest', '--store', store, '--pipeline', join(dir, 'p.yaml'), '--user', 'full']);
    expect(r.code, r.stderr).toBe(0);
    const rep = await report(store, 'files.a.example');
    expect(rep.totals.hits).toBe(0);
    expect([rep.ftp.transfers, rep.ftp.bytes]).toEqual([3, 12300]);
    // One transfer each: ties are ordered by key.
    expect(rep.ftp.top.ftpFiles.map((f) => [f.key, f.bytes])).toEqual([
      ['/incoming/x.txt', 300],
      ['/pub/b.tar.gz', 7000],
      ['/pub/file one.zip', 5000],
    ]);
    expect(rep.ftp.top.ftpUsers).toEqual([{ key: 'alice', hits: 2, bytes: 12000 }]);
    expect(JSON.stringify(rep)).not.toContain('guest@example.com');
  });

  it('validates every bundled pipeline file without running it', async () => {
    const files = ['demo', 'ftp-xferlog', 'nginx-per-site', 'piped-stdin', 'shared-apache-vhosts'].map((n) => join(REPO, 'pipelines', `${n}.yaml`));
    const r = await weblog(['validate', ...files]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(files.length);
    const bad = join(dirname(tempStore()), 'bad.yaml');
    writeFileSync(bad, 'source: { type: file, paths: [x.log] }\nprivacy: { ip: hash }\n');
    const v = await weblog(['validate', bad]);
    expect(v.code).toBe(2);
    expect(v.stderr).toMatch(/privacy\.ip/);
  });

  it('documents every flag in --help', async () => {
    for (const cmd of ['ingest', 'report', 'sites', 'validate']) {
      const r = await weblog([cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Usage: weblog/);
    }
    const src = readFileSync(join(REPO, 'src', 'cli', 'ingest.ts'), 'utf8');
    const flags = [...src.matchAll(/^  '?([a-z0-9-]+)'?: \{ type:/gm)].map((m) => m[1]);
    const help = (await weblog(['ingest', '--help'])).stdout;
    for (const f of flags) expect(help).toContain(`--${f}`);
  });
});
