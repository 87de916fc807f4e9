/** The JSON API: the report is exactly `weblog report --format json`; schemas; OpenAPI at /docs. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { weblog } from '../helpers/cli.js';
import { bearer, setup, SITE_A, type Fixture } from './helpers.js';

let f: Fixture;
beforeAll(async () => {
  f = await setup();
});
afterAll(async () => f?.close());

describe('GET /api/sites/:site/report', () => {
  const cases: [string, string[]][] = [
    ['', []],
    ['?top=2', ['--top', '2']],
    ['?top=0', ['--top', '0']],
    ['?from=2024-03-02&to=2024-03-02', ['--from', '2024-03-02', '--to', '2024-03-02']],
    ['?from=2024-02-01&to=2024-03-01&top=1', ['--from', '2024-02-01', '--to', '2024-03-01', '--top', '1']],
    ['?from=2024-03-02&to=2024-03-03&compare=true', ['--from', '2024-03-02', '--to', '2024-03-03', '--compare']],
  ];
  for (const [query, flags] of cases) {
    it(`equals the CLI's JSON byte for byte after parsing (${query || 'defaults'})`, async () => {
      const cli = await weblog(['report', '--store', f.storePath, '--site', SITE_A, '--format', 'json', ...flags]);
      expect(cli.code).toBe(0);
      const res = await f.app.fastify.inject({ method: 'GET', url: `/api/sites/${SITE_A}/report${query}`, headers: bearer(f.tokens.a) });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      // Same values and the same key order everywhere: re-serialised, the two are identical.
      expect(JSON.stringify(JSON.parse(res.body))).toBe(JSON.stringify(JSON.parse(cli.stdout)));
    });
  }

  it('v2 fields: 24 hours in clock order with any top, months, previous only with compare', async () => {
    const res = await f.app.fastify.inject({ method: 'GET', url: `/api/sites/${SITE_A}/report?top=1&compare=true&from=2024-03-02&to=2024-03-03`, headers: bearer(f.tokens.a) });
    const r = JSON.parse(res.body);
    expect(r.top.hours.map((h: { key: string }) => h.key)).toEqual(Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0')));
    expect(r.top.hours.filter((h: { hits: number }) => h.hits > 0).map((h: { key: string; hits: number }) => [h.key, h.hits])).toEqual([
      ['08', 2],
      ['09', 2],
      ['10', 2],
    ]);
    expect(r.top.urls).toHaveLength(1);
    expect(r.months).toEqual([{ month: '2024-03', hits: 6, visitors: r.totals.visitors, visits: r.totals.visits, pages: 6, bytes: 600 }]);
    expect(r.previous).toEqual({ from: '2024-02-29', to: '2024-03-01', totals: { ...r.previous.totals, hits: 3 } });
    // Each of the six hits is its own one-page visit: six bounces of no duration.
    expect(r.totals).toMatchObject({ visits: 6, bounces: 6, visitSeconds: 0 });
    expect(r.undeduplicatedDays).toEqual([]);
    expect(r.top.entryPages).toHaveLength(1);
    expect(r.top.methods).toEqual([{ key: 'GET', hits: 6, bytes: 600 }]);
    // The fixture's log format has no time taken.
    expect(r.top.slowPages).toEqual([]);
    const plain = JSON.parse((await f.app.fastify.inject({ method: 'GET', url: `/api/sites/${SITE_A}/report`, headers: bearer(f.tokens.a) })).body);
    expect(plain.previous).toBeNull();
  });

  it('the site name is case-insensitive for its owner and answers in canonical spelling', async () => {
    const res = await f.app.fastify.inject({ method: 'GET', url: `/api/sites/${SITE_A.toUpperCase()}/report`, headers: bearer(f.tokens.a) });
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body).site).toBe(SITE_A);
  });

  it('validates the query: 400 with a stable code', async () => {
    for (const q of ['?from=2024-02-30', '?top=-1', '?top=x', '?from=2024-03-03&to=2024-03-01', '?from=20240301']) {
      const res = await f.app.fastify.inject({ method: 'GET', url: `/api/sites/${SITE_A}/report${q}`, headers: bearer(f.tokens.a) });
      expect(res.statusCode, q).toBe(400);
      const body = JSON.parse(res.body);
      expect(body).toMatchObject({ code: 'ERR_REQUEST_INVALID', statusCode: 400, error: 'Bad Request' });
    }
  });
});

describe('API documentation', () => {
  it('serves an OpenAPI document with a schema on every API route', async () => {
    const res = await f.app.fastify.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = JSON.parse(res.body) as { openapi: string; paths: Record<string, Record<string, { responses?: Record<string, unknown> }>> };
    expect(doc.openapi).toMatch(/^3\./);
    for (const p of ['/api/sites', '/api/sites/{site}/report', '/ingest/{site}', '/ingest', '/healthz', '/readyz', '/metrics']) {
      expect(Object.keys(doc.paths), p).toContain(p);
      for (const op of Object.values(doc.paths[p]!)) expect(Object.keys(op.responses ?? {})).toContain('200');
    }
    const page = await f.app.fastify.inject({ method: 'GET', url: '/docs' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('/api/sites/{site}/report');
    expect(page.body).not.toMatch(/<script/i);
  });

  it('unknown routes are 404 with the error shape', async () => {
    const res = await f.app.fastify.inject({ method: 'GET', url: '/api/nothing' });
    expect(res.statusCode).toBe(404);
    expect(JSON.parse(res.body)).toMatchObject({ code: 'ERR_NOT_FOUND', statusCode: 404 });
  });
});
