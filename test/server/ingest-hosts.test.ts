/**
 * POST /ingest uses the accounts' host names as `weblog ingest` does (one rule,
 * pipeline/settings.ts withAccountSites): an alias routes to its owning site, and the site's own
 * host names are internal referrers. In the fixture customer a owns www.a.example with host
 * a.example.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/contract.js';
import { bearer, line, setup, SITE_A, type Fixture } from './helpers.js';

let f: Fixture;
beforeAll(async () => {
  f = await setup({ withData: false, serveArgs: ['--format', 'auto'] });
});
afterAll(async () => f?.close());

async function post(url: string, body: string) {
  const res = await f.app.fastify.inject({ method: 'POST', url, payload: body, headers: { ...bearer(f.tokens.operator), 'content-type': 'text/plain' } });
  return { status: res.statusCode, body: JSON.parse(res.body) as { sites: string[]; accepted: number } };
}

async function report(site: string): Promise<Report | null> {
  const res = await f.app.fastify.inject({ method: 'GET', url: `/api/sites/${site}/report?top=0`, headers: bearer(f.tokens.operator) });
  return res.statusCode === 200 ? (JSON.parse(res.body) as Report) : null;
}

/** A vhost line with a Referer (helpers' line() has "-"). */
function withReferrer(vhostLine: string, referrer: string): string {
  return vhostLine.replace(/ "-" "/, ` "${referrer}" "`);
}

describe('POST /ingest and the accounts host names', () => {
  it('routes an alias to its owning site, with the site’s hosts as internal referrers', async () => {
    const body = [
      withReferrer(line('192.0.2.1', 4, '/x.html', { host: 'a.example' }), 'https://a.example/index.html'),
      withReferrer(line('192.0.2.2', 4, '/y.html', { host: SITE_A }), 'https://elsewhere.example/'),
    ].join('\n');
    const r = await post('/ingest', body);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ accepted: 2, sites: [SITE_A] });
    expect(await report('a.example')).toBeNull();
    const rep = (await report(SITE_A))!;
    expect(rep.totals.hits).toBe(2);
    expect(rep.top.referringSites.map((x) => x.key)).toEqual(['elsewhere.example']);
  });

  it('POST /ingest/ALIAS counts on the owning site', async () => {
    const r = await post('/ingest/a.example', line('192.0.2.3', 5, '/z.html'));
    expect(r.status).toBe(200);
    expect(r.body.sites).toEqual([SITE_A]);
    expect(await report('a.example')).toBeNull();
  });
});
