/**
 * Exact numbers under real hosting conditions (issue 12), end to end through the CLI: host names
 * as clients under each IP policy, every list adding up to the hits (also on real logs with junk
 * requests), the 24 hours in every format, and blank lines skipped. Overlapping runs and
 * several servers' logs are in exact-numbers.test.ts.
 *
 * The real-log test reads ../shared/data (present in CI: a missing file fails there).
 */
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateLines } from '../../fixtures/generate.js';
import type { Report, TopRow } from '../../src/report/contract.js';
import { REPO, SHARED, weblog } from '../helpers/cli.js';
import { summaryCounts } from '../reliability/helpers.js';

const LOGS = join(SHARED, 'logs');
/** Real logs, together 10,037 lines: the elastic log and parser edge cases with junk requests (`-`, `""`, binary, no version). */
const REAL = [
  'elastic_apache_logs.log',
  'edge-cases/apache_access_test.log',
  'edge-cases/nginx_access_access.log',
  'edge-cases/apache_access_darwin-2.4.23.log',
  'tricky/tricky_lines.log',
].map((f) => join(LOGS, f));
const haveReal = REAL.every((f) => existsSync(f));
if (!haveReal && process.env.CI === 'true') throw new Error(`${LOGS} is incomplete: CI needs ../shared/data`);

const HOSTNAMES = join(REPO, 'fixtures', 'logs', 'hostnames', 'hostname_lookups.log');

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'weblog-lists-'));
}

async function ingest(args: string[]): Promise<string> {
  const r = await weblog(['ingest', '--no-purge', ...args]);
  expect(r.code, `weblog ingest ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stderr;
}

async function report(store: string, site: string, ...extra: string[]): Promise<Report> {
  const r = await weblog(['report', '--store', store, '--site', site, '--format', 'json', ...extra]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Report;
}

async function rendered(store: string, site: string, format: string, ...extra: string[]): Promise<string> {
  const r = await weblog(['report', '--store', store, '--site', site, '--format', format, ...extra]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

const sum = (rows: readonly TopRow[]): number => rows.reduce((n, r) => n + r.hits, 0);
const HOURS = Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0'));

describe('host names as clients (Apache HostnameLookups On)', () => {
  const fixture = readFileSync(HOSTNAMES, 'latin1').split('\n').slice(0, -1);
  // The fixture's two lines that are no clients (fixtures/logs/LICENSES.md): a name with `_`
  // and a `unix:` socket peer. Every other line, host name or address, is a client.
  const NO_CLIENT = [8, 10];
  const clientLines = fixture.filter((_, i) => !NO_CLIENT.includes(i + 1));
  const clients = clientLines.map((l) => l.slice(0, l.indexOf(' ')));
  const addresses = clients.filter((c) => /^[\d.]+$/.test(c));
  const names = clients.filter((c) => !/^[\d.]+$/.test(c));

  it.each(['mask', 'pseudonym', 'full'])('--format auto counts every client of the fixture under --ip %s; names have no country', async (ip) => {
    expect(names.length).toBe(6);
    const store = join(tmp(), 'w.db');
    const stderr = await ingest(['--store', store, '--site', 'nasa.example', '--ip', ip, HOSTNAMES]);
    expect(stderr).toMatch(/detected format common/);
    const c = summaryCounts(stderr);
    expect([c.read, c.counted]).toEqual([fixture.length, clientLines.length]);
    // bad_ip only for the two lines that are no clients, never for a host name.
    expect(stderr).toMatch(new RegExp(`rejected bad_ip: 2 \\(e\\.g\\. \\S+:${NO_CLIENT[0]}, \\S+:${NO_CLIENT[1]}\\)`));

    const r = await report(store, 'nasa.example', '--top', '0', '--threshold', '1');
    expect(r.totals.hits).toBe(clientLines.length);
    expect(sum(r.top.ips)).toBe(clientLines.length);
    // Countries come from addresses only: the host-name lines are in no country row.
    expect(sum(r.top.countries)).toBe(addresses.length);
    const keys = r.top.ips.map((x) => x.key).sort();
    if (ip === 'full') expect(keys).toEqual([...clients].sort());
    if (ip === 'mask') {
      // Registrable domains (Public Suffix List), lower case, without the root dot; addresses /24.
      expect(keys).toEqual(['129.94.144.0', '199.120.110.0', 'example.com', 'example.net', 'example.org', 'localhost', 'verizon.net']);
      expect(r.top.ips.find((x) => x.key === 'example.net')!.hits).toBe(2);
    }
    if (ip === 'pseudonym') {
      expect(keys).toHaveLength(clients.length);
      for (const k of keys) expect(k).toMatch(/^ip-[a-z0-9]{10}$/);
    }
    if (ip !== 'full') {
      const json = JSON.stringify(r);
      for (const n of names.filter((x) => x !== 'localhost')) expect(json).not.toContain(n.split('.')[0]!);
    }
  });

  it('under --ip mask a *.comcast.net client is comcast.net, and a name outside the public DNS is never shown', async () => {
    const dir = tmp();
    const at = (client: string, min: number): string => `${client} - - [01/Jul/1995:10:${String(min).padStart(2, '0')}:00 -0400] "GET /history/apollo/ HTTP/1.0" 200 6245`;
    const log = join(dir, 'names.log');
    const lines = [
      at('c-73-162-14-201.hsd1.ca.comcast.net', 1),
      at('c-24-6-1-9.hsd1.ma.comcast.net', 2),
      at('cpc1-brig17-2-0-cust42.3-3.cable.virginm.net', 3),
      at('host81-2-69-160.range81-2.btcentralplus.co.uk', 4),
      at('alices-macbook.local', 5),
      at('alice-laptop', 6),
      at('129.94.144.152', 7),
    ];
    writeFileSync(log, `${lines.join('\n')}\n`);
    const store = join(dir, 'w.db');
    const stderr = await ingest(['--store', store, '--site', 's', log]);
    expect(stderr).toMatch(/detected format common/);
    expect(summaryCounts(stderr).counted).toBe(lines.length);
    const r = await report(store, 's', '--top', '0', '--threshold', '1');
    expect(r.top.ips).toEqual([
      { key: '(local name)', hits: 2, bytes: 2 * 6245 },
      { key: 'comcast.net', hits: 2, bytes: 2 * 6245 },
      { key: '129.94.144.0', hits: 1, bytes: 6245 },
      { key: 'btcentralplus.co.uk', hits: 1, bytes: 6245 },
      { key: 'virginm.net', hits: 1, bytes: 6245 },
    ]);
    expect(JSON.stringify(r)).not.toMatch(/alice/);
    expect(sum(r.top.countries)).toBe(1);
    // Seven clients: visitors are counted from the full name, whatever the policy shows.
    expect(r.totals.visitors).toBe(lines.length);
  });
});

/** Every list with a key per hit adds up; with the default threshold, shown + others adds up for any --top. */
async function checkSums(store: string, site: string, userHits: number | null): Promise<Report> {
  const all = await report(store, site, '--top', '0', '--threshold', '1');
  const hits = all.totals.hits;
  for (const list of ['ips', 'urls', 'statusCodes', 'hours', 'methods', 'protocols', 'fileTypes'] as const) {
    expect(sum(all.top[list]), `${list} with --top 0 --threshold 1`).toBe(hits);
    expect(all.others[list], `others.${list} with --top 0 --threshold 1`).toBeUndefined();
  }
  // Hits that carried a user name: the whole users list when nothing is hidden.
  const withUser = sum(all.top.users);
  if (userHits !== null) expect(withUser).toBe(userHits);
  expect(withUser).toBeGreaterThan(0);
  for (const top of ['1', '10', '1000', '0']) {
    const r = await report(store, site, '--top', top);
    expect(r.meta.privacy.threshold).toBe(3);
    expect(r.totals.hits).toBe(hits);
    for (const list of ['ips', 'urls', 'statusCodes'] as const) {
      expect(sum(r.top[list]) + (r.others[list]?.hits ?? 0), `${list} + others.${list} with --top ${top}`).toBe(hits);
    }
    expect(sum(r.top.users) + (r.others.users?.hits ?? 0), `users + others.users with --top ${top}`).toBe(withUser);
    // The threshold hides keys: with --top 0 nothing but them is in others.
    for (const x of [...r.top.ips, ...r.top.users]) expect(x.hits).toBeGreaterThanOrEqual(3);
    expect(r.top.hours.map((x) => x.key)).toEqual(HOURS);
  }
  return all;
}

describe('every list adds up to the hits', () => {
  it.skipIf(!haveReal)('on real logs with junk requests ("-", "", binary, no version): requests without a path are keyed', async () => {
    const store = join(tmp(), 'w.db');
    await ingest(['--store', store, '--site', 's', ...REAL]);
    const r = await checkSums(store, 's', null);
    expect(r.totals.hits).toBeGreaterThan(10_000);
    // `"-"` and `""` are `-`; a binary request is its text, bytes as \xHH.
    const junk = r.top.urls.filter((x) => !x.key.startsWith('/'));
    expect(junk.find((x) => x.key === '-')?.hits).toBe(3);
    expect(junk.some((x) => x.key.includes('\\xE7\\xBB'))).toBe(true);
    expect(r.top.methods.find((x) => x.key === '-')?.hits).toBe(junk.reduce((n, x) => n + x.hits, 0));
  });

  it('on a generated log: users among the hits that carry a user name, checked against the log itself', async () => {
    const dir = tmp();
    const lines = [...generateLines({ lines: 50_000, seed: 8080, days: 3, authRatio: 0.3, malformed: 0 })];
    const log = join(dir, 'access.log');
    writeFileSync(log, `${lines.join('\n')}\n`, 'latin1');
    // The generator writes `%h %l %u …`: the third field is the user name or `-`.
    const userHits = lines.filter((l) => l.split(' ', 3)[2] !== '-').length;
    expect(userHits).toBeGreaterThan(1000);
    const store = join(dir, 'w.db');
    expect(summaryCounts(await ingest(['--store', store, '--site', 's', log])).counted).toBe(lines.length);
    const r = await checkSums(store, 's', userHits);
    expect(r.totals.hits).toBe(lines.length);
  });
});

describe('hours of the day', () => {
  it('are 24 rows, 00 to 23 in clock order, in JSON, CSV, text and HTML, on a log with hits in three hours', async () => {
    const dir = tmp();
    const at = (day: string, hh: string, path: string): string => `192.0.2.${hh === '17' ? 7 : 1} - - [${day}/Mar/2024:${hh}:10:00 +0000] "GET ${path} HTTP/1.1" 200 100 "-" "curl/8.0"`;
    const log = join(dir, 'few-hours.log');
    // 17 is the busiest hour, 23 the quietest: ranked by hits they would come out 17, 03, 23.
    const lines = [at('01', '03', '/'), at('01', '03', '/a'), at('01', '17', '/'), at('02', '17', '/b'), at('02', '17', '/'), at('02', '23', '/')];
    writeFileSync(log, `${lines.join('\n')}\n`);
    const store = join(dir, 'w.db');
    await ingest(['--store', store, '--site', 's', log]);
    const want = new Map([
      ['03', 2],
      ['17', 3],
      ['23', 1],
    ]);

    for (const top of ['1', '10', '0']) {
      const r = await report(store, 's', '--top', top);
      expect(r.top.hours.map((x) => [x.key, x.hits])).toEqual(HOURS.map((h) => [h, want.get(h) ?? 0]));
    }

    const csv = (await rendered(store, 's', 'csv', '--top', '1')).split('\n').filter((l) => l.startsWith('hours,'));
    expect(csv.map((l) => l.split(',')[2])).toEqual(HOURS);
    expect(csv.map((l) => Number(l.split(',')[4]))).toEqual(HOURS.map((h) => want.get(h) ?? 0));

    const text = await rendered(store, 's', 'text', '--top', '1');
    const section = text.slice(text.indexOf('Hours of the day'));
    const rows = [...section.matchAll(/^ {2}(\d\d) +(\d+) /gm)].slice(0, 24);
    expect(rows.map((m) => m[1])).toEqual(HOURS);
    expect(rows.map((m) => Number(m[2]))).toEqual(HOURS.map((h) => want.get(h) ?? 0));

    const html = await rendered(store, 's', 'html', '--top', '1');
    const table = html.slice(html.indexOf('<table id="t-hours"'), html.indexOf('</table>', html.indexOf('<table id="t-hours"')));
    const rows2 = [...table.matchAll(/<tr><th scope="row"[^>]*>(\d\d)<svg.*?<\/th><td class="n">(\d+)<\/td>/g)];
    expect(rows2.map((m) => m[1])).toEqual(HOURS);
    expect(rows2.map((m) => Number(m[2]))).toEqual(HOURS.map((h) => want.get(h) ?? 0));
  });
});

describe('blank lines', () => {
  it('are skipped and counted as such, not rejected: exit 0, also with --strict', async () => {
    const dir = tmp();
    const line = (min: number): string => `192.0.2.1 - - [01/Mar/2024:10:${String(min).padStart(2, '0')}:00 +0000] "GET / HTTP/1.1" 200 100 "-" "curl/8.0"`;
    const log = join(dir, 'blanks.log');
    // Empty, spaces, a tab, a CRLF blank line, and blank lines at the end.
    writeFileSync(log, `${line(1)}\n\n${line(2)}\n   \n\t\n${line(3)}\r\n\r\n${line(4)}\n\n\n`);
    const store = join(dir, 'w.db');
    const r = await weblog(['ingest', '--store', store, '--site', 's', '--no-purge', '--strict', log]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/10 lines read, 4 counted, 0 rejected, 6 blank skipped/);
    expect(r.stderr).not.toMatch(/rejected [a-z_]+:/);
    const rep = await report(store, 's');
    expect(rep.totals.hits).toBe(4);
    expect(rep.rejected.lines).toBe(0);
  });
});
