/**
 * A StoredReport with every field of the contract filled, as the engine will fill them (entry and
 * exit pages, versions, file types, methods, protocols, slow pages, bounces, visit seconds,
 * undeduplicated days), for renderer and page tests until real ingests produce them.
 */
import type { ListName } from '../../src/core/lists.js';
import { LIST_NAMES } from '../../src/core/lists.js';
import type { StoredDay, StoredReport, StoredRow } from '../../src/store/store.js';

const row = (key: string, hits: number, bytes = hits * 1000): StoredRow => ({ key, hits, bytes });

export function day(date: string, hits: number, extra: Partial<StoredDay> = {}): StoredDay {
  return {
    date,
    hits,
    visitors: Math.round(hits / 10),
    visits: Math.round(hits / 8),
    pages: Math.round(hits / 3),
    bytes: hits * 20_000,
    bots: Math.round(hits / 5),
    ftpTransfers: 0,
    ftpBytes: 0,
    bounces: Math.round(hits / 20),
    visitSeconds: Math.round(hits / 8) * 95,
    ...extra,
  };
}

/** 2024-03-01 … 2024-03-31 with 03-05 and 03-06 empty; the previous period via `previousStored`. */
export function fullStored(site = 'www.full.example'): StoredReport {
  const days: StoredDay[] = [];
  for (let d = 1; d <= 31; d++) {
    if (d === 5 || d === 6) continue;
    days.push(day(`2024-03-${String(d).padStart(2, '0')}`, 400 + ((d * 37) % 250)));
  }
  const total = days.reduce((a, d) => a + d.hits, 0);
  const top = {} as Record<ListName, StoredRow[]>;
  for (const l of LIST_NAMES) top[l] = [];
  top.urls = [row('/', 3000), row('/index.html', 2100), row('/blog/', 900), row('/about.html', 420), row('/contact.html', 99)];
  top.entryPages = [row('/', 800, 0), row('/blog/', 300, 0), row('/about.html', 40, 0)];
  top.exitPages = [row('/contact.html', 500, 0), row('/', 420, 0)];
  top.notFound = [row('/wp-login.php', 120), row('/.env', 80)];
  top.referringSites = [row('google.com', 700, 0), row('duckduckgo.com', 120, 0)];
  top.referrers = [row('https://google.com/', 700, 0)];
  top.searchTerms = [row('weblog statistics', 40, 0)];
  top.countries = [row('DE', 5000), row('US', 2200), row('FR', 900), row('', 300)];
  top.browsers = [row('Chrome', 4000), row('Firefox', 2500), row('Unknown', 2300), row('Safari', 1400), row('Edge', 500)];
  top.browserVersions = [row('Chrome 120', 3000), row('Chrome 119', 1000), row('Firefox 121', 2000), row('Firefox 115', 500), row('Safari 17', 1400)];
  top.os = [row('Windows', 5000), row('Android', 2200), row('Unknown', 2300), row('iOS', 900)];
  top.osVersions = [row('Windows 10', 4000), row('Windows 11', 1000), row('Android 14', 2200), row('iOS 17', 900)];
  top.devices = [row('desktop', 6500), row('mobile', 3000), row('bot', 2300), row('tablet', 400)];
  top.statusCodes = [row('200', total - 2000), row('304', 1100), row('404', 600), row('301', 200), row('500', 100)];
  top.fileTypes = [row('html', 4000), row('css', 2000), row('js', 1800), row('png', 1500), row('-', 900)];
  top.methods = [row('GET', total - 400), row('POST', 350), row('HEAD', 50)];
  top.protocols = [row('HTTP/1.1', total - 3000), row('HTTP/2.0', 3000)];
  top.slowPages = [
    { key: '/search', hits: 200, bytes: 200_000, totalMs: 96_000, maxMs: 4_200 },
    { key: '/', hits: 3000, bytes: 3_000_000, totalMs: 120_000, maxMs: 900 },
    { key: '/blog/', hits: 900, bytes: 900_000, totalMs: 27_000, maxMs: 310 },
  ];
  top.ips = [row('192.0.2.0', 900), row('198.51.100.0', 400), row('203.0.113.0', 2)];
  top.users = [];
  const hours: StoredRow[] = [];
  for (let h = 0; h < 24; h++) hours.push(row(String(h).padStart(2, '0'), Math.round(total / 24 + Math.sin(h / 3) * 100)));
  // Stores answer by hits: clock order must come from buildReport, not from here.
  top.hours = hours.sort((a, b) => b.hits - a.hits || (a.key < b.key ? -1 : 1));
  // Every key of a list is listed here: what a list adds up to is its rows.
  const sums: StoredReport['sums'] = {};
  for (const l of LIST_NAMES) {
    const rows = top[l] ?? [];
    if (rows.length > 0) sums[l] = { hits: rows.reduce((a, r) => a + r.hits, 0), bytes: rows.reduce((a, r) => a + r.bytes, 0) };
  }
  return {
    site,
    from: '2024-03-01',
    to: '2024-03-31',
    days,
    distinctIps: 1234,
    top,
    others: { urls: { hits: 50, bytes: 5000 } },
    rejected: { bad_time: 3 },
    meta: { ip: [{ mode: 'mask', v4: 24, v6: 48 }], user: [{ mode: 'pseudonym' }], attribution: ['IP geolocation by DB-IP (https://db-ip.com), licensed CC BY 4.0'], rawWindowDays: 7 },
    undeduplicatedDays: ['2024-03-04'],
    sums,
  };
}

/** The 31 days before fullStored's range, quieter. */
export function previousStored(site = 'www.full.example'): StoredReport {
  const days: StoredDay[] = [];
  for (let d = 1; d <= 29; d++) days.push(day(`2024-02-${String(d).padStart(2, '0')}`, 300));
  days.unshift(day('2024-01-31', 300));
  days.unshift(day('2024-01-30', 300));
  const top = {} as Record<ListName, StoredRow[]>;
  for (const l of LIST_NAMES) top[l] = [];
  return {
    site,
    from: '2024-01-30',
    to: '2024-02-29',
    days,
    distinctIps: 1000,
    top,
    others: {},
    rejected: {},
    meta: { ip: [{ mode: 'mask', v4: 24, v6: 48 }], user: [{ mode: 'pseudonym' }], attribution: [], rawWindowDays: 7 },
    undeduplicatedDays: [],
    sums: {},
  };
}
