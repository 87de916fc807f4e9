/**
 * Pseudonyms through the whole CLI: the same address and user name get unrelated pseudonyms on
 * two customers' sites and on two days (keys per site and day), and one pseudonym within a
 * site-day, whether the lines go through one thread or two workers.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/contract.js';
import { tempStore, weblog } from '../helpers/cli.js';

const line = (site: string, day: string, ip: string, user: string) =>
  `${site}:443 ${ip} - ${user} [${day}/Mar/2024:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0"`;

describe('pseudonyms', () => {
  it.each([[[] as string[]], [['--workers', '2']]])('differ per site and per day, and are one per site-day (%j)', async (extra) => {
    const dir = mkdtempSync(join(tmpdir(), 'weblog-pseudo-'));
    const log = join(dir, 'access.log');
    const lines: string[] = [];
    for (const site of ['a.example', 'b.example']) for (const day of ['08', '09']) for (let i = 0; i < 2; i++) lines.push(line(site, day, '198.51.100.7', 'alice'));
    writeFileSync(log, `${lines.join('\n')}\n`);
    const store = tempStore();
    const r = await weblog(['ingest', '--store', store, '--format', 'vhost_combined', '--ip', 'pseudonym', '--user', 'pseudonym', '--now', '2024-03-10', '--quiet', ...extra, log]);
    expect(r.code, r.stderr).toBe(0);
    const seen = { ips: [] as string[], users: [] as string[] };
    for (const site of ['a.example', 'b.example']) {
      for (const day of ['2024-03-08', '2024-03-09']) {
        const rep = await weblog(['report', '--store', store, '--site', site, '--from', day, '--to', day, '--format', 'json', '--threshold', '1', '--top', '0']);
        expect(rep.code, rep.stderr).toBe(0);
        const report = JSON.parse(rep.stdout) as Report;
        expect(report.top.ips).toHaveLength(1);
        expect(report.top.ips[0]).toMatchObject({ hits: 2 });
        expect(report.top.users).toHaveLength(1);
        seen.ips.push(report.top.ips[0]!.key);
        seen.users.push(report.top.users[0]!.key);
        expect(rep.stdout).not.toContain('198.51.100');
        expect(rep.stdout).not.toContain('alice');
      }
    }
    expect(new Set(seen.ips).size).toBe(4);
    expect(new Set(seen.users).size).toBe(4);
    for (const k of seen.ips) expect(k).toMatch(/^ip-/);
  }, 60_000);
});
