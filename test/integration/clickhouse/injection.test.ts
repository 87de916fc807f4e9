/**
 * The injection corpus: every value that can reach SQL text on an 18.16 server goes through
 * escape.ts's sqlString. Each corpus entry must come back byte-identical from the server, both
 * as a literal in a SELECT and as a site name / key through the store's insert + query path,
 * and no entry may break out of its literal (the canary table must survive). On servers with
 * query parameters the store binds instead (sql-path.test.ts shows which): there the store part
 * round-trips the same corpus through bound parameters.
 */
import { describe, expect, it } from 'vitest';
import type { SiteMeta } from '../../../src/aggregate/index.js';
import { openStore } from '../../../src/store/index.js';
import { sqlIdent, sqlString, sqlUInt } from '../../../src/store/clickhouse/escape.js';
import { render, sql, str } from '../../../src/store/clickhouse/sql.js';
import { partOf } from '../../helpers/batch.js';
import { forEachServer, freshUrl, post as postTo } from './helpers.js';

const CORPUS: readonly string[] = [
  '',
  "'",
  "''",
  "\\'",
  "\\\\'",
  '\\',
  '\\\\',
  '\\N',
  'N\\',
  '\\0',
  '\u0000',
  'a\u0000b',
  "'; DROP TABLE canary; --",
  "x' OR '1'='1",
  "') UNION ALL SELECT name FROM system.tables --",
  '"double" `back` $dollar {p0:String}',
  '\\x27',
  '\\u0027',
  '\n\r\t\b\f\v',
  '\u007f\u0080\u00ff',
  'é ü ß Ω 漢字',
  '😀 𝄞 \u{10ffff}',
  '\u202e RTL \u200b zero-width \ufeff',
  '%s %d ?',
  '/* comment */ -- line',
  'a'.repeat(60_000),
  "'\\".repeat(5_000),
];

describe('sqlString (offline)', () => {
  it('emits nothing but safe ASCII between the quotes', () => {
    for (const v of CORPUS) {
      const lit = sqlString(v);
      expect(lit.startsWith("'") && lit.endsWith("'")).toBe(true);
      expect(/^[A-Za-z0-9 .\-_:/@\\]*$/.test(lit.slice(1, -1))).toBe(true);
      // A backslash only ever starts a \xHH escape.
      expect(/\\(?!x[0-9A-F]{2})/.test(lit.slice(1, -1))).toBe(false);
    }
  });

  it('refuses non-identifiers and non-integers', () => {
    expect(() => sqlIdent('a; DROP')).toThrow();
    expect(() => sqlIdent('weblog_1')).not.toThrow();
    expect(() => sqlUInt('1 OR 1')).toThrow();
    expect(() => sqlUInt(-1)).toThrow();
  });

  it('binds instead of inlining when the server has query parameters', () => {
    const r = render(sql`SELECT ${str("x'y")} AS v`, true);
    expect(r.query).toBe('SELECT {p0:String} AS v');
    expect(r.params).toEqual({ p0: "x'y" });
    expect(render(sql`SELECT ${str("x'y")} AS v`, false).query).toBe("SELECT 'x\\x27y' AS v");
  });
});

forEachServer('injection corpus against the server', (server) => {
  const post = (body: string): Promise<string> => postTo(server.http, body);

  it('round-trips every entry as a literal, and the canary survives', async () => {
    const db = new URL(freshUrl(server, 'weblog_inj')).pathname.slice(1);
    await post(`CREATE DATABASE ${db}`);
    await post(`CREATE TABLE ${db}.canary (x UInt8) ENGINE = MergeTree() ORDER BY x`);
    for (const v of CORPUS) {
      const out = await post(`SELECT ${sqlString(v)} AS v, length(v) AS n FORMAT JSONEachRow`);
      const row = JSON.parse(out) as { v: string; n: string };
      expect(row.v).toBe(v);
      expect(Number(row.n)).toBe(Buffer.byteLength(v, 'utf8'));
      // The same literal inside a WHERE clause matches itself and nothing else.
      expect((await post(`SELECT count() FROM (SELECT ${sqlString(v)} AS s) WHERE s = ${sqlString(v)}`)).trim()).toBe('1');
    }
    expect((await post(`EXISTS TABLE ${db}.canary`)).trim()).toBe('1');
    await post(`DROP DATABASE ${db}`);
  });

  it('round-trips every entry as site name and top-list key through the store', async () => {
    const s = await openStore(freshUrl(server), { visitTimeoutSec: 1800 });
    const long = 'é'.repeat(200_000);
    const keys = [...CORPUS, long];
    const sites = CORPUS.filter((v) => v !== '' && v.length < 10_000);
    const meta = new Map(sites.map((site) => [site, { ip: [{ mode: 'drop', v4: null, v6: null }], user: [{ mode: 'full' }], attribution: ["m'", '\\N', '\u0000'], rawWindowDays: 0 } as SiteMeta]));
    const urls: Record<string, number> = {};
    keys.forEach((k, i) => (urls[k] = i + 1));
    await s.commit({ parts: [partOf(sites.map((site) => ({ site, date: '2024-03-01', hits: 1, list: { urls } })))], sites: meta, checkpoint: null, raw: [], lines: 0 });
    for (const site of sites) {
      const r = (await s.query({ site, from: null, to: null, top: 0 }))!;
      expect(r.site).toBe(site);
      expect(r.meta).toEqual({ ip: [{ mode: 'drop', v4: null, v6: null }], user: [{ mode: 'full' }], attribution: ["m'", '\\N', '\u0000'], rawWindowDays: 0 });
      expect(new Map(r.top.urls.map((x) => [x.key, x.hits]))).toEqual(new Map(Object.entries(urls)));
    }
    expect((await s.sites()).sort()).toEqual([...sites].sort());
    await s.close();
  });
});
