/**
 * The isolation matrix: two customers; every route with a site parameter × spellings of the other
 * customer's site → 404 and none of its data; unauthenticated → 401; wrong role → 403.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../src/server/auth.js';
import { bearer, setup, SITE_A, SITE_B, type Fixture } from './helpers.js';

let f: Fixture;
let sessionA: string;

beforeAll(async () => {
  f = await setup();
  const p = await f.app.deps.accounts.verifyToken(f.tokens.a);
  sessionA = (await f.app.deps.accounts.createSession(p!, 3600)).id;
});
afterAll(async () => f?.close());

/** B's data is recognisable by its URLs (see helpers.setup). */
const B_MARK = `${SITE_B}-page`;

/** Spellings of B's site as a path segment (already URL-encoded where it matters). */
const SPELLINGS: Record<string, string> = {
  plain: SITE_B,
  upper: SITE_B.toUpperCase(),
  mixed: 'Www.B.Example',
  'percent-encoded letters': '%77%77%77.b.example',
  'encoded dots %2e': 'www%2eb%2eexample',
  'encoded dots %2E': 'www%2Eb%2Eexample',
  'trailing dot': `${SITE_B}.`,
  'dot segment before': `..%2F${SITE_B}`,
  'encoded slash after': `${SITE_B}%2F`,
  'unicode look-alike (Cyrillic a)': encodeURIComponent('www.b.ex\u0430mple'),
  'fullwidth letters': encodeURIComponent('\uff57\uff57\uff57.b.example'),
  'fullwidth dot': encodeURIComponent('www\uff0eb\uff0eexample'),
  'unicode look-alike (Cyrillic e)': encodeURIComponent('www.b.exampl\u0435'),
  'combining mark': encodeURIComponent('www.b\u0301.example'),
  'NUL suffix': `${SITE_B}%00`,
  'own site then ..': `${SITE_A}%2F..%2F${SITE_B}`,
  'space padded': `%20${SITE_B}`,
};

/** Routes with a site parameter, as URL builders, each with how customer a authenticates. */
const ROUTES: Record<string, { url: (s: string) => string; method?: 'GET' | 'POST' }> = {
  'api report': { url: (s) => `/api/sites/${s}/report` },
  'api report with range': { url: (s) => `/api/sites/${s}/report?from=2024-03-01&to=2024-03-31&top=0` },
  'weblog page': { url: (s) => `/sites/${s}` },
  'weblog page, month': { url: (s) => `/sites/${s}?range=month&month=2024-03` },
  'csv download': { url: (s) => `/sites/${s}/download/urls?format=csv&range=all` },
  'json download': { url: (s) => `/sites/${s}/download/urls?format=json&range=all` },
};

const AUTHS = {
  bearer: () => bearer(f.tokens.a),
  session: () => ({ cookie: `${SESSION_COOKIE}=${sessionA}` }),
};

describe('tenant isolation', () => {
  it('control: each owner reads its own site through every route', async () => {
    for (const [name, r] of Object.entries(ROUTES)) {
      const own = await f.app.fastify.inject({ method: 'GET', url: r.url(SITE_B), headers: bearer(f.tokens.b) });
      expect(own.statusCode, name).toBe(200);
      expect(own.body, name).toContain(B_MARK);
      const a = await f.app.fastify.inject({ method: 'GET', url: r.url(SITE_A), headers: bearer(f.tokens.a) });
      expect(a.statusCode, name).toBe(200);
      expect(a.body, name).not.toContain(B_MARK);
    }
  });

  for (const [authName, auth] of Object.entries(AUTHS)) {
    for (const [routeName, r] of Object.entries(ROUTES)) {
      it(`${authName}: ${routeName} never shows the other customer's site`, async () => {
        const missing = await f.app.fastify.inject({ method: 'GET', url: r.url('www.nope.example'), headers: auth() });
        expect(missing.statusCode).toBe(404);
        for (const [spelling, s] of Object.entries(SPELLINGS)) {
          const res = await f.app.fastify.inject({ method: 'GET', url: r.url(s), headers: auth() });
          expect(res.statusCode, `${spelling}: ${r.url(s)}`).toBe(404);
          expect(res.body, spelling).not.toContain(B_MARK);
          // Same answer as a site that does not exist: no existence leak.
          if (!routeName.includes('page') && !routeName.includes('download')) {
            expect((JSON.parse(res.body) as { code: string }).code, spelling).toBe((JSON.parse(missing.body) as { code: string }).code);
          }
        }
      });
    }
  }

  it('the site list and a query parameter cannot widen the scope', async () => {
    const list = await f.app.fastify.inject({ method: 'GET', url: '/api/sites', headers: bearer(f.tokens.a) });
    expect(JSON.parse(list.body)).toEqual({ sites: [SITE_A] });
    const page = await f.app.fastify.inject({ method: 'GET', url: '/sites', headers: bearer(f.tokens.a) });
    expect(page.body).toContain(SITE_A);
    expect(page.body).not.toContain(SITE_B);
    const sneaky = await f.app.fastify.inject({ method: 'GET', url: `/api/sites/${SITE_A}/report?site=${SITE_B}`, headers: bearer(f.tokens.a) });
    // Unknown query parameters are dropped by the schema: still A's report.
    expect(sneaky.statusCode).toBe(200);
    expect(JSON.parse(sneaky.body).site).toBe(SITE_A);
    expect(sneaky.body).not.toContain(B_MARK);
  });

  it('a trailing slash or a path segment more is not the route', async () => {
    for (const url of [`/api/sites/${SITE_B}/report/`, `/api/sites/${SITE_B}/report/..`, `/API/sites/${SITE_B}/report`, `/sites/${SITE_B}/`]) {
      const res = await f.app.fastify.inject({ method: 'GET', url, headers: bearer(f.tokens.a) });
      expect(res.statusCode, url).toBe(404);
      expect(res.body).not.toContain(B_MARK);
    }
  });

  it('unauthenticated → 401 on every non-public route, also with a bad or malformed token', async () => {
    const urls = [...Object.values(ROUTES).map((r) => r.url(SITE_A)), '/api/sites', '/sites'];
    for (const url of urls) {
      for (const headers of [{}, bearer('wl_0000000000000000.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'), { authorization: 'Basic eDp5' }, { cookie: `${SESSION_COOKIE}=forged` }]) {
        const res = await f.app.fastify.inject({ method: 'GET', url, headers });
        expect(res.statusCode, `${url} ${JSON.stringify(headers)}`).toBe(401);
        expect(res.body).not.toContain(`${SITE_A}-page`);
      }
    }
    for (const url of [`/ingest/${SITE_A}`, '/ingest']) {
      const res = await f.app.fastify.inject({ method: 'POST', url, payload: 'x', headers: { 'content-type': 'text/plain' } });
      expect(res.statusCode, url).toBe(401);
    }
  });

  it('wrong role → 403: customers cannot ingest, not even for their own site', async () => {
    for (const url of [`/ingest/${SITE_A}`, `/ingest/${SITE_B}`, '/ingest']) {
      const res = await f.app.fastify.inject({ method: 'POST', url, payload: 'x', headers: { ...bearer(f.tokens.a), 'content-type': 'text/plain' } });
      expect(res.statusCode, url).toBe(403);
      expect(JSON.parse(res.body).code).toBe('ERR_AUTH_FORBIDDEN');
    }
    // A browser session is never enough for ingest, whatever its role (no CSRF surface).
    const p = await f.app.deps.accounts.verifyToken(f.tokens.operator);
    const op = await f.app.deps.accounts.createSession(p!, 3600);
    const res = await f.app.fastify.inject({
      method: 'POST',
      url: `/ingest/${SITE_A}`,
      payload: 'x',
      headers: { cookie: `${SESSION_COOKIE}=${op.id}`, 'content-type': 'text/plain' },
    });
    expect(res.statusCode).toBe(401);
  });

  it('operators read every site', async () => {
    for (const s of [SITE_A, SITE_B]) {
      const res = await f.app.fastify.inject({ method: 'GET', url: `/api/sites/${s}/report`, headers: bearer(f.tokens.operator) });
      expect(res.statusCode).toBe(200);
    }
  });
});
