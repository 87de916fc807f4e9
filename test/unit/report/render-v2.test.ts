/**
 * The v2 panels in every format (issue 14), on a report with every field filled: 24 hours in
 * clock order, a continuous date axis, months, deltas against the previous period, bounce rate
 * and visit duration, status classes, slow pages, entry/exit pages, versions, file types,
 * methods, protocols, the undeduplicated-days footnote, German key names, FTP-only sites.
 */
import { describe, expect, it } from 'vitest';
import { buildReport } from '../../../src/report/build.js';
import type { Report } from '../../../src/report/contract.js';
import { MESSAGES, renderCsv, renderCsvTable, renderHtml, renderText } from '../../../src/report/render/index.js';
import { fullStored, previousStored } from '../../helpers/full-report.js';

const CLOCK = Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0'));
const full = (): Report => buildReport(fullStored(), { top: 10, previous: previousStored() });

function ftpOnly(): Report {
  const s = fullStored('ftp.example');
  s.days = s.days.map((d) => ({ ...d, hits: 0, visitors: 0, visits: 0, pages: 0, bytes: 0, bots: 0, bounces: 0, visitSeconds: 0, ftpTransfers: 3, ftpBytes: 3000 }));
  for (const k of Object.keys(s.top) as (keyof typeof s.top)[]) s.top[k] = [];
  s.top.ftpFiles = [{ key: '/pub/a.tar.gz', hits: 87, bytes: 87_000 }];
  s.others = {};
  s.undeduplicatedDays = [];
  return buildReport(s);
}

/** Small RFC 4180 reader (quoted fields with commas and doubled quotes; CRLF records). */
function csvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\r' && text[i + 1] === '\n') row.push(field), rows.push(row), (row = []), (field = ''), i++;
    else field += c;
  }
  return rows;
}

describe('text (v2)', () => {
  const out = renderText(full(), { color: false, width: 100 });
  const lines = out.split('\n');

  it('24 hours in clock order, and every day of the range with empty days as zero', () => {
    const start = lines.indexOf(MESSAGES.en.lists.hours);
    const hourLines = lines.slice(start + 3, start + 27).map((l) => l.trim().slice(0, 2));
    expect(hourLines).toEqual(CLOCK);
    expect(lines.find((l) => l.trim().startsWith('2024-03-05'))).toMatch(/^\s+2024-03-05\s+0\s+0 B\s+0\s+0\s+0$/);
    expect(lines.filter((l) => /^\s+2024-03-\d\d/.test(l))).toHaveLength(31);
  });

  it('deltas against the previous period, bounce rate, average visit, min/avg/max per day, months', () => {
    expect(lines.find((l) => l.trim().startsWith('Hits '))).toMatch(/15045\s+\+61\.8%$/);
    expect(out).toContain('Previous period: 2024-01-30 – 2024-02-29');
    expect(lines.find((l) => l.includes('Bounce rate'))).toMatch(/40\.01%/);
    expect(lines.find((l) => l.includes('Average visit'))).toMatch(/1:35/);
    expect(out).toContain(MESSAGES.en.dayStats);
    expect(lines.find((l) => l.trim().startsWith('Hits') && l.includes('649'))).toMatch(/^\s+Hits\s+0\s+485\s+649$/);
  });

  it('slow pages, entry pages as a share of visits, status classes, versions, file types, methods, protocols', () => {
    expect(lines.find((l) => l.trim().startsWith('/search'))).toMatch(/200\s+1 min 36 s\s+480 ms\s+4\.20 s$/);
    const entry = lines.indexOf(MESSAGES.en.lists.entryPages);
    expect(lines[entry + 2]).toMatch(/Visits/);
    expect(lines[entry + 3]).toMatch(/^\s+1\s+\/\s+800\s+42\.51%$/);
    expect(lines.find((l) => l.includes('2xx Success'))).toMatch(/13045\s+86\.71%/);
    expect(lines.find((l) => l.includes('5xx Server error'))).toMatch(/100\s+0\.66%/);
    expect(out).toContain('404 Not found');
    for (const k of ['Chrome 120', 'Windows 10', 'HTTP/2.0', 'POST', 'png']) expect(out).toContain(k);
    expect(out).toContain('Visitors *');
    expect(out).toContain('2024-03-04*');
  });

  it('German names for Unknown and devices; no web part for an FTP-only site', () => {
    const de = renderText(full(), { color: false, lang: 'de', width: 100 });
    expect(de).toMatch(/Unbekannt\s+2300/);
    expect(de).toMatch(/Mobiltelefon\s+3000/);
    expect(de).toContain('Absprungrate');
    const ftp = renderText(ftpOnly(), { color: false });
    expect(ftp).toContain('FTP transfers');
    expect(ftp).toContain('/pub/a.tar.gz');
    for (const gone of ['Totals', 'Per day', 'Hours of the day', 'Authenticated users']) expect(ftp).not.toContain(gone);
  });
});

describe('CSV (v2)', () => {
  const report = full();
  const rows = csvRows(renderCsv(report));
  const header = rows[0]!;
  const col = (r: string[], c: string): string => r[header.indexOf(c)] ?? '';
  const section = (s: string) => rows.filter((r) => r[0] === s);

  it('appends the new columns and keeps the old ones where they were', () => {
    expect(header).toEqual(['section', 'rank', 'key', 'date', 'hits', 'bytes', 'visitors', 'visits', 'pages', 'ips', 'bots', 'value', 'bounces', 'visitSeconds', 'totalMs', 'avgMs', 'maxMs']);
    for (const r of rows) expect(r.length).toBe(header.length);
  });

  it('totals with bounces and visit seconds, the previous period, months, undeduplicated days', () => {
    const [t] = section('totals');
    expect(Number(col(t!, 'bounces'))).toBe(report.totals.bounces);
    expect(Number(col(t!, 'visitSeconds'))).toBe(report.totals.visitSeconds);
    const [p] = section('previous');
    expect(Number(col(p!, 'hits'))).toBe(9300);
    const meta = Object.fromEntries(section('report').map((r) => [col(r, 'key'), col(r, 'value')]));
    expect([meta['previousFrom'], meta['previousTo']]).toEqual(['2024-01-30', '2024-02-29']);
    expect(section('months').map((r) => [col(r, 'date'), Number(col(r, 'hits'))])).toEqual([['2024-03', report.totals.hits]]);
    expect(section('undeduplicatedDays').map((r) => col(r, 'date'))).toEqual(['2024-03-04']);
  });

  it('24 hours in clock order and slow pages with their times', () => {
    expect(section('hours').map((r) => col(r, 'key'))).toEqual(CLOCK);
    expect(section('slowPages').map((r) => [col(r, 'key'), col(r, 'totalMs'), col(r, 'avgMs'), col(r, 'maxMs')])).toEqual([
      ['/', '120000', '40', '900'],
      ['/search', '96000', '480', '4200'],
      ['/blog/', '27000', '30', '310'],
    ]);
    expect(csvRows(renderCsvTable(report, 'slowPages'))[0]).toEqual(['rank', 'key', 'hits', 'bytes', 'totalMs', 'avgMs', 'maxMs']);
    expect(csvRows(renderCsvTable(report, 'months'))).toEqual([
      ['month', 'hits', 'bytes', 'visitors', 'visits', 'pages'],
      ['2024-03', String(report.totals.hits), String(report.totals.bytes), String(report.totals.visitors), String(report.totals.visits), String(report.totals.pages)],
    ]);
    expect(csvRows(renderCsvTable(report, 'hours')).slice(1).map((r) => r[1])).toEqual(CLOCK);
  });
});

describe('HTML (v2)', () => {
  const html = renderHtml(full());
  const de = renderHtml(full(), { lang: 'de' });
  const rowKeys = (doc: string, id: string): string[] => {
    const table = new RegExp(`<table id="${id}"[\\s\\S]*?</table>`).exec(doc)?.[0] ?? '';
    return [...table.matchAll(/<th scope="row"[^>]*>([^<*]*)/g)].map((x) => x[1]!.trim());
  };

  it('24 hours in clock order, a continuous date axis, the month history when the range spans months', () => {
    expect(rowKeys(html, 't-hours')).toEqual(CLOCK);
    const days = rowKeys(html, 't-days');
    expect(days).toHaveLength(31);
    expect(days[4]).toBe('2024-03-05');
    expect(html).toContain('<title>03-05: Hits 0</title>');
    expect(html).not.toContain('id="t-months"');
    const two = renderHtml({ ...full(), months: [...full().months, { month: '2024-04', hits: 1, visitors: 1, visits: 1, pages: 1, bytes: 1 }] });
    expect(rowKeys(two, 't-months')).toEqual(['2024-03', '2024-04']);
  });

  it('deltas on the cards, with the compared period for screen readers', () => {
    expect(html).toMatch(/<dt>Hits<\/dt><dd>15,045<\/dd><dd class="delta up"><span aria-hidden="true">▲ <\/span>\+61\.8%<span class="visually-hidden"> compared with 2024-01-30 – 2024-02-29<\/span><\/dd>/);
    expect(html).toContain('<dt>Bounce rate</dt><dd>40.01%</dd>');
    expect(html).toContain('<dt>Average visit</dt><dd>1:35</dd>');
  });

  it('a bar in every top-list row, share bars for browsers/OS/devices/countries, versions under each family', () => {
    const bodies = [...html.matchAll(/<table id="t-(urls|countries|fileTypes)"[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/g)].map((t) => t[2]!);
    expect(bodies).toHaveLength(3);
    const rows = bodies.flatMap((b) => [...b.matchAll(/<tr>|<tr class="other">/g)]);
    const bars = bodies.flatMap((b) => [...b.matchAll(/<svg class="bar"/g)]);
    expect(rows.length).toBe(5 + 1 + 4 + 5);
    expect(bars.length).toBe(rows.length);
    for (const l of ['browsers', 'os', 'devices', 'countries']) expect(html).toMatch(new RegExp(`<h3 id="h-${l}">[^<]*</h3><figure><svg class="share"`));
    const chrome = /<th scope="row">Chrome<svg[\s\S]*?<\/th>/.exec(html)?.[0] ?? '';
    expect(chrome).toContain('<details class="ver"><summary>2 versions</summary>');
    expect(chrome).toContain('Chrome 120');
    expect(chrome).not.toContain('Firefox');
  });

  it('slow pages, entry and exit pages by visits, status classes with meanings, file types, methods, protocols', () => {
    expect(rowKeys(html, 't-slowPages')).toEqual(['/', '/search', '/blog/']);
    expect(html).toMatch(/<table id="t-entryPages"[^>]*><thead><tr><th scope="col" class="n rk">#<\/th><th scope="col">URL<\/th><th scope="col" class="n">Visits<\/th><th scope="col" class="n">%<\/th><\/tr>/);
    expect(rowKeys(html, 't-statusClasses')).toEqual(['2xx Success', '3xx Redirection', '4xx Client error', '5xx Server error']);
    expect(rowKeys(html, 't-statusCodes')).toContain('304 Not modified (cached copy still valid)');
    for (const t of ['t-fileTypes', 't-methods', 't-protocols', 't-exitPages']) expect(html).toContain(`id="${t}"`);
    expect(html).toContain('* Visitors and visits of days marked *');
    expect(html).not.toContain('id="t-users"');
  });

  it('explains the metrics, in German too, with German key names', () => {
    expect(html).toContain('<summary>What the numbers mean</summary>');
    expect(html).toContain(MESSAGES.en.explain.visitors);
    expect(de).toContain(MESSAGES.de.explain.visitors);
    expect(rowKeys(de, 't-devices')).toEqual(['Desktop', 'Mobiltelefon', 'Bot', 'Tablet']);
    expect(rowKeys(de, 't-browsers')).toContain('Unbekannt');
    expect(de).toContain('Daten&shy;volumen');
  });

  it('an FTP-only site is only its FTP part', () => {
    const ftp = renderHtml(ftpOnly());
    expect(ftp).toContain('id="s-ftp"');
    for (const gone of ['s-totals', 't-days', 't-hours', 's-pages', 'h-users']) expect(ftp).not.toContain(`id="${gone}"`);
  });
});

describe('every row of a busy site (--top 0)', () => {
  it('renders 300,000 rows of a list in every format: no call stack limit on the widths and bar scales', () => {
    const s = fullStored();
    const n = 300_000;
    s.top.ips = Array.from({ length: n }, (_, i) => ({ key: `198.51.${i >> 8}.${i & 255}`, hits: n - i, bytes: 10 * (n - i) }));
    s.top.slowPages = Array.from({ length: n }, (_, i) => ({ key: `/p${i}`, hits: 1, bytes: 1, totalMs: n - i, maxMs: 1 }));
    const r = buildReport(s, { top: 0, threshold: 1 });
    const last = `198.51.${(n - 1) >> 8}.${(n - 1) & 255}`;
    for (const out of [renderText(r, { color: false }), renderHtml(r), renderCsv(r)]) expect(out).toContain(last);
  });
});
