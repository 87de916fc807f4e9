/**
 * What weblog sends each server, seen on the wire through a recording proxy while it ingests,
 * reports and agrees on keys:
 * - values: bound query parameters (`{p0:String}` + `param_p0`, ClickHouse ≥ 19.15) or literals
 *   made by escape.ts (18.16). The test name says which path the server takes.
 * - inserts (data, commit rows, key candidates): plain (`async_insert=0`) wherever the server has the
 *   setting (26.2 made async inserts the default), and no such setting where the server would
 *   refuse it (18.16).
 * The expectations come from probing the server itself, independent of weblog's version table.
 */
import { describe, expect, it } from 'vitest';
import { writeLogFile } from '../../../fixtures/generate.js';
import { tempStore, weblogProcess } from '../../helpers/cli.js';
import { IN_CI, SERVERS, forEachServer, freshUrl, type ChServer } from './helpers.js';
import { once } from './parity-util.js';
import { chProxy, via, type Recorded } from './proxy.js';

/** Does the server answer `SELECT <probe>` with `param_*` URL parameters? (18.16: unknown setting `param_v`.) */
async function answers(server: ChServer, query: string, params: string): Promise<boolean> {
  const r = await fetch(`${server.http}?${params}`, { method: 'POST', body: query });
  return r.ok && (await r.text()) === 'probe\n';
}

const probes = new Map(
  await Promise.all(
    SERVERS.map(
      async (s) =>
        [
          s.url,
          {
            bind: await answers(s, 'SELECT {v:String}', 'param_v=probe'),
            asyncInsert: await answers(s, "SELECT 'probe' FROM system.settings WHERE name = 'async_insert'", ''),
          },
        ] as const,
    ),
  ),
);

const SITE = 'path-probe.example';
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Ingest 300 lines and report them through the proxy; every request it saw. */
async function recordedRun(server: ChServer): Promise<readonly Recorded[]> {
  const log = `${tempStore()}.log`;
  await writeLogFile({ lines: 300, seed: 15, days: 2, malformed: 0 }, log);
  const proxy = await chProxy(new URL(server.http));
  try {
    const store = via(freshUrl(server, 'weblog_path'), proxy.port);
    // --now: the log's days are inside the raw window, so the key ring agrees on their secrets.
    const ing = await weblogProcess(['ingest', '--store', store, '--site', SITE, '--no-purge', '--quiet', '--now', '2024-03-07', log]);
    expect(ing.code, ing.stderr).toBe(0);
    const rep = await weblogProcess(['report', '--store', store, '--site', SITE, '--format', 'json']);
    expect(rep.code, rep.stderr).toBe(0);
    expect(JSON.parse(rep.stdout).totals.hits).toBe(300);
    return [...proxy.requests];
  } finally {
    await proxy.close();
  }
}

forEachServer('On the wire', (server) => {
  const probe = probes.get(server.url)!;
  const run = once(() => recordedRun(server));

  it(probe.bind ? 'values are bound query parameters (store and key ring)' : 'values are escaped literals (store and key ring)', async () => {
    const reqs = await run();
    const siteAsLiteral = reqs.filter((r) => r.sql.includes(`'${SITE}'`));
    const siteBound = reqs.filter((r) => Object.values(r.params).includes(SITE) && /\{p\d+:String\}/.test(r.sql));
    // The key ring's lookups select candidates by day and window on <db>_keys.epoch_secret.
    const keyLookups = reqs.filter((r) => /_keys\.epoch_secret/.test(r.sql) && /\(day = /.test(r.sql));
    expect(keyLookups.length).toBeGreaterThan(0);
    if (probe.bind) {
      expect(siteBound.length).toBeGreaterThan(0);
      expect(siteAsLiteral).toEqual([]);
      for (const k of keyLookups) {
        expect(k.sql).toMatch(/\(day = \{p\d+:String\} AND window_days = \{p\d+:UInt64\}\)/);
        expect(Object.values(k.params).every((v) => DAY.test(v) || /^\d+$/.test(v))).toBe(true);
      }
    } else {
      expect(siteAsLiteral.length).toBeGreaterThan(0);
      expect(siteBound).toEqual([]);
      // No request carries a query parameter at all: 18.16 would refuse it.
      expect(reqs.filter((r) => Object.keys(r.params).length > 0)).toEqual([]);
      for (const k of keyLookups) expect(k.sql).toMatch(/\(day = '\d{4}-\d{2}-\d{2}' AND window_days = \d+\)/);
    }
  }, 120_000);

  it(probe.asyncInsert ? 'data, ledger and key inserts turn async_insert off' : 'inserts carry no async_insert setting', async () => {
    const inserts = (await run()).filter((r) => /^INSERT INTO weblog_path_\w+\.\w+/.test(r.sql));
    // The data tables of a batch, its commit row, and the key ring's candidates.
    expect(inserts.some((r) => /\.commits\b/.test(r.sql))).toBe(true);
    expect(inserts.some((r) => /\.list_row\b/.test(r.sql))).toBe(true);
    expect(inserts.some((r) => /_keys\.epoch_secret\b/.test(r.sql))).toBe(true);
    for (const r of inserts) expect(r.settings.async_insert, r.sql).toBe(probe.asyncInsert ? '0' : undefined);
  }, 120_000);
});

describe('SQL value paths in CI', () => {
  // CI runs 18.16 and 26.7: both paths must have been exercised, or the matrix lost a server.
  it.runIf(IN_CI)('covers both the bound-parameter and the literal path', () => {
    expect(new Set([...probes.values()].map((p) => p.bind))).toEqual(new Set([true, false]));
  });
});
