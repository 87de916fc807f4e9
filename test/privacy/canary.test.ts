/**
 * The privacy canary (docs/privacy.md): known IPs, user names and secrets go through the whole
 * pipeline, then every byte of every file the store has (the SQLite file, its WAL and shared
 * memory, the key file, the raw spool) is searched for them. They may appear only where the
 * policy keeps them, and after the raw window has passed, nowhere but where `full` put them.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/contract.js';
import { tempStore, weblog } from '../helpers/cli.js';

const IP4 = '203.0.113.197';
const IP6 = '2001:db8:dead:beef:1:2:3:1234';
const USER = 'canaryuser_zq';
const SECRET = 'canarysecret4711';
const EMAIL = 'canary.person';
const PASS = 'canarypass99';

const lines = [
  `${IP4} - ${USER} [01/Mar/2024:10:00:00 +0100] "GET /account?token=${SECRET}&page=2 HTTP/1.1" 200 512 "http://user:${PASS}@ref.example/from?q=${SECRET}" "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"`,
  `${IP4} - ${USER} [01/Mar/2024:10:01:00 +0100] "GET /u/${EMAIL}%40example.com/profile HTTP/1.1" 200 100 "-" "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"`,
  `${IP6} - - [02/Mar/2024:11:00:00 +0100] "GET /search?q=${SECRET} HTTP/1.1" 404 10 "https://www.google.com/search?q=${EMAIL}%40example.com" "curl/8.0"`,
  `${IP6} - ${USER} [02/Mar/2024:11:00:05 +0100] "POST /login HTTP/1.1" 401 10 "-" "curl/8.0"`,
];

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** Which canaries occur in which files (by base name, raw spool files as `raw`). */
function scan(dir: string): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  for (const f of filesUnder(dir)) {
    const bytes = readFileSync(f);
    const kind = f.includes('.raw/') ? 'raw' : f.slice(dir.length + 1);
    for (const c of [IP4, IP6, USER, SECRET, EMAIL, PASS]) {
      if (bytes.includes(Buffer.from(c, 'latin1'))) {
        const s = found.get(c) ?? new Set<string>();
        s.add(kind);
        found.set(c, s);
      }
    }
  }
  return found;
}

async function run(policy: readonly string[], rawWindow: number) {
  const store = tempStore();
  // The input lives outside the folder that is scanned: only what weblog wrote is searched.
  const inDir = dirname(tempStore());
  const log = join(inDir, 'access.log');
  writeFileSync(log, `${lines.join('\n')}\n`);
  const pipeline = join(inDir, 'p.yaml');
  writeFileSync(
    pipeline,
    `source: { type: file, paths: [${log}] }\nformat: { type: combined }\nrouting: { type: fixed, site: shop.example }\nprivacy: { rawWindowDays: ${rawWindow} }\n`,
  );
  const ing = await weblog(['ingest', '--pipeline', pipeline, '--store', store, '--now', '2024-03-05', ...policy]);
  expect(ing.code, ing.stderr).toBe(0);
  for (const c of [IP4, IP6, USER, SECRET, PASS]) expect(ing.stderr).not.toContain(c);
  const report = async () => {
    const r = await weblog(['report', '--store', store, '--site', 'shop.example', '--format', 'json', '--threshold', '1', '--top', '0']);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as Report;
  };
  return { store, dir: dirname(store), report };
}

describe('privacy canary: no raw value in any byte of the store unless the policy keeps it', () => {
  for (const [name, flags, keeps] of [
    ['default (mask, pseudonym)', [], { ip: false, user: false }],
    ['pseudonym IPs, dropped users', ['--ip', 'pseudonym', '--user', 'drop'], { ip: false, user: false }],
    ['dropped IPs', ['--ip', 'drop'], { ip: false, user: false }],
    ['full IPs and users (chosen explicitly)', ['--ip', 'full', '--user', 'full'], { ip: true, user: true }],
  ] as const) {
    it(`${name}, raw window 0`, async () => {
      const { dir, report } = await run(flags, 0);
      const found = scan(dir);
      const where = (c: string) => [...(found.get(c) ?? [])];
      expect(where(IP4).length > 0).toBe(keeps.ip);
      expect(where(IP6).length > 0).toBe(keeps.ip);
      expect(where(USER).length > 0).toBe(keeps.user);
      expect(where(SECRET)).toEqual([]);
      expect(where(EMAIL)).toEqual([]);
      expect(where(PASS)).toEqual([]);
      for (const c of [IP4, IP6, USER]) for (const k of where(c)) expect(k).not.toBe('raw');
      const r = await report();
      expect(r.totals.hits).toBe(4);
    });
  }

  it('raw window 7: raw values only in the raw spool, and gone after purge while totals stay', async () => {
    const { store, dir, report } = await run([], 7);
    const before = await report();
    const found = scan(dir);
    const where = (c: string) => [...(found.get(c) ?? [])];
    expect(where(IP4)).toEqual(['raw']);
    expect(where(USER)).toEqual(['raw']);
    expect(where(SECRET)).toEqual(['raw']);
    const purge = await weblog(['purge', '--store', store, '--now', '2024-06-01']);
    expect(purge.code, purge.stderr).toBe(0);
    expect(purge.stdout).toMatch(/2 raw files deleted/);
    const after = scan(dir);
    for (const c of [IP4, IP6, USER, SECRET, EMAIL, PASS]) {
      expect([...(after.get(c) ?? [])], c).toEqual([]);
    }
    expect(await report()).toEqual(before);
    // Idempotent, and audited.
    expect((await weblog(['purge', '--store', store, '--now', '2024-06-01'])).stdout).toMatch(/0 raw files deleted, 0 keys destroyed, 0 sites deleted/);
    const status = await weblog(['retention', 'status', '--store', store, '--json']);
    expect(JSON.parse(status.stdout)).toEqual([
      expect.objectContaining({ site: 'shop.example', rawWindowDays: 7, oldestRaw: null, keysAlive: 0 }),
    ]);
  });
});
