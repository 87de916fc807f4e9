/** Web pages: login (CSRF, cookie flags, rate limit), headers, ranges, downloads, languages, footer. */
import { get as httpGet, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '../../src/report/build.js';
import { renderCsvTable } from '../../src/report/render/index.js';
import { SESSION_COOKIE } from '../../src/server/auth.js';
import { CSP } from '../../src/server/security.js';
import { line, setup, SITE_A, type Fixture } from './helpers.js';

let f: Fixture;
beforeAll(async () => {
  f = await setup({ limits: { loginPerMinute: 5 }, trustedProxies: ['loopback'] });
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

  it('keys the login rate limit on the rightmost address not a trusted proxy: a rotated X-Forwarded-For does not escape it', async () => {
    // Through the trusted proxy (loopback), the client writes any left part it likes; the proxy
    // appends the address it saw (203.0.113.50), which is the one that counts.
    const attempt = (xff: string, remoteAddress = '127.0.0.1') =>
      f.app.fastify.inject({ method: 'POST', url: '/login', remoteAddress, headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': xff }, payload: 'token=x' });
    const codes: number[] = [];
    for (let i = 0; i < 8; i++) codes.push((await attempt(`10.9.${i}.1, 198.18.0.${i}, 203.0.113.50`)).statusCode);
    expect(codes.indexOf(429)).toBeGreaterThanOrEqual(0);
    expect(codes.indexOf(429)).toBeLessThanOrEqual(5);
    // Another client behind the same proxy has its own budget.
    expect((await attempt('203.0.113.51')).statusCode).not.toBe(429);
    // A client that is not a proxy cannot pick its address: X-Forwarded-For from it is ignored.
    const direct: number[] = [];
    for (let i = 0; i < 8; i++) direct.push((await attempt(`198.18.1.${i}`, '192.0.2.200')).statusCode);
    expect(direct.indexOf(429)).toBeGreaterThanOrEqual(0);
    expect(direct.indexOf(429)).toBeLessThanOrEqual(5);
  });
});

describe('pages', () => {
  const auth = () => ({ authorization: `Bearer ${f.tokens.a}` });

  it('every page sends the security headers and contains no script', async () => {
    for (const url of ['/login', '/privacy', '/sites', `/sites/${SITE_A}`, '/docs', '/nope']) {
      const res = await f.app.fastify.inject({ method: 'GET', url, headers: auth() });
      expect(res.headers['content-security-policy'], url).toBe(CSP);
      expect(CSP).toContain("frame-ancestors 'none'");
      // Scripts and event streams from this origin only; never inline script or style.
      expect(CSP).toContain("script-src 'self'");
      expect(CSP).toContain("connect-src 'self'");
      expect(CSP).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
      // The one script is a same-origin file on a site's page; no inline code, handlers or styles.
      const scripts = [...res.body.matchAll(/<script\b[^>]*>/gi)].map((x) => x[0]);
      expect(scripts, url).toEqual(url === `/sites/${SITE_A}` ? ['<script src="/static/live.js" defer>'] : []);
      expect(res.body, url).not.toMatch(/<script>|\son[a-z]+=|style="/i);
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
    const text = (body: string): string => body.replace(/<\/?span[^>]*>/g, '');
    expect(text(week.body)).toContain('Period: 2024-02-26 – 2024-03-03');
    const month = await f.app.fastify.inject({ method: 'GET', url: `/sites/${SITE_A}?range=month&month=2024-02`, headers: auth() });
    expect(text(month.body)).toContain('Period: 2024-02-01 – 2024-02-29');
    const custom = await f.app.fastify.inject({ method: 'GET', url: `/sites/${SITE_A}?range=custom&from=2024-03-02&to=2024-03-02`, headers: auth() });
    expect(text(custom.body)).toContain('Period: 2024-03-02 – 2024-03-02');
    expect(custom.body).toMatch(/<tbody><tr><th scope="row" class="d">2024-03-02<\/th><td class="n">3<\/td>/);
    const bad = await f.app.fastify.inject({ method: 'GET', url: `/sites/${SITE_A}?range=custom&from=2024-03-05&to=2024-03-01`, headers: auth() });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/text\/html/);
  });

  it('offers a CSV and a JSON download of every table, equal to the renderer on the same report', async () => {
    const page = await f.app.fastify.inject({ method: 'GET', url: `/sites/${SITE_A}?range=all`, headers: auth() });
    for (const t of ['days', 'urls', 'ips', 'statusCodes', 'hours']) {
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

describe('pages v2 (issue 14)', () => {
  const auth = () => ({ authorization: `Bearer ${f.tokens.a}` });
  const operator = () => ({ authorization: `Bearer ${f.tokens.operator}` });
  const rowKeys = (body: string, id: string): string[] => {
    const table = new RegExp(`<table id="${id}"[\\s\\S]*?</table>`).exec(body)?.[0] ?? '';
    return [...table.matchAll(/<th scope="row"[^>]*>([^<*]*)/g)].map((x) => x[1]!.trim());
  };

  it("a site's page: 24 hours in clock order, every day of the range, deltas, today's numbers", async () => {
    const res = await f.app.fastify.inject({ method: 'GET', url: `/sites/${SITE_A}?range=all`, headers: auth() });
    expect(rowKeys(res.body, 't-hours')).toEqual(Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0')));
    expect(rowKeys(res.body, 't-days')).toEqual(['2024-03-01', '2024-03-02', '2024-03-03']);
    // The previous 3 days had nothing: every card says "new".
    expect(res.body).toContain('<dd class="delta">new<span class="visually-hidden"> compared with 2024-02-27 – 2024-02-29</span></dd>');
    // Today (pinned: 2024-03-10) is empty; the panel is there for the live updates.
    expect(res.body).toMatch(/<section aria-labelledby="s-today" class="today" id="today" data-live-src="\/sites\/www\.a\.example\/live\?lang=en"/);
    expect(res.body).toContain('<dd data-live="hits">0</dd>');
    const month = await f.app.fastify.inject({ method: 'GET', url: `/sites/${SITE_A}?range=month&month=2024-03`, headers: auth() });
    const days = rowKeys(month.body, 't-days');
    expect(days).toHaveLength(31);
    expect(days[3]).toBe('2024-03-04');
    // Month history: the 12 months up to the report's last month.
    expect(rowKeys(month.body, 't-months')).toEqual(['2023-04', '2023-05', '2023-06', '2023-07', '2023-08', '2023-09', '2023-10', '2023-11', '2023-12', '2024-01', '2024-02', '2024-03']);
    // No empty sections: nobody logged in with a user name, nothing came from a search engine.
    for (const gone of ['t-users', 't-searchTerms', 't-slowPages']) expect(month.body).not.toContain(`id="${gone}"`);
    // Filled by the engine: every visit has an entry page.
    expect(month.body).toContain('id="t-entryPages"');
  });

  it('the overview: one heading, 30-day headline numbers and a sparkline per site', async () => {
    const res = await f.app.fastify.inject({ method: 'GET', url: '/sites', headers: auth() });
    expect(res.body.match(/<h1>/g)).toHaveLength(1);
    expect(res.body).not.toContain('<caption>Your sites</caption>');
    const card = /<li class="site">[\s\S]*?<\/li>/.exec(res.body)?.[0] ?? '';
    expect(card).toContain('<p class="sub"><span class="d">2024-02-03</span> – <span class="d">2024-03-03</span></p>');
    expect(card).toContain('<dt>Hits</dt><dd>9</dd>');
    expect(card).toMatch(/<svg class="spark" [^>]*role="img" aria-label="Hits per day from 2024-02-03 to 2024-03-03: lowest 0, highest 3"/);
    // 30 points, the last three at the top (3 hits a day).
    const pts = /<polyline class="spark-line" points="([^"]+)"/.exec(card)![1]!.split(' ');
    expect(pts).toHaveLength(30);
    expect(pts.slice(-3).map((p) => p.split(',')[1])).toEqual(['2', '2', '2']);
  });

  it('the operator overview: every site for operators, 403 for customers', async () => {
    const customer = await f.app.fastify.inject({ method: 'GET', url: '/operator', headers: auth() });
    expect(customer.statusCode).toBe(403);
    const res = await f.app.fastify.inject({ method: 'GET', url: '/operator', headers: operator() });
    expect(res.statusCode).toBe(200);
    const rows = [...res.body.matchAll(/<tr><th scope="row" class="site"><a [^>]*>([^<]+)<\/a><\/th>(.*?)<\/tr>/g)];
    expect(rows.map((r) => r[1])).toEqual([SITE_A, 'www.b.example']);
    expect(rows[0]![2]).toContain('<td data-label="Customer">a</td><td data-label="Hits, last 30 days" class="n">9</td>');
    expect(rows[1]![2]).toContain('<td data-label="Hits, last 30 days" class="n">15</td>');
    expect(rows[0]![2]).toContain('<td data-label="Last day with data" class="d">2024-03-03</td>');
  });

  it('serves the live script from self, as JavaScript', async () => {
    const res = await f.app.fastify.inject({ method: 'GET', url: '/static/live.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/javascript/);
    expect(res.body).toContain("new EventSource(src)");
    expect(res.body).not.toMatch(/innerHTML|eval\(|document\.write/);
  });

  it("live today: an event stream of the site's day, updated when an ingest through the server commits", async () => {
    await f.app.fastify.listen({ port: 0, host: '127.0.0.1' });
    const { port } = f.app.fastify.server.address() as AddressInfo;
    const events: { day: { date: string; hits: number }; text: { hits: string } }[] = [];
    const req = httpGet({ host: '127.0.0.1', port, path: `/sites/${SITE_A}/live?lang=de`, headers: auth() });
    const response = await new Promise<IncomingMessage>((resolve) => req.on('response', resolve));
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    let buffer = '';
    response.on('data', (c: Buffer) => {
      buffer += c.toString('utf8');
      let i: number;
      while ((i = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        const data = /^event: today\ndata: (.*)$/m.exec(block);
        if (data) events.push(JSON.parse(data[1]!));
      }
    });
    await expect.poll(() => events.length).toBe(1);
    expect(events[0]!.day).toEqual({ date: '2024-03-10', hits: 0, visitors: 0, visits: 0, pages: 0, bytes: 0 });
    const body = Array.from({ length: 1234 }, (_, i) => line(`192.0.2.${(i % 50) + 1}`, 10, `/live-${i}.html`)).join('\n');
    const ing = await f.app.fastify.inject({ method: 'POST', url: `/ingest/${SITE_A}`, headers: { ...operator(), 'content-type': 'text/plain' }, payload: `${body}\n` });
    expect(ing.statusCode).toBe(200);
    await expect.poll(() => events.length).toBe(2);
    expect(events[1]!.day.hits).toBe(1234);
    expect(events[1]!.text.hits).toBe('1.234');
    expect(f.app.deps.live.lastIngest.get(SITE_A)).toBeInstanceOf(Date);
    // Another customer's site: the same 404 as a site that does not exist.
    const other = await f.app.fastify.inject({ method: 'GET', url: '/sites/www.b.example/live', headers: auth() });
    expect(other.statusCode).toBe(404);
    req.destroy();
    await expect.poll(() => f.app.deps.live.streams).toBe(0);
  });
});

describe('trusted proxies from flags and environment', () => {
  it('--trust-proxy is loopback only; --trusted-proxy and WEBLOG_TRUSTED_PROXIES add addresses; a bad one is a usage error', async () => {
    const { trustedProxies } = await import('../../src/cli/serve.js');
    expect(trustedProxies({ 'trust-proxy': true }, {})).toEqual(['loopback']);
    expect(trustedProxies({}, { WEBLOG_TRUST_PROXY: '1' })).toEqual(['loopback']);
    expect(trustedProxies({ 'trusted-proxy': ['10.0.0.0/8', '2001:db8::1'] }, {})).toEqual(['10.0.0.0/8', '2001:db8::1']);
    expect(trustedProxies({}, { WEBLOG_TRUSTED_PROXIES: '192.0.2.10, 198.51.100.0/24' })).toEqual(['192.0.2.10', '198.51.100.0/24']);
    expect(trustedProxies({}, {})).toEqual([]);
    expect(() => trustedProxies({ 'trusted-proxy': ['10.0.0.0/33'] }, {})).toThrow(/--trusted-proxy/);
  });
});
