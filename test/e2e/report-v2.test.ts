/** `weblog report` v2 (issue 14): 24 hours in clock order in every format whatever --top, --compare. */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/contract.js';
import { REPO, tempStore, weblog } from '../helpers/cli.js';

const SAMPLE = join(REPO, 'fixtures', 'sample-access.log');
const CLOCK = Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0'));
let store: string;

async function report(...args: string[]): Promise<string> {
  const r = await weblog(['report', '--store', store, '--site', 'www.example.com', ...args]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

beforeAll(async () => {
  store = tempStore();
  const r = await weblog(['ingest', '--store', store, '--site', 'www.example.com', '--quiet', '--no-purge', SAMPLE]);
  expect(r.code, r.stderr).toBe(0);
});

describe('weblog report v2', () => {
  it('JSON: hours are 24 rows in clock order with --top 3 (and match --top 0), other lists are cut', async () => {
    const three = JSON.parse(await report('--format', 'json', '--top', '3')) as Report;
    const all = JSON.parse(await report('--format', 'json', '--top', '0')) as Report;
    expect(three.top.hours.map((h) => h.key)).toEqual(CLOCK);
    expect(three.top.hours).toEqual(all.top.hours);
    expect(three.top.hours.reduce((a, h) => a + h.hits, 0)).toBe(three.totals.hits);
    expect(three.top.urls).toHaveLength(3);
    expect(three.previous).toBeNull();
    expect(three.months.map((m) => m.month)).toEqual(['2024-03']);
  });

  it('CSV, text and HTML: the same 24 hours in clock order', async () => {
    const json = JSON.parse(await report('--format', 'json', '--top', '3')) as Report;
    const csv = (await report('--format', 'csv', '--top', '3')).split('\r\n').filter((l) => l.startsWith('hours,'));
    expect(csv.map((l) => l.split(',')[2])).toEqual(CLOCK);
    expect(csv.map((l) => Number(l.split(',')[4]))).toEqual(json.top.hours.map((h) => h.hits));
    const text = (await report('--format', 'text', '--top', '3', '--no-color')).split('\n');
    const at = text.indexOf('Hours of the day');
    expect(text.slice(at + 3, at + 27).map((l) => l.trim().split(/\s+/).slice(0, 2))).toEqual(json.top.hours.map((h) => [h.key, String(h.hits)]));
    const html = await report('--format', 'html', '--top', '3', '--lang', 'de');
    const table = /<table id="t-hours"[\s\S]*?<\/table>/.exec(html)![0];
    expect([...table.matchAll(/<th scope="row" class="d">(\d\d)</g)].map((m) => m[1])).toEqual(CLOCK);
  });

  it('--compare adds the previous period of equal length, in JSON and as deltas in text and HTML', async () => {
    const r = JSON.parse(await report('--format', 'json', '--compare', '--from', '2024-03-05', '--to', '2024-03-06')) as Report;
    expect(r.previous?.from).toBe('2024-03-03');
    expect(r.previous?.to).toBe('2024-03-04');
    const only4 = JSON.parse(await report('--format', 'json', '--from', '2024-03-04', '--to', '2024-03-04')) as Report;
    expect(r.previous?.totals.hits).toBe(only4.totals.hits);
    const text = await report('--compare', '--from', '2024-03-05', '--to', '2024-03-06', '--no-color');
    const pct = (((r.totals.hits - only4.totals.hits) / only4.totals.hits) * 100).toFixed(1);
    expect(text).toMatch(new RegExp(`Hits\\s+${r.totals.hits}\\s+\\+${pct.replace('.', '\\.')}%`));
    const html = await report('--format', 'html', '--compare', '--from', '2024-03-05', '--to', '2024-03-06');
    expect(html).toContain('compared with 2024-03-03 – 2024-03-04');
  });
});
