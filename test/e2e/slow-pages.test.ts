/**
 * `top.slowPages` end to end (issue 14): a log with the time taken (Apache `%D` in microseconds,
 * nginx `$request_time` in seconds) through `weblog ingest` and `weblog report --format json`.
 * The expected rows are computed from the requests written here, as docs/report-contract.md
 * defines them: `hits` = requests with a logged time taken, `bytes` their bytes, `totalMs` their
 * summed and `maxMs` their largest time in ms, `avgMs` = totalMs / hits rounded to 3 decimals;
 * sorted by `totalMs` descending, then key.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report, SlowRow } from '../../src/report/contract.js';
import { tempStore, weblog } from '../helpers/cli.js';

const SITE = 'slow.example';

/** One request: its day (March 2024), path, bytes and time taken in µs (null: the log wrote `-`). */
interface Req {
  day: number;
  path: string;
  bytes: number;
  us: number | null;
}

/** The rows the contract asks for, from the requests themselves. */
function expectedRows(reqs: readonly Req[]): SlowRow[] {
  const by = new Map<string, { hits: number; bytes: number; sumUs: number; maxUs: number }>();
  for (const r of reqs) {
    if (r.us === null) continue;
    const a = by.get(r.path) ?? { hits: 0, bytes: 0, sumUs: 0, maxUs: 0 };
    a.hits++;
    a.bytes += r.bytes;
    a.sumUs += r.us;
    a.maxUs = Math.max(a.maxUs, r.us);
    by.set(r.path, a);
  }
  return [...by]
    .map(([key, a]) => ({ key, hits: a.hits, bytes: a.bytes, totalMs: a.sumUs / 1000, avgMs: Math.round(a.sumUs / a.hits) / 1000, maxMs: a.maxUs / 1000 }))
    .sort((x, y) => y.totalMs - x.totalMs || (x.key < y.key ? -1 : 1));
}

async function ingestAndReport(lines: readonly string[], logFormat: string, ...reportArgs: string[]): Promise<Report> {
  const log = join(mkdtempSync(join(tmpdir(), 'weblog-slow-')), 'access.log');
  writeFileSync(log, lines.map((l) => `${l}\n`).join(''));
  const store = tempStore();
  const i = await weblog(['ingest', '--store', store, '--site', SITE, '--log-format', logFormat, '--quiet', '--no-purge', log]);
  expect(i.code, i.stderr).toBe(0);
  const r = await weblog(['report', '--store', store, '--site', SITE, '--format', 'json', ...reportArgs]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Report;
}

const stamp = (r: Req, n: number): string => `${String(r.day).padStart(2, '0')}/Mar/2024:10:${String(n % 60).padStart(2, '0')}:00 +0000`;

describe('top.slowPages end to end', () => {
  // Two days, so sums and maxima are also merged across days. The order by cumulative time
  // differs from the order by hits (/favicon.ico has most hits and the least time), /search has
  // one untimed request (hits counts only timed ones), and /tie-a, /tie-b have equal totals.
  const APACHE: Req[] = [
    { day: 5, path: '/search', bytes: 100, us: 250_000 },
    { day: 5, path: '/search', bytes: 200, us: 1_000 },
    { day: 6, path: '/search', bytes: 300, us: 1_750_000 },
    { day: 6, path: '/search', bytes: 400, us: null },
    { day: 5, path: '/api/items', bytes: 10, us: 400_000 },
    { day: 5, path: '/api/items', bytes: 10, us: 400_001 },
    { day: 6, path: '/api/items', bytes: 10, us: 400_000 },
    { day: 5, path: '/index.html', bytes: 5000, us: 1_234 },
    { day: 6, path: '/index.html', bytes: 5000, us: 5_678 },
    { day: 5, path: '/tie-b', bytes: 1, us: 1_500 },
    { day: 5, path: '/tie-b', bytes: 1, us: 1_500 },
    { day: 6, path: '/tie-a', bytes: 1, us: 3_000 },
    { day: 5, path: '/about', bytes: 700, us: 999 },
    ...Array.from({ length: 5 }, (_, i): Req => ({ day: 5 + (i % 2), path: '/favicon.ico', bytes: 0, us: 100 })),
  ];

  it('Apache %D (µs): rows by cumulative time, with hits, bytes, total, average and maximum in ms', async () => {
    const format = '%h %l %u %t "%r" %>s %b %D';
    const lines = APACHE.map((r, n) => `192.0.2.${(n % 7) + 1} - - [${stamp(r, n)}] "GET ${r.path}?q=${n} HTTP/1.1" 200 ${r.bytes} ${r.us ?? '-'}`);
    const report = await ingestAndReport(lines, format, '--top', '0');
    expect(report.totals.hits).toBe(APACHE.length);

    const want = expectedRows(APACHE);
    expect(report.top.slowPages).toEqual(want);
    // The same numbers written out, so a mistake shared by expectedRows and weblog shows too.
    expect(want.map((r) => r.key)).toEqual(['/search', '/api/items', '/index.html', '/tie-a', '/tie-b', '/about', '/favicon.ico']);
    expect(report.top.slowPages[0]).toEqual({ key: '/search', hits: 3, bytes: 600, totalMs: 2001, avgMs: 667, maxMs: 1750 });
    expect(report.top.slowPages[1]).toMatchObject({ key: '/api/items', hits: 3, avgMs: 400, maxMs: 400.001 });
    expect(report.top.slowPages[1]!.totalMs).toBeCloseTo(1200.001, 9);
    expect(report.top.slowPages[2]).toMatchObject({ key: '/index.html', hits: 2, bytes: 10000, avgMs: 3.456, maxMs: 5.678 });
    // The untimed /search request is a hit of the page, not of the slow page.
    expect(report.top.urls.find((u) => u.key === '/search')?.hits).toBe(4);

    // --top cuts the list after the order by time.
    const top2 = await ingestAndReport(lines, format, '--top', '2');
    expect(top2.top.slowPages).toEqual(want.slice(0, 2));
  });

  it('nginx $request_time (seconds, ms resolution)', async () => {
    const format = '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time';
    const ms: [string, number][] = [
      ['/checkout', 2_500],
      ['/checkout', 500],
      ['/', 12],
      ['/', 8],
      ['/', 10],
      ['/img/logo.png', 1],
      ['/report.pdf', 900],
    ];
    const reqs = ms.map(([path, t], n): Req => ({ day: 7, path, bytes: 10 * (n + 1), us: t * 1000 }));
    const lines = reqs.map((r, n) => `198.51.100.${n + 1} - - [${stamp(r, n)}] "GET ${r.path} HTTP/2.0" 200 ${r.bytes} "-" "curl/8.5.0" ${(r.us! / 1e6).toFixed(3)}`);
    const report = await ingestAndReport(lines, format, '--top', '0');
    expect(report.totals.hits).toBe(reqs.length);
    expect(report.top.slowPages).toEqual(expectedRows(reqs));
    expect(report.top.slowPages.map((r) => r.key)).toEqual(['/checkout', '/report.pdf', '/', '/img/logo.png']);
    expect(report.top.slowPages[0]).toEqual({ key: '/checkout', hits: 2, bytes: 30, totalMs: 3000, avgMs: 1500, maxMs: 2500 });
    expect(report.top.slowPages[2]).toEqual({ key: '/', hits: 3, bytes: 120, totalMs: 30, avgMs: 10, maxMs: 12 });
  });

  it('is empty when the log format has no time taken', async () => {
    const lines = APACHE.map((r, n) => `192.0.2.${(n % 7) + 1} - - [${stamp(r, n)}] "GET ${r.path} HTTP/1.1" 200 ${r.bytes}`);
    const report = await ingestAndReport(lines, '%h %l %u %t "%r" %>s %b', '--top', '0');
    expect(report.totals.hits).toBe(APACHE.length);
    expect(report.top.slowPages).toEqual([]);
  });
});
