/** Web pages: login (CSRF, cookie flags, rate limit), headers, ranges, downloads, languages, footer. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '../../src/report/build.js';
import { renderCsvTable } from '../../src/report/render/index.js';
import { SESSION_COOKIE } from '../../src/server/auth.js';
import { CSP } from '../../src/server/security.js';
import { setup, SITE_A, type Fixture } from './helpers.js';

let f: Fixture;
beforeAll(async () => {
  f = await setup({ limits: { loginPerMinute: 5 }, trustProxy: true });
});
afterAll(async () => f?.close());

function cookies(res: { headers: Record<string, unknown> }): string[] {
  const c = res.headers['set-cookie'];
  return c === undefined ? [] : Array.isArray(c) ? (c as string[]) : [c as string];
}

function cookieValue(res: { headers: Record<string, unknown> }, name: string): string | undefined {
  for (const c of cookies(res)) if (c.startsWith(`${name}=`)) return c.slice(name.length + 1).split(';')[0];
  return undefined;
}

async function login(token: string, headers: Record<string, string> = {}) {
  const page = await f.app.fastify.inject({ method: 'GET', url: '/login', headers });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
  const res = await f.app.fastify.inject({
    method: 'POST',
    url: '/login?lang=en',
    headers: { ...headers, cookie: `weblog_login_csrf=${cookieValue(page, 'weblog_login_csrf')}`, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ token, _csrf: csrf }).toString(),
  });
  return res;
}

describe('login and session', () => {
  it('logs in with a customer token: HttpOnly SameSite session cookie, redirect to the sites', async () => {
    const res = await login(f.tokens.a);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/sites?lang=en');
    const c = cookies(res).find((x) => x.startsWith(`${SESSION_COOKIE}=`))!;
    expect(c).toMatch(/HttpOnly/);
    expect(c).toMatch(/SameSite=Lax/);
    expect(c).not.toMatch(/Secure/);
    const sites = await f.app.fastify.inject({ method: 'GET', url: '/sites', headers: { cookie: `${SESSION_COOKIE}=${cookieValue(res, SESSION_COOKIE)}` } });
    expect(sites.statusCode).toBe(200);
    expect(sites.body).toContain(SITE_A);
  });

  it('marks the cookie Secure behind a TLS proxy', async () => {
    const res = await login(f.tokens.a, { 'x-forwarded-proto': 'https' });
    expect(res.statusCode).toBe(303);
    expect(cookies(res).find((x) => x.startsWith(`${SESSION_COOKIE}=`))).toMatch(/Secure/);
    expect(res.headers['strict-transport-security']).toBeDefined();
  });

  it('refuses a login without the form token, or from another origin', async () => {
    const noCsrf = await f.app.fastify.inject({
      method: 'POST',
      url: '/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `token=${encodeURIComponent(f.tokens.a)}`,
    });
    expect(noCsrf.statusCode).toBe(403);
    expect(cookieValue(noCsrf, SESSION_COOKIE)).toBeUndefined();
    const cross = await login(f.tokens.a, { origin: 'https://evil.example' });
    expect(cross.statusCode).toBe(403);
  });

  it('logout needs the session form token', async () => {
    const res = await login(f.tokens.b);
    const sid = cookieValue(res, SESSION_COOKIE)!;
    const page = await f.app.fastify.inject({ method: 'GET', url: '/sites', headers: { cookie: `${SESSION_COOKIE}=${sid}` } });
    const csrf = /action="\/logout"><input type="hidden" name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const forged = await f.app.fastify.inject({
      method: 'POST',
      url: '/logout',
      headers: { cookie: `${SESSION_COOKIE}=${sid}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: '_csrf=wrong',
    });
    expect(forged.statusCode).toBe(403);
    const ok = await f.app.fastify.inject({
      method: 'POST',
      url: '/logout',
      headers: { cookie: `${SESSION_COOKIE}=${sid}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `_csrf=${csrf}`,
    });
    expect(ok.statusCode).toBe(303);
    const after = await f.app.fastify.inject({ method: 'GET', url: '/sites', headers: { cookie: `${SESSION_COOKIE}=${sid}` } });
    expect(after.statusCode).toBe(401);
  });

  it('rate-limits login attempts', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await f.app.fastify.inject({ method: 'POST', url: '/login', remoteAddress: '198.51.100.99', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'token=x' });
      codes.push(res.statusCode);
    }
    expect(codes.filter((c) => c === 429).length).toBeGreaterThan(0);
    expect(codes.indexOf(429)).toBeLessThanOrEqual(5);
  });
});

describe('pages', () => {
  const auth = () => ({ authorization: `Bearer ${f.tokens.a}` });

  it('every page sends the security headers and contains no script', async () => {
    for (const url of ['/login', '/privacy', '/sites', `/sites/${SITE_A}`, '/docs', '/nope']) {
      const res = await f.app.fastify.inject({ method: 'GET', url, headers: auth() });
      expect(res.headers['content-security-policy'], url).toBe(CSP);
      expect(CSP).toContain("frame-ancestors 'none'");
      expect(CSP).not.toMatch(/script-src|unsafe-inline/);
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
      expect(res.body, url).not.toMatch(/<script|\son[a-z]+=|style="/i);
    }
  });

  it('shows the privacy policy in force and the DB-IP attribution on every page', async () => {
    for (const url of ['/login', '/privacy', '/sites', `/sites/${SITE_A}`]) {
      const res = await f.app.fastify.inject({ method: 'GET', url, headers: auth() });
      expect(res.body, url).toMatch(/shortened to \/24/);
      expect(res.body, url).toContain('db-ip.com');
    }
  });

  it('range selection: last 7 days end on the last day with data; month; custom; bad input → 400', async () => {
    const week = await f.app.fastify.inject({ method: 'GET', url: `/sites/${SITE_A}?range=7d`, headers: auth() });
    expect(week.body).toContain('2024-02-26 – 2024-03-03');
    const month = await f.app.fastify.inject({ method: 'GET', url: `/sites/${SITE_A}?range=month&month=2024-02`, headers: auth() });
    expect(month.body).toContain('2024-02-01 – 2024-02-29');
    const custom = await f.app.fastify.inject({ method: 'GET', url: `/sites/${SITE_A}?range=custom&from=2024-03-02&to=2024-03-02`, headers: auth() });
    expect(custom.body).toContain('2024-03-02 – 2024-03-02');
    expect(custom.body).toMatch(/<tbody><tr><th scope="row">2024-03-02<\/th><td class="n">3<\/td>/);
    const bad = await f.app.fastify.inject({ method: 'GET', url: `/sites/${SITE_A}?range=custom&from=2024-03-05&to=2024-03-01`, headers: auth() });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/text\/html/);
  });

  it('offers a CSV and a JSON download of every table, equal to the renderer on the same report', async () => {
    const page = await f.app.fastify.inject({ method: 'GET', url: `/sites/${SITE_A}?range=all`, headers: auth() });
    for (const t of ['days', 'urls', 'ips', 'countries', 'statusCodes', 'hours']) {
      expect(page.body).toContain(`/sites/${SITE_A}/download/${t}?range=all&amp;format=csv`);
      expect(page.body).toContain(`/sites/${SITE_A}/download/${t}?range=all&amp;format=json`);
    }
    const stored = await f.app.deps.store.query({ site: SITE_A, from: null, to: null, top: 0 });
    const report = buildReport(stored!);
    const csv = await f.app.fastify.inject({ method: 'GET', url: `/sites/${SITE_A}/download/urls?range=all&format=csv`, headers: auth() });
    expect(csv.headers['content-disposition']).toBe(`attachment; filename="${SITE_A}-urls-2024-03-01_2024-03-03.csv"`);
    expect(csv.body).toBe(renderCsvTable(report, 'urls'));
    const json = await f.app.fastify.inject({ method: 'GET', url: `/sites/${SITE_A}/download/days?range=all&format=json`, headers: auth() });
    expect(JSON.parse(json.body).rows).toEqual(report.days);
    const unknown = await f.app.fastify.inject({ method: 'GET', url: `/sites/${SITE_A}/download/secrets?format=csv`, headers: auth() });
    expect(unknown.statusCode).toBe(400);
  });

  it('speaks German by Accept-Language, and the switch overrides it', async () => {
    const de = await f.app.fastify.inject({ method: 'GET', url: `/sites/${SITE_A}`, headers: { ...auth(), 'accept-language': 'fr;q=0.9, de-CH;q=0.8, en;q=0.5' } });
    expect(de.body).toContain('<html lang="de">');
    expect(de.body).toContain('Webstatistik für');
    expect(de.body).toContain('href="/sites/www.a.example?lang=en"');
    const en = await f.app.fastify.inject({ method: 'GET', url: `/sites/${SITE_A}?lang=en`, headers: { ...auth(), 'accept-language': 'de' } });
    expect(en.body).toContain('<html lang="en">');
    expect(en.body).toContain('Web statistics for');
  });

  it('an unauthenticated page view is a 401 page with a way to log in', async () => {
    const res = await f.app.fastify.inject({ method: 'GET', url: `/sites/${SITE_A}` });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.body).toContain('href="/login?lang=en"');
  });
});
