import { describe, expect, it } from 'vitest';
import { createAggregator } from '../../../src/aggregate/aggregator.js';
import type { AnonHit, ReferrerInfo, UaInfo } from '../../../src/core/record.js';

const firefox: UaInfo = { browser: 'Firefox', os: 'Linux', device: 'desktop', bot: false };
const bot: UaInfo = { browser: 'Googlebot', os: 'Unknown', device: 'bot', bot: true };
const none: ReferrerInfo = { kind: 'none', url: '', site: '', engine: '', term: '', spam: false };
const google: ReferrerInfo = { kind: 'search', url: 'https://www.google.com/search', site: 'google.com', engine: 'Google', term: 'weblog', spam: false };
const spam: ReferrerInfo = { kind: 'external', url: 'http://spam.example/', site: 'spam.example', engine: '', term: '', spam: true };

function hit(o: Partial<AnonHit>): AnonHit {
  return {
    ipKey: '192.0.2.0',
    userKey: '',
    visitor: 1,
    countsAsVisitor: true,
    time: 1_700_000_000,
    date: '2023-11-14',
    hour: 22,
    method: 'GET',
    path: '/',
    status: 200,
    bytes: 100,
    page: true,
    ua: firefox,
    referrer: none,
    country: 'DE',
    channel: 'http',
    ...o,
  } as AnonHit;
}

const opts = { visitTimeoutSec: 1800, topKeysPerDay: 1000, ignoreCrawlers: false, toText: (s: string) => s, scrub: (s: string) => s };

describe('aggregator', () => {
  it('counts hits, pages, bytes, visitors and visits per site and day', () => {
    const a = createAggregator(opts);
    const t = 1_700_000_000;
    a.add('s', hit({ time: t }));
    a.add('s', hit({ time: t + 60, page: false, path: '/x.css' }));
    a.add('s', hit({ time: t + 60 + 1801 })); // same visitor, new visit
    a.add('s', hit({ visitor: 2, time: t, status: 404, path: '/missing', countsAsVisitor: false }));
    a.add('s', hit({ date: '2023-11-15', time: t + 86400 }));
    a.add('other', hit({}));
    const { days } = a.drain();
    const d = days.find((x) => x.site === 's' && x.date === '2023-11-14')!;
    expect([d.hits, d.pages, d.bytes, d.visitors.ids.length, d.visits]).toEqual([4, 3, 400, 1, 2]);
    expect(d.lists.get('notFound')).toEqual(new Map([['/missing', { hits: 1, bytes: 100 }]]));
    expect(d.lists.get('statusCodes')!.get('404')).toEqual({ hits: 1, bytes: 100 });
    expect(d.lists.get('hours')!.get('22')!.hits).toBe(4);
    expect(d.lists.get('browsers')!.get('Firefox')!.hits).toBe(4);
    expect(days).toHaveLength(3);
    expect(a.pending).toBe(0);
  });

  it('expands referrers into referrers, referring sites and search terms, without internal and spam', () => {
    const a = createAggregator(opts);
    a.add('s', hit({ referrer: google }));
    a.add('s', hit({ referrer: google }));
    a.add('s', hit({ referrer: spam }));
    const d = a.drain().days[0]!;
    expect(d.lists.get('referrers')).toEqual(new Map([['https://www.google.com/search', { hits: 2, bytes: 200 }]]));
    expect(d.lists.get('referringSites')!.get('google.com')!.hits).toBe(2);
    expect(d.lists.get('searchTerms')!.get('weblog')!.hits).toBe(2);
  });

  it('counts crawlers as bots and, with ignoreCrawlers, only as bots', () => {
    const a = createAggregator(opts);
    a.add('s', hit({ ua: bot }));
    expect(a.drain().days[0]!.hits).toBe(1);
    const b = createAggregator({ ...opts, ignoreCrawlers: true });
    b.add('s', hit({ ua: bot }));
    const d = b.drain().days[0]!;
    expect([d.hits, d.bots, d.lists.get('ips')!.size]).toEqual([0, 1, 0]);
  });

  it('folds keys beyond the cap into others and keeps totals exact', () => {
    const a = createAggregator({ ...opts, topKeysPerDay: 2 });
    for (const p of ['/a', '/b', '/c', '/d', '/a']) a.add('s', hit({ path: p }));
    const d = a.drain().days[0]!;
    expect(d.hits).toBe(5);
    expect([...d.lists.get('urls')!.keys()]).toEqual(['/a', '/b']);
    expect(d.others.get('urls')).toEqual({ hits: 2, bytes: 200 });
  });

  it('keeps FTP transfers out of web hits', () => {
    const a = createAggregator(opts);
    a.add('s', hit({ channel: 'ftp', path: '/pub/file.zip', userKey: 'user-x', bytes: 5000 }));
    const d = a.drain().days[0]!;
    expect([d.hits, d.ftpTransfers, d.ftpBytes]).toEqual([0, 1, 5000]);
    expect(d.lists.get('ftpFiles')!.get('/pub/file.zip')!.bytes).toBe(5000);
    expect(d.lists.get('ftpUsers')!.get('user-x')!.hits).toBe(1);
  });

  it('counts rejects per site and reason', () => {
    const a = createAggregator(opts);
    a.reject('s', 'bad_ip');
    a.reject('s', 'bad_ip');
    a.reject('', 'no_site');
    expect(a.drain().rejected).toEqual([
      { site: 's', reason: 'bad_ip', lines: 2 },
      { site: '', reason: 'no_site', lines: 1 },
    ]);
  });
});
