/**
 * The server's hourly purge compacts what its ingests wrote: every request is a piece of each
 * site-day it touched, and without this a served store would keep them all and never roll up.
 */
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, line, setup, SITE_A, type Fixture } from './helpers.js';

let f: Fixture;

beforeAll(async () => {
  // Any week with data is worth a rollup here; the default wants 1 MiB of lists.
  f = await setup({ withData: false, storeOptions: { rollupMinBytes: 0 } });
});
afterAll(async () => f?.close());

/** Rows of the store file, read by a connection of its own. */
function rows<T>(sql: string): T[] {
  const db = new Database(f.storePath, { readonly: true });
  try {
    return db.prepare<[], T>(sql).all();
  } finally {
    db.close();
  }
}

const pieces = (): { day: number; n: number }[] => rows('SELECT day, COUNT(*) AS n FROM seg GROUP BY site_id, day, gen ORDER BY day');
const rollups = (): { first: number; last: number }[] => rows('SELECT first_day AS first, last_day AS last FROM seg_rollup ORDER BY first_day, last_day');

async function report(): Promise<string> {
  const res = await f.app.fastify.inject({ method: 'GET', url: `/api/sites/${SITE_A}/report?from=2024-03-01&to=2024-03-10&top=0`, headers: bearer(f.tokens.operator) });
  expect(res.statusCode).toBe(200);
  return res.body;
}

describe('the hourly purge of weblog serve', () => {
  it('compacts the pieces its requests wrote and rolls up the ended week, the report unchanged', async () => {
    // Four requests, each with lines on every day of the week of 2024-03-04 (Monday to Sunday).
    for (let r = 0; r < 4; r++) {
      const lines: string[] = [];
      for (let d = 4; d <= 10; d++) for (let i = 0; i < 5; i++) lines.push(line(`198.51.100.${r * 10 + i}`, d, `/r${r}-p${i}.html`, { hour: 8 + i }));
      const res = await f.app.fastify.inject({
        method: 'POST',
        url: `/ingest/${SITE_A}`,
        payload: `${lines.join('\n')}\n`,
        headers: { ...bearer(f.tokens.operator), 'content-type': 'text/plain' },
      });
      expect(res.statusCode).toBe(200);
    }
    expect(pieces().every((p) => p.n === 4)).toBe(true);
    expect(pieces()).toHaveLength(7);
    expect(rollups()).toEqual([]);
    const before = await report();

    await f.app.deps.ingest.purge(new Date('2024-03-10T12:00:00Z'));

    expect(pieces()).toEqual([4, 5, 6, 7, 8, 9, 10].map((d) => ({ day: 20240300 + d, n: 1 })));
    // The week (March is left to it, all of its data lying in that week), and the heads of its
    // days, each one piece now (the fixture's store takes every day's heads: rollupMinBytes 0).
    expect(rollups().filter((r) => r.first < r.last)).toEqual([{ first: 20240304, last: 20240310 }]);
    expect(rollups().filter((r) => r.first === r.last)).toEqual([4, 5, 6, 7, 8, 9, 10].map((d) => ({ first: 20240300 + d, last: 20240300 + d })));
    expect(await report()).toBe(before);
  });
});
