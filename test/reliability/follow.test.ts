/**
 * Follow mode and graceful shutdown: rotated history read once, a partial last line waits for
 * its newline, late lines count on their own day, SIGTERM commits and exits 0, a restart
 * resumes from the checkpoint; stdin ingest stops on SIGTERM with what it read committed.
 */
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/contract.js';
import { weblog } from '../helpers/cli.js';
import { sleep, startCli, summaryCounts, waitFor } from './helpers.js';

const line = (day: string, n: number) => `192.0.2.${n % 250} - - [${day}/Mar/2024:10:00:${String(n % 60).padStart(2, '0')} +0000] "GET /p${n} HTTP/1.1" 200 10 "-" "curl/8"`;
const lines = (day: string, from: number, count: number) => Array.from({ length: count }, (_, i) => `${line(day, from + i)}\n`).join('');

async function report(store: string): Promise<Report> {
  const r = await weblog(['report', '--store', store, '--site', 's', '--format', 'json', '--threshold', '1', '--top', '0']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Report;
}

describe('ingest --follow', () => {
  it('history once, partial lines wait, late lines on their day, SIGTERM exits 0, restart resumes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weblog-follow-'));
    const log = join(dir, 'access.log');
    const store = join(dir, 'w.db');
    writeFileSync(`${log}.2.gz`, gzipSync(lines('03', 0, 100)));
    writeFileSync(`${log}.1`, lines('04', 100, 50));
    writeFileSync(log, lines('05', 150, 30) + line('05', 180).slice(0, 40));
    const args = ['ingest', '--follow', '--site', 's', '--store', store, '--commit-interval', '1', '--poll-interval', '50', '--no-purge', log];
    const c = startCli(args);
    c.proc.stdin.end();
    await waitFor('follow to start', () => c.stderr().includes('following 1 file'), 30_000);
    let r = await report(store);
    expect(r.totals.hits).toBe(180); // the partial 181st line is not consumed
    await sleep(1500);
    expect((await report(store)).totals.hits).toBe(180);
    appendFileSync(log, `${line('05', 180).slice(40)}\n${line('01', 999)}\n`); // its rest, and a late line
    const t0 = Date.now();
    while ((await report(store)).totals.hits < 182 && Date.now() - t0 < 10_000) await sleep(200);
    r = await report(store);
    expect(r.totals.hits).toBe(182);
    expect(r.rejected.lines).toBe(0); // the line cut in two appends was read as one
    expect(r.days.find((d) => d.date === '2024-03-01')?.hits).toBe(1);
    expect(r.days.map((d) => [d.date, d.hits])).toEqual([
      ['2024-03-01', 1],
      ['2024-03-03', 100],
      ['2024-03-04', 50],
      ['2024-03-05', 31],
    ]);
    c.proc.kill('SIGTERM');
    const done = await c.done;
    expect(done.code, c.stderr()).toBe(0);
    expect(c.stderr()).toMatch(/SIGTERM, committing what was read/);

    // Restart: nothing is read twice, new lines are picked up.
    appendFileSync(log, lines('06', 200, 5));
    const c2 = startCli(args);
    c2.proc.stdin.end();
    await waitFor('restart', () => c2.stderr().includes('following 1 file'), 30_000);
    c2.proc.kill('SIGINT');
    expect((await c2.done).code).toBe(0);
    r = await report(store);
    expect(r.totals.hits).toBe(187);
  }, 60_000);
});

describe('graceful shutdown of a stdin ingest', () => {
  it('SIGTERM while stdin is still open: what was read is committed, exit 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weblog-sigterm-'));
    const store = join(dir, 'w.db');
    const c = startCli(['ingest', '--site', 's', '--store', store, '--no-purge', '-']);
    c.proc.stdin.write(lines('05', 0, 1000)); // > 64 KB: format detection is done with it
    await waitFor('detection', () => c.stderr().includes('detected format'), 30_000);
    await sleep(300);
    c.proc.kill('SIGTERM');
    const r = await c.done;
    expect(r.code, c.stderr()).toBe(0);
    const s = summaryCounts(c.stderr());
    expect(s.read).toBeGreaterThan(0);
    expect(s.read).toBeLessThanOrEqual(1000);
    expect((await report(store)).totals.hits).toBe(s.counted);
  }, 60_000);
});
