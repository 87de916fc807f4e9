/**
 * The privacy canary (docs/privacy.md): known IPs, user names and secrets go through the whole
 * pipeline, then every byte of every file the store has (the SQLite file, its WAL and shared
 * memory, the key file, the raw spool) is searched for them. They may appear only where the
 * policy keeps them, and after the raw window has passed, nowhere but where `full` put them.
 * The same holds with worker threads, for HTTP ingest through `weblog serve` (whose own output
 * is searched too), after an ingest stopped by SIGINT, and for every table of a ClickHouse store.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLines } from '../../fixtures/generate.js';
import type { Report } from '../../src/report/contract.js';
import { rawSpoolDirFor } from '../../src/store/raw-spool.js';
import { REPO, tempStore, weblog } from '../helpers/cli.js';
import { forEachServer, freshUrl } from '../integration/clickhouse/helpers.js';
import { bearer } from '../server/helpers.js';
import { startServe, storeWithOperator } from '../server/process.js';

const IP4 = '203.0.113.197';
const IP6 = '2001:db8:dead:beef:1:2:3:1234';
const USER = 'canaryuser_zq';
const SECRET = 'canarysecret4711';
const EMAIL = 'canary.person';
const PASS = 'canarypass99';

const CANARIES = [IP4, IP6, USER, SECRET, EMAIL, PASS];

/** The canary lines on two days, given as `01/Mar/2024`. */
function canaryLines(day1 = '01/Mar/2024', day2 = '02/Mar/2024'): string[] {
  return [
    `${IP4} - ${USER} [${day1}:10:00:00 +0100] "GET /account?token=${SECRET}&page=2 HTTP/1.1" 200 512 "http://user:${PASS}@ref.example/from?q=${SECRET}" "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"`,
    `${IP4} - ${USER} [${day1}:10:01:00 +0100] "GET /u/${EMAIL}%40example.com/profile HTTP/1.1" 200 100 "-" "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"`,
    `${IP6} - - [${day2}:11:00:00 +0100] "GET /search?q=${SECRET} HTTP/1.1" 404 10 "https://www.google.com/search?q=${EMAIL}%40example.com" "curl/8.0"`,
    `${IP6} - ${USER} [${day2}:11:00:05 +0100] "POST /login HTTP/1.1" 401 10 "-" "curl/8.0"`,
  ];
}
const lines = canaryLines();

/** The canaries found in a text (a log, a table dump). */
function canariesIn(text: string): string[] {
  return CANARIES.filter((c) => text.includes(c));
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
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
    for (const c of CANARIES) {
      if (bytes.includes(Buffer.from(c, 'latin1'))) {
        const s = found.get(c) ?? new Set<string>();
        s.add(kind);
        found.set(c, s);
      }
    }
  }
  return found;
}

async function run(policy: readonly string[], rawWindow: number, storeLocation = tempStore()) {
  const store = storeLocation;
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
  return { store, dir: dirname(store), report, stderr: ing.stderr };
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

  for (const workers of [[], ['--workers', '2']]) {
    it(`raw window 7${workers.length > 0 ? ', --workers 2' : ''}: raw values only in the raw spool, and gone after purge while totals stay`, async () => {
      const { store, dir, report, stderr } = await run(workers, 7);
      expect(canariesIn(stderr)).toEqual([]);
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
  }
});

/** `01/Mar/2024` of a date. */
function logDay(d: Date): string {
  const m = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()]!;
  return `${String(d.getUTCDate()).padStart(2, '0')}/${m}/${d.getUTCFullYear()}`;
}

const DAY_MS = 86_400_000;

describe('privacy canary: HTTP ingest through weblog serve, and the server’s own output', () => {
  it('raw values only in the raw spool, never in the server’s stdout/stderr or answers, and nowhere after purge', async () => {
    const store = tempStore();
    const operator = await storeWithOperator(store, ['shop.example']);
    // serve's raw window and purge use the real clock: the canary days are today and yesterday.
    const now = Date.now();
    const body = `${canaryLines(logDay(new Date(now - DAY_MS)), logDay(new Date(now))).join('\n')}\n`;
    const serve = await startServe(['--store', store, '--format', 'combined', '--log-level', 'debug', '--trust-proxy']);
    const answers: string[] = [];
    try {
      const res = await fetch(`${serve.base}/ingest/shop.example`, { method: 'POST', body, headers: { ...bearer(operator), 'content-type': 'text/plain' } });
      expect(res.status).toBe(200);
      answers.push(await res.text());
      // Requests that carry canaries where a server might log them: query, forwarding header,
      // agent, credentials, cookie, form body.
      const carrying = { 'x-forwarded-for': `${IP6}, ${IP4}`, 'user-agent': `agent ${USER}`, cookie: `weblog_session=${SECRET}` };
      const report = await fetch(`${serve.base}/api/sites/shop.example/report?top=0`, { headers: { ...bearer(operator), ...carrying } });
      expect(report.status).toBe(200);
      answers.push(await report.text());
      // (Pages may echo a requester's own query back to it in their links: only the logs matter here.)
      for (const r of [
        await fetch(`${serve.base}/api/sites/shop.example/report?x=${SECRET}`, { headers: { ...bearer(operator), ...carrying } }),
        await fetch(`${serve.base}/api/sites?q=${EMAIL}`, { headers: { authorization: `Bearer wl_${SECRET}`, ...carrying } }),
        await fetch(`${serve.base}/login?lang=en&u=${USER}`, { method: 'POST', body: `token=${PASS}`, headers: { 'content-type': 'application/x-www-form-urlencoded', ...carrying } }),
        await fetch(`${serve.base}/sites/shop.example?from=${IP4}`, { headers: carrying }),
      ]) {
        expect(r.status).toBeGreaterThanOrEqual(200);
        await r.arrayBuffer();
      }
      const found = scan(dirname(store));
      for (const c of [IP4, IP6, USER, SECRET]) expect([c, [...(found.get(c) ?? [])]]).toEqual([c, ['raw']]);
    } finally {
      serve.child.kill('SIGTERM');
      expect(await serve.exited).toBe(0);
    }
    expect(canariesIn(serve.stdout())).toEqual([]);
    expect(canariesIn(serve.stderr())).toEqual([]);
    expect(serve.stdout().length).toBeGreaterThan(0);
    // The ingest answer and the report have the site's data, never a raw value.
    expect(answers.join('\n')).toContain('shop.example');
    expect(canariesIn(answers.join('\n'))).toEqual([]);
    const later = new Date(now + 30 * DAY_MS).toISOString().slice(0, 10);
    const purge = await weblog(['purge', '--store', store, '--now', later]);
    expect(purge.code, purge.stderr).toBe(0);
    expect(purge.stdout).toMatch(/2 raw files deleted, [1-9]\d* keys destroyed/);
    expect(scan(dirname(store))).toEqual(new Map());
  });
});

/** `weblog ingest` as a child process, stopped by `signals` once its raw spool holds a day (a batch was written). */
function interruptedIngest(args: string[], rawDir: string, signals: NodeJS.Signals[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'test', 'helpers', 'entry.ts'), 'ingest', ...args], { cwd: REPO, env: { ...process.env, NO_COLOR: '1' } });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdout.resume();
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(poll);
      resolve({ code, stderr });
    });
    const poll = setInterval(() => {
      if (!existsSync(rawDir) || readdirSync(rawDir).length === 0) return;
      clearInterval(poll);
      signals.forEach((sig, i) => setTimeout(() => child.kill(sig), i * 30));
    }, 10);
  });
}

describe('privacy canary: an ingest stopped by SIGINT, then purge', () => {
  // Canary lines spread through a log long enough to be stopped halfway.
  const generated = [...generateLines({ lines: 120_000, seed: 13, days: 2, start: '2024-03-01', malformed: 0 })];
  for (let i = 0; i < generated.length; i += 6000) generated.splice(i, 0, ...canaryLines());

  for (const signals of [['SIGINT'], ['SIGINT', 'SIGINT']] as NodeJS.Signals[][]) {
    it(`${signals.join(' + ')}: no canary in any byte after purge`, async () => {
      const store = tempStore();
      const log = join(dirname(tempStore()), 'big.log');
      writeFileSync(log, `${generated.join('\n')}\n`);
      const r = await interruptedIngest(['--store', store, '--site', 'shop.example', '--format', 'combined', '--batch-lines', '2000', '--now', '2024-03-05', '--no-purge', log], `${store}.raw`, signals);
      // One signal: stops at a line boundary and commits (0). Two: ends at once (a signal's exit).
      if (signals.length === 1) expect(r.code, r.stderr).toBe(0);
      expect(canariesIn(r.stderr)).toEqual([]);
      const found = scan(dirname(store));
      // The search sees them where they belong (the raw spool of what was read), and only there.
      expect(found.get(IP4)).toEqual(new Set(['raw']));
      for (const [c, where] of found) expect([c, [...where]]).toEqual([c, ['raw']]);
      if (signals.length === 1) {
        const rep = await weblog(['report', '--store', store, '--site', 'shop.example', '--format', 'json', '--top', '0']);
        const hits = (JSON.parse(rep.stdout) as Report).totals.hits;
        expect(hits).toBeGreaterThan(0);
        expect(hits).toBeLessThan(generated.length);
      }
      const purge = await weblog(['purge', '--store', store, '--now', '2024-06-01']);
      expect(purge.code, purge.stderr).toBe(0);
      expect(scan(dirname(store))).toEqual(new Map());
      const status = JSON.parse((await weblog(['retention', 'status', '--store', store, '--json'])).stdout) as { keysAlive: number; oldestRaw: string | null }[];
      for (const s of status) expect(s).toMatchObject({ keysAlive: 0, oldestRaw: null });
    });
  }
});

forEachServer('privacy canary: the ClickHouse store', (server) => {
  let xdg: string | undefined;
  beforeAll(() => {
    // The raw window of a ClickHouse store lives under $XDG_DATA_HOME on the ingesting machine.
    xdg = process.env.XDG_DATA_HOME;
    process.env.XDG_DATA_HOME = dirname(tempStore());
  });
  afterAll(() => {
    if (xdg === undefined) delete process.env.XDG_DATA_HOME;
    else process.env.XDG_DATA_HOME = xdg;
  });

  /** Every row of every table of the store's databases (data and keys), as text. */
  async function dumpTables(url: string): Promise<Map<string, string>> {
    const u = new URL(url);
    const http = `http://${u.hostname}:${u.port}/`;
    const db = u.pathname.replace(/^\//, '');
    const q = async (sql: string): Promise<string> => {
      const res = await fetch(http, { method: 'POST', body: sql, headers: { 'x-clickhouse-user': decodeURIComponent(u.username) || 'default', 'x-clickhouse-key': decodeURIComponent(u.password) } });
      const text = await res.text();
      if (!res.ok) throw new Error(`${sql}: ${text}`);
      return text;
    };
    const tables = (await q(`SELECT database, name FROM system.tables WHERE database IN ('${db}', '${db}_keys') AND engine NOT LIKE 'View%' FORMAT TabSeparated`))
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.split('\t') as [string, string]);
    expect(tables.length).toBeGreaterThan(10);
    const out = new Map<string, string>();
    for (const [d, t] of tables) out.set(`${d}.${t}`, await q(`SELECT * FROM ${d}.${t} FORMAT TabSeparated`));
    return out;
  }

  it('no canary in any table, raw values only in the local raw spool, and none anywhere after purge', async () => {
    const url = freshUrl(server, 'weblog_canary');
    const { report } = await run([], 7, url);
    const before = await report();
    expect(before.totals.hits).toBe(4);
    const tables = await dumpTables(url);
    expect(tables.get(`${new URL(url).pathname.slice(1)}.day_total`)).not.toBe('');
    for (const [t, text] of tables) expect([t, canariesIn(text)]).toEqual([t, []]);
    // The dump has the data: the masked address and the stored path are there.
    const all = [...tables.values()].join('\n');
    expect(all).toContain('203.0.113.0');
    expect(all).toContain('/account');
    const spool = rawSpoolDirFor(url);
    // The raw window is the one place with raw values: a spool on the ingesting machine.
    const found = scan(spool);
    for (const c of [IP4, IP6, USER, SECRET]) expect(found.get(c)?.size ?? 0, c).toBeGreaterThan(0);
    const purge = await weblog(['purge', '--store', url, '--now', '2024-06-01']);
    expect(purge.code, purge.stderr).toBe(0);
    expect(purge.stdout).toMatch(/2 raw files deleted/);
    expect(scan(spool)).toEqual(new Map());
    for (const [t, text] of await dumpTables(url)) expect([t, canariesIn(text)]).toEqual([t, []]);
    expect(await report()).toEqual(before);
  });
});
