import { describe, expect, it } from 'vitest';
import { DEFAULT_PRIVACY, ipPolicySpec, userPolicySpec } from '../../../src/anonymise/index.js';
import { AppError } from '../../../src/core/errors.js';
import { TOP_LISTS, type Report, type TopList, type TopLists } from '../../../src/report/contract.js';
import {
  MESSAGES,
  describeIpPolicy,
  describeUserPolicy,
  escapeControls,
  humanBytes,
  messages,
  renderCsv,
  renderCsvTable,
  renderHtml,
  renderText,
} from '../../../src/report/render/index.js';

// Hostile keys, as a scanner would send them.
const ANSI_KEY = '/x\x1b[2J\x1b]0;pwned\x07\x9b31m';
const SCRIPT_KEY = '/<script>alert("x")</script>';
const FORMULA_KEY = "=cmd|' /C calc'!A0";
const CSV_AWKWARD_KEY = '/a,b "quoted"\r\nnext line';
const BIDI_KEY = '/file\u202Egnp.exe';
const LONG_KEY = `/${'long-segment/'.repeat(40)}end`;

function emptyTop(): TopLists {
  const top = {} as TopLists;
  for (const l of TOP_LISTS) top[l] = [];
  // A report's hours are always 24 rows in clock order (buildReport makes them).
  top.hours = Array.from({ length: 24 }, (_, h) => ({ key: String(h).padStart(2, '0'), hits: 0, bytes: 0 }));
  return top;
}

function makeReport(): Report {
  const top = emptyTop();
  top.urls = [
    { key: '/index.html', hits: 4321, bytes: 1_234_567 },
    { key: ANSI_KEY, hits: 17, bytes: 100 },
    { key: SCRIPT_KEY, hits: 16, bytes: 99 },
    { key: FORMULA_KEY, hits: 15, bytes: 98 },
    { key: CSV_AWKWARD_KEY, hits: 14, bytes: 97 },
    { key: BIDI_KEY, hits: 13, bytes: 96 },
    { key: LONG_KEY, hits: 12, bytes: 95 },
  ];
  top.referringSites = [{ key: 'search.example', hits: 222, bytes: 0 }];
  top.searchTerms = [{ key: '+49 hotline', hits: 3, bytes: 0 }];
  top.countries = [
    { key: 'DE', hits: 3000, bytes: 10 },
    { key: '', hits: 5, bytes: 1 },
  ];
  top.statusCodes = [
    { key: '200', hits: 9000, bytes: 5 },
    { key: '404', hits: 1000, bytes: 5 },
  ];
  top.hours[3] = { key: '03', hits: 10, bytes: 0 };
  top.hours[14] = { key: '14', hits: 900, bytes: 0 };
  return {
    site: 'www.example.com',
    from: '2015-05-17',
    to: '2015-05-19',
    totals: { hits: 10_000, visitors: 1753, visits: 2101, pages: 3456, ips: 1700, bytes: 987_654_321, bots: 2048, bounces: 0, visitSeconds: 0 },
    days: [
      { date: '2015-05-17', hits: 2000, visitors: 400, visits: 500, pages: 700, bytes: 100_000_000 },
      { date: '2015-05-18', hits: 5000, visitors: 900, visits: 1001, pages: 1800, bytes: 500_000_000 },
      { date: '2015-05-19', hits: 3000, visitors: 453, visits: 600, pages: 956, bytes: 387_654_321 },
    ],
    months: [{ month: '2015-05', hits: 10_000, visitors: 1753, visits: 2101, pages: 3456, bytes: 987_654_321 }],
    top,
    others: { urls: { hits: 777, bytes: 7777 } },
    ftp: {
      transfers: 42,
      bytes: 4_200_000,
      top: { ftpFiles: [{ key: '/pub/release.tar.gz', hits: 40, bytes: 4_000_000 }], ftpIps: [], ftpUsers: [] },
    },
    rejected: { lines: 31, reasons: { bad_time: 20, no_site: 11 } },
    meta: {
      ipPolicy: 'IP addresses shortened to /24 (IPv4) and /48 (IPv6)',
      userPolicy: 'user names replaced by per-site, daily-rotating pseudonyms',
      attribution: ['IP geolocation by DB-IP (https://db-ip.com), licensed CC BY 4.0'],
      privacy: { ip: [{ mode: 'mask', v4: 24, v6: 48 }], user: [{ mode: 'pseudonym' }], rawWindowDays: 7, threshold: 3 },
    },
    previous: null,
    undeduplicatedDays: [],
  };
}

/** Control characters other than LF, and bidi controls: none may reach a terminal or a page raw. */
const UNSAFE = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

describe('renderText', () => {
  const report = makeReport();
  const plain = renderText(report, { color: false, width: 100 });
  const lines = plain.split('\n');

  it('shows the header, totals and per-day numbers', () => {
    expect(plain).toContain('www.example.com');
    expect(plain).toContain('2015-05-17');
    expect(plain).toContain('2015-05-19');
    expect(plain).toContain('IP addresses: shortened to /24 (IPv4) and /48 (IPv6)');
    for (const n of [10_000, 1753, 2101, 3456, 1700, 2048]) expect(plain).toMatch(new RegExp(`\\b${n}\\b`));
    const day = lines.find((l) => l.trimStart().startsWith('2015-05-18'));
    expect(day).toBeDefined();
    for (const n of ['5000', '900', '1001', '1800']) expect(day).toContain(n);
  });

  it('draws the longest bar for the busiest day', () => {
    const barLen = (d: string): number => (lines.find((l) => l.trimStart().startsWith(d))?.match(/[█▏▎▍▌▋▊▉]+/)?.[0] ?? '').length;
    expect(barLen('2015-05-18')).toBeGreaterThan(barLen('2015-05-19'));
    expect(barLen('2015-05-19')).toBeGreaterThan(barLen('2015-05-17'));
  });

  it('lists every top list that has rows, with rank, hits, share and human bytes, and leaves out empty ones', () => {
    for (const list of TOP_LISTS) {
      const has = report.top[list].length > 0 || report.others[list] !== undefined;
      expect(lines.includes(MESSAGES.en.lists[list]), list).toBe(has);
    }
    const row = lines.find((l) => l.includes('/index.html'));
    // 4321 of 10000 hits = 43.21%; 1234567 bytes = 1.18 MiB.
    expect(row).toMatch(/^\s+1\s+\/index\.html\s+4321\s+43\.21%\s+1\.2 MiB$/);
    expect(plain).toContain('DE Germany');
    expect(plain).toContain('(unknown)');
    const other = lines.find((l) => l.includes('(other)'));
    expect(other).toMatch(/\(other\)\s+777\s+7\.77%\s+7\.6 KiB$/);
  });

  it('neutralises ANSI escapes, C0/C1 controls and bidi overrides in keys', () => {
    expect(plain).not.toMatch(UNSAFE);
    expect(plain).toContain('/x\\x1b[2J\\x1b]0;pwned\\x07\\x9b31m');
    expect(plain).toContain('/file\\u{202e}gnp.exe');
    expect(plain).toContain('/a,b "quoted"\\x0d\\x0anext line');
  });

  it('with colour on, the only escape sequences are its own SGR codes', () => {
    const colour = renderText(report, { color: true, width: 100 });
    expect(colour).toContain('\x1b[');
    expect(colour.replace(/\x1b\[(?:0|1|2|36)m/g, '')).not.toMatch(UNSAFE);
  });

  it('fits every table line into the width, cutting long keys with …', () => {
    for (const width of [40, 80, 120]) {
      const out = renderText(report, { color: false, width });
      const attribution = report.meta.attribution[0] ?? '';
      for (const l of out.split('\n')) {
        if (l === attribution) continue;
        expect([...l].length, l).toBeLessThanOrEqual(width);
      }
      expect(out).toContain('…');
      expect(out).not.toContain(LONG_KEY);
    }
  });

  it('shows FTP only when there were transfers, and rejected reasons and attribution', () => {
    expect(plain).toContain('FTP transfers');
    expect(plain).toContain('/pub/release.tar.gz');
    expect(plain).toMatch(/bad_time\s+invalid timestamp\s+20/);
    expect(plain).toMatch(/no_site\s+no matching site\s+11/);
    expect(plain).toContain('Rejected lines: 31');
    expect(plain).toContain('IP geolocation by DB-IP (https://db-ip.com), licensed CC BY 4.0');
    const noFtp = { ...report, ftp: { transfers: 0, bytes: 0, top: { ftpFiles: [], ftpIps: [], ftpUsers: [] } } };
    expect(renderText(noFtp, { color: false })).not.toContain('FTP transfers');
  });

  it('renders German labels with lang de', () => {
    const de = renderText(report, { color: false, lang: 'de' });
    expect(de).toContain('Webstatistik für www.example.com');
    expect(de).toContain('Zugriffe');
    expect(de).toContain('IP-Adressen: gekürzt auf /24');
  });
});

/** RFC 4180 reader, written for this test: quoted fields, doubled quotes, CRLF records. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (c === '"') {
        quoted = false;
        i++;
      } else {
        field += c;
        i++;
      }
    } else if (c === '"') {
      if (field !== '') throw new Error(`quote inside an unquoted field at ${i}`);
      quoted = true;
      i++;
    } else if (c === ',') {
      row.push(field);
      field = '';
      i++;
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 2;
    } else if (c === '\n' || c === '\r') {
      throw new Error(`bare line break at ${i}`);
    } else {
      field += c;
      i++;
    }
  }
  if (quoted) throw new Error('unterminated quote');
  if (field !== '' || row.length > 0) throw new Error('last record not terminated by CRLF');
  return rows;
}

describe('renderCsv', () => {
  const report = makeReport();
  const rows = parseCsv(renderCsv(report));
  const header = rows[0] ?? [];
  const records = rows.slice(1).map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
  const section = (s: string) => records.filter((r) => r['section'] === s);

  it('is one rectangular table with section first', () => {
    expect(header[0]).toBe('section');
    for (const col of ['key', 'date', 'hits', 'bytes', 'visitors', 'visits', 'pages']) expect(header).toContain(col);
    for (const r of rows) expect(r.length).toBe(header.length);
  });

  it('parses back to the totals and days', () => {
    const [t] = section('totals');
    expect(Number(t?.['hits'])).toBe(10_000);
    expect(Number(t?.['visitors'])).toBe(1753);
    expect(Number(t?.['visits'])).toBe(2101);
    expect(Number(t?.['pages'])).toBe(3456);
    expect(Number(t?.['bytes'])).toBe(987_654_321);
    const days = section('days');
    expect(days.map((d) => d['date'])).toEqual(['2015-05-17', '2015-05-18', '2015-05-19']);
    expect(days.map((d) => Number(d['hits']))).toEqual([2000, 5000, 3000]);
    expect(days.map((d) => Number(d['bytes']))).toEqual([100_000_000, 500_000_000, 387_654_321]);
  });

  it('has one row per top-list entry, in order, with the (other) row unranked', () => {
    const urls = section('urls');
    expect(urls.map((u) => Number(u['hits']))).toEqual([4321, 17, 16, 15, 14, 13, 12, 777]);
    expect(urls.map((u) => u['rank'])).toEqual(['1', '2', '3', '4', '5', '6', '7', '']);
    expect(urls[7]?.['key']).toBe('(other)');
    expect(urls[0]?.['key']).toBe('/index.html');
    expect(urls[6]?.['key']).toBe(LONG_KEY); // CSV keeps whole keys
    expect(section('countries').map((c) => c['key'])).toEqual(['DE', '']);
    expect(section('ftpFiles').map((c) => Number(c['bytes']))).toEqual([4_000_000]);
    expect(Number(section('ftp')[0]?.['hits'])).toBe(42);
    expect(Number(section('rejected')[0]?.['hits'])).toBe(31);
    expect(section('rejectedReasons').map((r) => [r['key'], Number(r['hits'])])).toEqual([
      ['bad_time', 20],
      ['no_site', 11],
    ]);
  });

  it('neutralises formula starts and control characters in cells', () => {
    const keys = section('urls').map((u) => u['key']);
    expect(keys).toContain(`'${FORMULA_KEY}`);
    expect(section('searchTerms')[0]?.['key']).toBe("'+49 hotline");
    expect(keys).toContain('/a,b "quoted"\\x0d\\x0anext line');
    expect(keys).toContain('/x\\x1b[2J\\x1b]0;pwned\\x07\\x9b31m');
    for (const r of records) {
      for (const v of Object.values(r)) {
        expect(v).not.toMatch(UNSAFE);
        expect(/^[=+\-@\t\r]/.test(v), v).toBe(false);
      }
    }
  });

  it('carries the report meta', () => {
    const meta = Object.fromEntries(section('report').map((r) => [r['key'], r['value']]));
    expect(meta['site']).toBe('www.example.com');
    expect(meta['ipPolicy']).toBe('IP addresses shortened to /24 (IPv4) and /48 (IPv6)');
    expect(meta['rawWindowDays']).toBe('7');
    expect(meta['threshold']).toBe('3');
    expect(meta['attribution']).toContain('DB-IP');
  });
});

describe('renderCsvTable', () => {
  const report = makeReport();

  it('renders one list with rank,key,hits,bytes', () => {
    const rows = parseCsv(renderCsvTable(report, 'urls'));
    expect(rows[0]).toEqual(['rank', 'key', 'hits', 'bytes']);
    expect(rows[1]).toEqual(['1', '/index.html', '4321', '1234567']);
    expect(rows.at(-1)).toEqual(['', '(other)', '777', '7777']);
    expect(rows.map((r) => r[1])).toContain(`'${FORMULA_KEY}`);
  });

  it('renders days and FTP lists', () => {
    const days = parseCsv(renderCsvTable(report, 'days'));
    expect(days[0]).toEqual(['date', 'hits', 'bytes', 'visitors', 'visits', 'pages']);
    expect(days[2]).toEqual(['2015-05-18', '5000', '500000000', '900', '1001', '1800']);
    expect(parseCsv(renderCsvTable(report, 'ftpFiles'))[1]).toEqual(['1', '/pub/release.tar.gz', '40', '4000000']);
  });

  it('refuses an unknown table with a registered error code', () => {
    let err: unknown;
    try {
      renderCsvTable(report, 'nope' as TopList);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('ERR_REPORT_UNKNOWN_TABLE');
  });
});

const VOID = new Set(['meta', 'link', 'br', 'hr', 'img', 'input', 'col', 'wbr']);

/** Checks that every opened element is closed in order; returns the names of the opened elements. */
function checkNesting(html: string): string[] {
  const stack: string[] = [];
  const seen: string[] = [];
  const body = html.replace(/^<!DOCTYPE html>/, '');
  for (const m of body.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9-]*)\b([^>]*)>/g)) {
    const [, close, rawName, rest] = m;
    const name = (rawName ?? '').toLowerCase();
    if (close !== '/') seen.push(name);
    if (close === '/') {
      const top = stack.pop();
      if (top !== name) throw new Error(`</${name}> closes <${top ?? 'nothing'}>`);
    } else if (!VOID.has(name) && !(rest ?? '').endsWith('/')) {
      stack.push(name);
    }
  }
  if (stack.length > 0) throw new Error(`unclosed: ${stack.join(' > ')}`);
  return seen;
}

describe('renderHtml', () => {
  const report = makeReport();
  const html = renderHtml(report);
  const de = renderHtml(report, { lang: 'de' });

  it('is well-formed: every element closed in order, a named table per non-empty list plus days, hours and FTP', () => {
    const tags = checkNesting(html);
    const tables = [...html.matchAll(/<table\b([^>]*)>(<caption>)?/g)];
    const nonEmpty = TOP_LISTS.filter((l) => l !== 'hours' && (report.top[l].length > 0 || report.others[l] !== undefined));
    for (const l of nonEmpty) expect(html, l).toContain(`<table id="t-${l}" aria-labelledby="h-${l}">`);
    for (const l of TOP_LISTS.filter((x) => !nonEmpty.includes(x) && x !== 'hours')) expect(html, l).not.toContain(`id="t-${l}"`);
    for (const id of ['t-days', 't-hours', 't-daystats', 't-statusClasses', 't-ftpFiles']) expect(html).toContain(`id="${id}"`);
    // Every table has a name: its caption or the heading it points to.
    for (const t of tables) expect(t[2] === '<caption>' || /aria-labelledby="h-/.test(t[1] ?? ''), t[0]).toBe(true);
    expect(tags.filter((t) => t === 'table').length).toBe(tables.length);
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    checkNesting(de);
  });

  it('escapes hostile keys and controls', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('/&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).not.toMatch(UNSAFE);
    expect(html).toContain('\\x1b[2J');
    expect(html).not.toContain(LONG_KEY);
  });

  it('loads nothing from outside and runs no script', () => {
    expect(html).not.toMatch(/<(script|link|img|iframe|object)\b/i);
    expect(html).not.toMatch(/\s(src|srcset)=/i);
    expect(html).not.toMatch(/url\(/i);
    expect(html).toMatch(/Content-Security-Policy" content="default-src 'none'/);
    // The only links are the attribution's.
    expect([...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1])).toEqual(['https://db-ip.com']);
  });

  it('has totals, SVG charts with titles, accessible tables and the privacy policy', () => {
    expect(html).toContain('>10,000<');
    expect(html).toContain('>1,753<');
    expect((html.match(/<svg viewBox="0 0 720 /g) ?? []).length).toBe(2);
    expect(html).toMatch(/<svg [^>]*role="img" aria-labelledby="c-days-t"/);
    expect(html).toContain('<title id="c-days-t">Hits and visitors per day, 2015-05-17 to 2015-05-19</title>');
    expect(html).toContain('<title>05-18: Hits 5,000</title>');
    expect(html).toContain('<title>14: Hits 900</title>');
    const headerCells = [...html.matchAll(/<thead><tr>(.*?)<\/tr><\/thead>/g)].flatMap((m) => [...(m[1] ?? '').matchAll(/<th\b[^>]*>/g)]);
    expect(headerCells.length).toBeGreaterThan(0);
    for (const th of headerCells) expect(th[0]).toContain('scope="col"');
    expect(html).toContain('IP addresses: shortened to /24 (IPv4) and /48 (IPv6)');
    expect(html).toContain(MESSAGES.en.userPolicy.pseudonym);
    expect(html).toMatch(/<footer>[\s\S]*db-ip\.com[\s\S]*<\/footer>/);
    expect(html).toContain('name="viewport"');
    expect(html).toMatch(/max-width:\s*64rem/);
  });

  it('uses German labels and number formats with lang de', () => {
    expect(de).toContain('<html lang="de">');
    expect(de).toContain('Webstatistik für www.example.com');
    for (const label of ['Zugriffe', 'Besucher', 'Besuche', 'Seitenaufrufe', 'Länder', 'Suchbegriffe', 'Datenschutz']) {
      expect(de).toContain(label);
    }
    expect(de).toContain('>10.000<');
    expect(de).toContain('DE Deutschland');
    expect(de).toContain('IP-Adressen: gekürzt auf /24 (IPv4) und /48 (IPv6)');
    expect(de).not.toContain('Hits and visitors');
  });

  it('renders an empty report', () => {
    const empty: Report = {
      ...makeReport(),
      totals: { hits: 0, visitors: 0, visits: 0, pages: 0, ips: 0, bytes: 0, bots: 0, bounces: 0, visitSeconds: 0 },
      days: [],
      top: emptyTop(),
      others: {},
      ftp: { transfers: 0, bytes: 0, top: { ftpFiles: [], ftpIps: [], ftpUsers: [] } },
      rejected: { lines: 0, reasons: {} },
      meta: { ipPolicy: 'IP addresses removed', userPolicy: 'user names removed', attribution: [], privacy: { ip: [{ mode: 'drop', v4: null, v6: null }], user: [{ mode: 'drop' }], rawWindowDays: 0, threshold: 3 } },
    };
    const out = renderHtml(empty);
    const tags = checkNesting(out);
    // Only the days table (saying "no data"): no empty list, no hours of nothing.
    expect(tags.filter((t) => t === 'table').length).toBe(1);
    expect(out).toContain('no data');
    expect(out).toContain('IP addresses: not kept');
    const text = renderText(empty, { color: false });
    expect(text).toContain('no data');
    expect(text).not.toContain(MESSAGES.en.lists.users);
    expect(parseCsv(renderCsv(empty)).length).toBeGreaterThan(1);
  });
});

describe('i18n and formatting helpers', () => {
  it('has the same labels in both languages', () => {
    const shape = (o: object): string[] =>
      Object.entries(o)
        .flatMap(([k, v]) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? shape(v).map((s) => `${k}.${s}`) : [k]))
        .sort();
    expect(shape(MESSAGES.de)).toEqual(shape(MESSAGES.en));
    expect(messages('fr').lang).toBe('en');
  });

  it('describes the policies of the data in the reader language, from the data (nothing parsed from prose)', () => {
    const de = MESSAGES.de;
    const ip = (ip: 'full' | 'mask' | 'pseudonym' | 'drop') => ipPolicySpec({ ...DEFAULT_PRIVACY, ip, ipv4Prefix: 16, ipv6Prefix: 40 });
    expect(describeIpPolicy(de, [ip('mask')])).toBe('IP-Adressen: gekürzt auf /16 (IPv4) und /40 (IPv6)');
    expect(describeIpPolicy(MESSAGES.en, [ip('mask')])).toBe('IP addresses: shortened to /16 (IPv4) and /40 (IPv6)');
    expect(describeIpPolicy(de, [ip('pseudonym')])).toBe(de.ipPolicy.pseudonym);
    expect(describeIpPolicy(de, [ip('drop')])).toBe(de.ipPolicy.drop);
    expect(describeIpPolicy(de, [ip('full')])).toBe(de.ipPolicy.full);
    expect(describeIpPolicy(de, [ip('full'), ip('mask')])).toBe(`${de.ipPolicy.full}; ${de.ipPolicy.mask(16, 40)}`);
    expect(describeIpPolicy(de, [])).toBe(de.ipPolicy.none);
    for (const user of ['full', 'pseudonym', 'drop'] as const) {
      expect(describeUserPolicy(de, [userPolicySpec({ ...DEFAULT_PRIVACY, user })])).toBe(de.userPolicy[user]);
    }
  });

  it('formats byte sizes in binary units', () => {
    expect(humanBytes(0)).toBe('0 B');
    expect(humanBytes(1023)).toBe('1023 B');
    expect(humanBytes(1024)).toBe('1.0 KiB');
    expect(humanBytes(1536)).toBe('1.5 KiB');
    expect(humanBytes(1024 * 1024 - 1)).toBe('1.0 MiB');
    expect(humanBytes(5 * 1024 ** 3)).toBe('5.0 GiB');
    expect(humanBytes(1536, 'de-DE')).toBe('1,5 KiB');
  });

  it('escapes controls visibly and leaves clean text untouched', () => {
    const clean = 'Grüße/日本/ok';
    expect(escapeControls(clean)).toBe(clean);
    expect(escapeControls('a\x00b\x1bc\x7fd\x85e\u2066f')).toBe('a\\x00b\\x1bc\\x7fd\\x85e\\u{2066}f');
  });
});
