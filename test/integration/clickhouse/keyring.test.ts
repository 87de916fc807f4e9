/**
 * The ClickHouse KeyRing (issue 17): writers that need the secret of a new day at the same moment
 * end up with the same secret, a new site costs nothing on the server (its key is derived from the
 * day's secret), the next days are agreed ahead, and destroyed secrets are gone for every writer.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decide } from '../../../src/store/clickhouse/keyring.js';
import { openKeyRingFor } from '../../../src/store/index.js';
import { REPO } from '../../helpers/cli.js';
import { forEachServer, freshUrl, post } from './helpers.js';

describe('key winner rule (offline)', () => {
  it('takes the earliest candidate by server clock (ties: the smaller secret), once no earlier one can appear', () => {
    const c = [
      { secret: 'b', c: 100 },
      { secret: 'a', c: 101 },
      { secret: '0', c: 105 },
      { secret: 'c', c: 100 },
    ];
    expect(decide(c, 101, 0)).toBeNull();
    expect(decide(c, 102, 0)).toBe('b');
    expect(decide(c, 102, 1)).toBeNull();
    expect(decide(c, 103, 1)).toBe('b');
    // A later candidate never changes the decision.
    expect(decide([...c, { secret: '00', c: 150 }], 200, 0)).toBe('b');
    expect(decide([], 200, 0)).toBeNull();
  });
});

const SITES = Array.from({ length: 50 }, (_, i) => `site${i + 1}.example`);
const DAYS = ['2024-05-01', '2024-05-02', '2024-05-03'];
const TODAY = '2024-05-04';

/** keysFor every (site, day) in a separate process (its own clock and connections): "gen key" lines. */
function keysInChild(url: string): Promise<string> {
  const reqs = DAYS.flatMap((day) => SITES.map((site) => ({ site, day, windowDays: 7 })));
  const code = `const { openKeyRingFor } = await import(${JSON.stringify(join(REPO, 'src/store/index.ts'))});
    const ring = await openKeyRingFor(${JSON.stringify(url)});
    const keys = await ring.keysFor(${JSON.stringify(reqs)}, ${JSON.stringify(TODAY)});
    process.stdout.write(keys.map((k) => k.gen + ' ' + Array.from(k.key).join(':')).join('\\n'));
    await ring.close();`;
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: REPO, env: process.env });
    let out = '';
    let err = '';
    p.stdout.on('data', (b: Buffer) => (out += b));
    p.stderr.on('data', (b: Buffer) => (err += b));
    p.on('close', (c) => (c === 0 ? resolve(out) : reject(new Error(err))));
  });
}

forEachServer('ClickHouse KeyRing', (server) => {
  it('gives concurrent writers the same secret per day, a key per site, and agrees on the next days ahead', async () => {
    const url = freshUrl(server);
    const db = `${new URL(url).pathname.slice(1)}_keys`;
    const got = await Promise.all([0, 1, 2].map(() => keysInChild(url)));
    const lines = got[0]!.split('\n');
    expect(lines).toHaveLength(SITES.length * DAYS.length);
    expect(new Set(got).size).toBe(1);
    // Per day one generation for every site, and a different key per site.
    for (let d = 0; d < DAYS.length; d++) {
      const day = lines.slice(d * SITES.length, (d + 1) * SITES.length);
      expect(new Set(day.map((l) => l.split(' ')[0])).size).toBe(1);
      expect(new Set(day.map((l) => l.split(' ')[1])).size).toBe(SITES.length);
    }
    expect(new Set(lines.map((l) => l.split(' ')[0])).size).toBe(DAYS.length);
    // Candidates per day and window, never per site; the two days after the newest and after today are created ahead.
    const days = (await post(server.http, `SELECT DISTINCT day FROM ${db}.epoch_secret ORDER BY day FORMAT TSV`)).trim().split('\n');
    expect(days).toEqual(['2024-05-01', '2024-05-02', '2024-05-03', '2024-05-04', '2024-05-05', '2024-05-06']);
    const before = Number((await post(server.http, `SELECT count() FROM ${db}.epoch_secret`)).trim());
    // New sites on known days: derived keys, nothing written.
    const ring = await openKeyRingFor(url);
    const more = await ring.keysFor(
      ['new1.example', 'new2.example'].map((site) => ({ site, day: '2024-05-02', windowDays: 7 })),
      TODAY,
    );
    expect(more[0]!.gen).toBe(lines[SITES.length]!.split(' ')[0]);
    expect(more[0]!.key).not.toEqual(more[1]!.key);
    expect(Number((await post(server.http, `SELECT count() FROM ${db}.epoch_secret`)).trim())).toBe(before);
    expect(await ring.alive()).toEqual([{ windowDays: 7, days: 6, oldest: '2024-05-01' }]);
    await ring.close();
  }, 120_000);

  it('destroys expired secrets for every writer; a day past its window then gets a key that lives only in the process', async () => {
    const url = freshUrl(server);
    const first = await openKeyRingFor(url);
    const [old] = await first.keysFor([{ site: 'a.example', day: '2024-05-01', windowDays: 7 }], '2024-05-02');
    expect(old!.gen).toMatch(/^[0-9a-f]{16}$/);
    // On 2024-05-09 the day is still inside its 7-day window; on 2024-05-10 it is not.
    expect(await first.destroyExpired('2024-05-08')).toEqual([]);
    const stored = await first.keysFor([{ site: 'a.example', day: '2024-05-01', windowDays: 7 }], '2024-05-09');
    expect(stored[0]!.gen).toBe(old!.gen);
    const gone = await first.destroyExpired('2024-05-10');
    expect(gone).toHaveLength(1);
    expect(gone[0]).toMatchObject({ windowDays: 7, keptFrom: '2024-05-03' });
    expect(gone[0]!.days).toBeGreaterThanOrEqual(1);
    await first.close();
    const db = `${new URL(url).pathname.slice(1)}_keys`;
    expect((await post(server.http, `SELECT count() FROM ${db}.epoch_secret WHERE day = '2024-05-01'`)).trim()).toBe('0');
    const second = await openKeyRingFor(url);
    const [late] = await second.keysFor([{ site: 'a.example', day: '2024-05-01', windowDays: 7 }], '2024-05-10');
    expect(late!.gen).toMatch(/^p:/);
    expect(late!.key).not.toEqual(old!.key);
    // Nothing is written for it.
    expect((await post(server.http, `SELECT count() FROM ${db}.epoch_secret WHERE day = '2024-05-01'`)).trim()).toBe('0');
    await second.close();
  }, 120_000);
});
