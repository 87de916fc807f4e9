/**
 * Host names of a site in `weblog ingest` (issue 16): the accounts' host names (`weblog site add
 * --host`) and `--host` make a site's own domains internal referrers and route its aliases to it.
 * The real-log test reads ../shared/data (present in CI: a missing file fails there).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/contract.js';
import { SHARED, tempStore, weblog } from '../helpers/cli.js';

const ELASTIC = join(SHARED, 'logs', 'elastic_apache_logs.log');
if (!existsSync(ELASTIC) && process.env.CI === 'true') throw new Error(`${ELASTIC} is missing: CI needs ../shared/data`);

async function report(store: string, site: string): Promise<Report> {
  const r = await weblog(['report', '--store', store, '--site', site, '--format', 'json', '--top', '0', '--threshold', '1']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Report;
}

async function ok(args: string[]): Promise<string> {
  const r = await weblog(args);
  expect(r.code, `weblog ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stderr;
}

/** Share of a key in a site's "Referring sites", in percent. */
function share(r: Report, key: string): number {
  const all = r.top.referringSites.reduce((n, x) => n + x.hits, 0) + (r.others.referringSites?.hits ?? 0);
  return (100 * (r.top.referringSites.find((x) => x.key === key)?.hits ?? 0)) / all;
}

const line = (vhost: string, path: string, referrer = '-') =>
  `${vhost}:80 192.0.2.1 - - [01/Mar/2024:10:00:00 +0000] "GET ${path} HTTP/1.1" 200 100 "${referrer}" "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"`;

describe('host names of a site', () => {
  it.skipIf(!existsSync(ELASTIC))('on a real log, the site’s own domain leaves "Referring sites" (--host, and from the accounts)', async () => {
    // The elastic log is semicomplete.com's; the hosting customer's site is named blog.example.
    const bare = tempStore();
    await ok(['ingest', '--store', bare, '--site', 'blog.example', '--no-purge', ELASTIC]);
    const before = await report(bare, 'blog.example');
    expect(share(before, 'semicomplete.com')).toBeGreaterThan(50);

    const flagged = tempStore();
    await ok(['ingest', '--store', flagged, '--site', 'blog.example', '--host', 'semicomplete.com', '--no-purge', ELASTIC]);
    const after = await report(flagged, 'blog.example');
    expect(share(after, 'semicomplete.com')).toBe(0);
    // The same hits, only classified differently: www.semicomplete.com is internal too.
    expect(after.totals.hits).toBe(before.totals.hits);
    expect(after.top.referringSites.map((x) => x.key)).not.toContain('www.semicomplete.com');
    expect(after.top.referringSites[0]!.key).toBe('google.com');

    const accounts = tempStore();
    await ok(['customer', 'add', 'c', '--store', accounts]);
    await ok(['site', 'add', 'blog.example', '--customer', 'c', '--host', 'semicomplete.com', '--store', accounts]);
    await ok(['ingest', '--store', accounts, '--site', 'blog.example', '--no-purge', ELASTIC]);
    expect((await report(accounts, 'blog.example')).top.referringSites).toEqual(after.top.referringSites);
  });

  it("routes an alias's vhost lines to the owning site and never creates a site nobody owns", async () => {
    const store = tempStore();
    await ok(['customer', 'add', 'c', '--store', store]);
    await ok(['site', 'add', 'www.shop.example', '--customer', 'c', '--host', 'shop.example', '--host', 'shop.example.net', '--store', store]);
    const log = join(dirname(store), 'vhosts.log');
    writeFileSync(
      log,
      [
        line('www.shop.example', '/'),
        line('shop.example', '/a', 'https://shop.example.net/'),
        line('SHOP.EXAMPLE.NET', '/b'),
        line('other.example', '/', 'https://shop.example/'),
      ].join('\n'),
    );
    await ok(['ingest', '--store', store, '--format', 'vhost_combined', '--no-purge', log]);
    // Unknown vhosts are still their own sites without accounts' say (`routing.unknown: accept`).
    expect((await weblog(['sites', '--store', store])).stdout).toBe('other.example\nwww.shop.example\n');
    const shop = await report(store, 'www.shop.example');
    expect(shop.totals.hits).toBe(3);
    expect(shop.top.referringSites).toEqual([]);
    expect((await report(store, 'other.example')).top.referringSites.map((x) => x.key)).toEqual(['shop.example']);
  });

  it('--site ALIAS counts on the owning site and says so', async () => {
    const store = tempStore();
    await ok(['customer', 'add', 'c', '--store', store]);
    await ok(['site', 'add', 'www.shop.example', '--customer', 'c', '--host', 'shop.example', '--store', store]);
    const log = join(dirname(store), 'a.log');
    writeFileSync(log, `${line('x', '/').replace(/^x:80 /, '')}\n`);
    const stderr = await ok(['ingest', '--store', store, '--site', 'shop.example', '--format', 'combined', '--no-purge', log]);
    expect(stderr).toContain('shop.example is a host name of site www.shop.example (weblog site add): its lines are counted there');
    expect((await weblog(['sites', '--store', store])).stdout).toBe('www.shop.example\n');
  });

  it('takes the accounts from --accounts PATH (a ClickHouse store keeps them apart)', async () => {
    const accounts = tempStore();
    await ok(['customer', 'add', 'c', '--store', accounts]);
    await ok(['site', 'add', 'www.shop.example', '--customer', 'c', '--host', 'shop.example', '--store', accounts]);
    const store = tempStore();
    const log = join(dirname(store), 'v.log');
    writeFileSync(log, `${line('shop.example', '/')}\n`);
    await ok(['ingest', '--store', store, '--accounts', accounts, '--format', 'vhost_combined', '--no-purge', log]);
    expect((await weblog(['sites', '--store', store])).stdout).toBe('www.shop.example\n');
    const missing = await weblog(['ingest', '--store', store, '--accounts', join(dirname(store), 'nope.db'), log]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--accounts .*nope\.db: no such file/);
  });

  it('--host for stores without accounts, and its usage errors', async () => {
    const store = tempStore();
    const log = join(dirname(store), 'r.log');
    const plain = (ref: string) => line('x', '/', ref).replace(/^x:80 /, '');
    writeFileSync(log, [plain('https://s.example/'), plain('https://www.s.example/x'), plain('https://elsewhere.example/')].join('\n'));
    await ok(['ingest', '--store', store, '--site', 'www.s.example', '--host', 's.example', '--format', 'combined', '--no-purge', log]);
    expect((await report(store, 'www.s.example')).top.referringSites.map((x) => x.key)).toEqual(['elsewhere.example']);

    const noSite = await weblog(['ingest', '--store', tempStore(), '--host', 's.example', '--format', 'vhost_combined', log]);
    expect(noSite.code).toBe(2);
    expect(noSite.stderr).toMatch(/^error\[ERR_USAGE\]: --host needs --site: it names other host names of that one site/);
    const badName = await weblog(['ingest', '--store', tempStore(), '--site', 's', '--host', 'not a host', log]);
    expect(badName.code).toBe(2);
    expect(badName.stderr).toMatch(/^error\[ERR_USAGE\]: --host must be a host name/);
  });

  it('a pipeline with fixed routing gives its site host names in sites.SITE.hosts', async () => {
    const store = tempStore();
    const dir = dirname(store);
    const plain = (ref: string) => line('x', '/', ref).replace(/^x:80 /, '');
    writeFileSync(join(dir, 'r.log'), [plain('https://s.example/'), plain('https://elsewhere.example/')].join('\n'));
    writeFileSync(
      join(dir, 'p.yaml'),
      'source: { type: file, paths: [r.log] }\nformat: { type: combined }\nrouting: { type: fixed, site: www.s.example }\nsites: { www.s.example: { hosts: [s.example] } }\n',
    );
    await ok(['ingest', '--store', store, '--pipeline', join(dir, 'p.yaml'), '--no-purge']);
    expect((await report(store, 'www.s.example')).top.referringSites.map((x) => x.key)).toEqual(['elsewhere.example']);
  });
});
