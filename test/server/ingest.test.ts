/**
 * POST /ingest: the numbers equal `weblog ingest` of the same file; gzip; size limits (413,
 * nothing stored); huge lines; binary junk; a slow client; concurrent clients; vhost routing.
 */
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyRingPathFor, openFileKeyRing } from '../../src/anonymise/index.js';
import type { Report } from '../../src/report/contract.js';
import { REPO, tempStore, weblog } from '../helpers/cli.js';
import { bearer, line, setup, SITE_A, SITE_B, type Fixture } from './helpers.js';
import { slowPost } from './process.js';

const SAMPLE = `${REPO}/fixtures/sample-access.log`;
const MAX_BODY = 3 * 1024 * 1024;
const MAX_DECODED = 8 * 1024 * 1024;

let f: Fixture;
let base: string;

beforeAll(async () => {
  f = await setup({ withData: false, limits: { maxBodyBytes: MAX_BODY, maxDecodedBytes: MAX_DECODED } });
  await f.app.fastify.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(f.app.fastify.server.address() as AddressInfo).port}`;
});
afterAll(async () => f?.close());

interface IngestResult {
  site: string | null;
  lines: number;
  accepted: number;
  rejected: { lines: number; reasons: Record<string, number> };
  sites: string[];
}

async function post(url: string, payload: string | Buffer, headers: Record<string, string> = {}, fx: Fixture = f) {
  const res = await fx.app.fastify.inject({
    method: 'POST',
    url,
    payload,
    headers: { ...bearer(fx.tokens.operator), 'content-type': 'text/plain', ...headers },
  });
  return { status: res.statusCode, body: JSON.parse(res.body) as IngestResult & { code?: string } };
}

async function report(site: string, fx: Fixture = f): Promise<Report | null> {
  const res = await fx.app.fastify.inject({ method: 'GET', url: `/api/sites/${site}/report?top=0`, headers: bearer(fx.tokens.operator) });
  return res.statusCode === 200 ? (JSON.parse(res.body) as Report) : null;
}

/** Raw HTTP, for what inject cannot do: chunked bodies without a length, slow writers. */
function rawPost(path: string, chunks: Buffer[], delayMs: number, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { method: 'POST', headers: { ...bearer(f.tokens.operator), 'content-type': 'text/plain', ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    let i = 0;
    const next = (): void => {
      if (i >= chunks.length) {
        req.end();
        return;
      }
      const ok = req.write(chunks[i++]);
      const go = (): void => void setTimeout(next, delayMs);
      if (ok) go();
      else req.once('drain', go);
    };
    next();
  });
}

describe('POST /ingest/:site', () => {
  it('gives the same report as `weblog ingest` of the same file', async () => {
    // The CLI's store and key ring; the server then uses that key ring, so even pseudonyms match.
    // Both see the sample's days as within the raw window (the server's clock is 2024-03-10), so
    // their keys are stored and shared, not process-only.
    const cliStore = tempStore();
    // --no-purge: the retention run after an ingest destroys old days' keys, and the server needs them.
    const ing = await weblog(['ingest', '--store', cliStore, '--site', SITE_B, '--format', 'combined', '--quiet', '--no-purge', '--now', '2024-03-10', SAMPLE]);
    expect(ing.code).toBe(0);
    const cli = await weblog(['report', '--store', cliStore, '--site', SITE_B, '--format', 'json', '--top', '0']);
    const keys = openFileKeyRing(keyRingPathFor(cliStore));
    const g = await setup({ withData: false, keys });
    try {
      const r = await post(`/ingest/${SITE_B}`, readFileSync(SAMPLE), {}, g);
      expect(r.status).toBe(200);
      const cliReport = JSON.parse(cli.stdout) as Report;
      expect(r.body.lines).toBe(2000);
      expect(r.body.accepted).toBe(cliReport.totals.hits);
      expect(r.body.rejected.lines).toBe(cliReport.rejected.lines);
      expect(r.body.rejected.reasons).toEqual(cliReport.rejected.reasons);
      const api = await g.app.fastify.inject({ method: 'GET', url: `/api/sites/${SITE_B}/report?top=0`, headers: bearer(g.tokens.b) });
      expect(api.statusCode).toBe(200);
      expect(JSON.parse(api.body)).toEqual(cliReport);
    } finally {
      await g.close();
      await keys.close();
    }
  });

  it('keeps the key of a day already past the raw window in memory only: nothing of it reaches the key file', async () => {
    // Issue 13, item 11. The server's clock is 2024-03-10 and the raw window 7 days, so 1 March is
    // past it (its lines are late) and 9 March inside. Before the fix the late day's secret was
    // written to STORE.keys and lived there until the next hourly purge.
    const keys = openFileKeyRing(keyRingPathFor(tempStore()));
    const g = await setup({ withData: false, keys });
    try {
      const late = Array.from({ length: 6 }, (_, i) => line(`203.0.113.${i + 1}`, 1, `/late-${i}.html`));
      const inside = Array.from({ length: 4 }, (_, i) => line(`203.0.113.${i + 1}`, 9, `/now-${i}.html`));
      const r = await post(`/ingest/${SITE_A}`, `${[...late, ...inside].join('\n')}\n`, {}, g);
      expect(r.status).toBe(200);
      expect(r.body.accepted).toBe(10);
      // Stored secrets: only the day inside the window.
      expect(await keys.alive()).toEqual([{ windowDays: 7, days: 1, oldest: '2024-03-09' }]);
      // The late day was counted all the same.
      const rep = (await report(SITE_A, g))!;
      expect(rep.days.find((d) => d.date === '2024-03-01')?.hits).toBe(6);
    } finally {
      await g.close();
      await keys.close();
    }
  });

  it('accepts gzip and counts exactly as the plain body', async () => {
    const lines = Array.from({ length: 50 }, (_, i) => line(`198.51.100.${i}`, 5, `/gz-${i}.html`)).join('\n');
    const r = await post(`/ingest/gz.example`, gzipSync(`${lines}\nnot a log line\n`), { 'content-encoding': 'gzip' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ site: 'gz.example', lines: 51, accepted: 50, rejected: { lines: 1 } });
    expect((await report('gz.example'))?.totals.hits).toBe(50);
  });

  it('413 for a body over the limit, by Content-Length and while streaming; nothing is stored', async () => {
    const big = Buffer.from(`${line('192.0.2.1', 6, '/big.html')}\n`.repeat(Math.ceil((MAX_BODY + 1000) / 120)));
    expect(big.length).toBeGreaterThan(MAX_BODY);
    const byLength = await post('/ingest/big.example', big);
    expect(byLength.status).toBe(413);
    expect(byLength.body.code).toBe('ERR_INGEST_TOO_LARGE');
    // Chunked: no length up front, the limit trips after lines were already parsed.
    const chunks: Buffer[] = [];
    for (let o = 0; o < big.length; o += 256 * 1024) chunks.push(big.subarray(o, o + 256 * 1024));
    const streamed = await rawPost('/ingest/big.example', chunks, 0);
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.body).code).toBe('ERR_INGEST_TOO_LARGE');
    expect(await report('big.example')).toBeNull();
    // A gzip bomb: small on the wire, over the decoded limit.
    const bomb = gzipSync(Buffer.alloc(MAX_DECODED + 1024, 0x0a));
    expect(bomb.length).toBeLessThan(MAX_BODY);
    const b = await post('/ingest/big.example', bomb, { 'content-encoding': 'gzip' });
    expect(b.status).toBe(413);
    expect(await report('big.example')).toBeNull();
  });

  it('413 at once for a gzip body that expands like no log does (within the decoded limit); nothing is stored', async () => {
    // 4 MiB of newlines is under the 8 MiB decoded limit, so only the ratio can refuse it; the
    // old server read all of it (90 s of CPU for the 1 MB bomb of the report).
    const bomb = gzipSync(Buffer.alloc(4 * 1024 * 1024, 0x0a));
    const r = await post('/ingest/ratio.example', bomb, { 'content-encoding': 'gzip' });
    expect(r.status).toBe(413);
    expect(r.body.code).toBe('ERR_INGEST_EXPANDS');
    expect(await report('ratio.example')).toBeNull();
    // A real log compresses some 10-20 times: accepted.
    const sample = readFileSync(SAMPLE);
    const ok = await post('/ingest/ratio-ok.example', gzipSync(Buffer.concat([sample, sample, sample])), { 'content-encoding': 'gzip' });
    expect(ok.status).toBe(200);
    expect(ok.body.lines).toBe(6000);
  });

  it('rejects a huge line as too_long and keeps the lines around it', async () => {
    const huge = `192.0.2.9 - - [07/Mar/2024:10:00:00 +0000] "GET /${'x'.repeat(1536 * 1024)} HTTP/1.1" 200 1 "-" "-"`;
    const body = [line('192.0.2.1', 7, '/before.html'), huge, line('192.0.2.2', 7, '/after.html')].join('\n');
    const r = await post('/ingest/huge.example', body);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ lines: 3, accepted: 2, rejected: { lines: 1, reasons: { too_long: 1 } } });
    const rep = await report('huge.example');
    expect(rep?.top.urls.map((u) => u.key).sort()).toEqual(['/after.html', '/before.html']);
  });

  it('counts binary junk as rejected lines, never as an error', async () => {
    // Deterministic junk: bytes 0-255 shuffled by a fixed rule, cut into lines.
    const junk = Buffer.alloc(64 * 1024);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 167 + 13) & 0xff;
    const good = `${line('192.0.2.3', 8, '/ok.html')}\n`;
    const r = await post('/ingest/junk.example', Buffer.concat([Buffer.from(good), junk, Buffer.from(`\n${good}`)]));
    expect(r.status).toBe(200);
    expect(r.body.accepted).toBe(2);
    expect(r.body.rejected.lines).toBe(r.body.lines - 2);
    expect(r.body.rejected.lines).toBeGreaterThan(0);
    expect(Object.values(r.body.rejected.reasons).reduce((a, b) => a + b, 0)).toBe(r.body.rejected.lines);
    // Random bytes too, gzip-declared but not gzip: a 400 and nothing stored.
    const bad = await post('/ingest/junk2.example', randomBytes(4096), { 'content-encoding': 'gzip' });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('ERR_INGEST_BODY');
    expect(await report('junk2.example')).toBeNull();
  });

  it('serves other requests while a slow client trickles its body, then counts all of it', async () => {
    const lines = Array.from({ length: 40 }, (_, i) => `${line(`203.0.113.${i}`, 9, `/slow-${i}.html`)}\n`);
    const pending = rawPost('/ingest/slow.example', lines.map((l) => Buffer.from(l)), 25);
    await new Promise((r) => setTimeout(r, 200));
    const t0 = Date.now();
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(Date.now() - t0).toBeLessThan(500);
    const done = await pending;
    expect(done.status).toBe(200);
    expect(JSON.parse(done.body)).toMatchObject({ lines: 40, accepted: 40 });
  });

  it('serialises concurrent clients and loses nothing', async () => {
    const n = 8;
    const per = 200;
    const bodies = Array.from({ length: n }, (_, c) => Array.from({ length: per }, (_, i) => line(`10.${c}.${i >> 8}.${i & 255}`, 10 + (i % 3), `/c${c}/${i}.html`)).join('\n'));
    const results = await Promise.all(bodies.map((b) => fetch(`${base}/ingest/many.example`, { method: 'POST', body: b, headers: { ...bearer(f.tokens.operator), 'content-type': 'text/plain' } })));
    for (const r of results) {
      expect(r.status).toBe(200);
      expect(await r.json()).toMatchObject({ accepted: per });
    }
    const rep = await report('many.example');
    expect(rep?.totals.hits).toBe(n * per);
    expect(rep?.top.urls.length).toBe(n * per);
  });

  it('refuses what is not text: 415', async () => {
    expect((await post('/ingest/x.example', '{}', { 'content-type': 'application/json' })).status).toBe(415);
    expect((await post('/ingest/x.example', 'x', { 'content-encoding': 'br' })).status).toBe(415);
  });

  it('refuses a site name that is not a host name', async () => {
    const r = await post('/ingest/a%2Fb', line('192.0.2.1', 1, '/'));
    expect(r.status).toBe(404);
  });
});

describe('POST /ingest (routed by virtual host)', () => {
  let g: Fixture;
  beforeAll(async () => {
    g = await setup({ withData: false, serveArgs: ['--format', 'auto'] });
  });
  afterAll(async () => g?.close());

  it('routes lines to registered sites by vhost and rejects unknown vhosts as no_site', async () => {
    const body = [
      line('192.0.2.1', 2, '/a.html', { host: SITE_A }),
      line('192.0.2.2', 2, '/b.html', { host: SITE_B }),
      line('192.0.2.3', 2, '/b2.html', { host: SITE_B }),
      line('192.0.2.4', 2, '/x.html', { host: 'stranger.example' }),
    ].join('\n');
    const r = await post('/ingest', body, {}, g);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ site: null, lines: 4, accepted: 3, rejected: { lines: 1, reasons: { no_site: 1 } }, sites: [SITE_A, SITE_B] });
    expect((await report(SITE_A, g))?.totals.hits).toBe(1);
    expect((await report(SITE_B, g))?.totals.hits).toBe(2);
    expect(await report('stranger.example', g)).toBeNull();
  });

  it('400 with a reason for a body declared gzip that is not (format auto), not 500', async () => {
    const plain = [line('192.0.2.1', 2, '/a.html', { host: SITE_A })].join('\n');
    const before = (await report(SITE_A, g))?.totals.hits ?? 0;
    for (const url of ['/ingest', `/ingest/${SITE_A}`]) {
      const r = await post(url, plain, { 'content-encoding': 'gzip' }, g);
      expect(r.status).toBe(400);
      expect(r.body.code).toBe('ERR_INGEST_BODY');
      expect(r.body).toMatchObject({ message: expect.stringMatching(/gzip/) });
    }
    expect((await report(SITE_A, g))?.totals.hits ?? 0).toBe(before);
  });

  it('answers 422 when no log format can be detected', async () => {
    const r = await post('/ingest', Buffer.alloc(1000, 0x41), {}, g);
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('ERR_PARSE_DETECT_FAILED');
    // A gzip body sent without Content-Encoding: the error says what it is.
    const gz = await post('/ingest', gzipSync(Buffer.from('1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 5\n')), {}, g);
    expect(gz.status).toBe(422);
    expect(gz.body.code).toBe('ERR_PARSE_DETECT_GZIP');
  });
});

describe('timeouts: a stalled or endless upload releases the single writer', () => {
  let g: Fixture;
  let gBase: string;
  beforeAll(async () => {
    g = await setup({ withData: false, limits: { bodyIdleTimeoutMs: 800, requestTimeoutMs: 4000 } });
    await g.app.fastify.listen({ port: 0, host: '127.0.0.1' });
    gBase = `http://127.0.0.1:${(g.app.fastify.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => g?.close());

  /** The old server never answered a stalled upload: give up on it long after the timeouts. */
  function within<T>(p: Promise<T>, ms: number): Promise<T | 'no answer'> {
    return Promise.race([p, new Promise<'no answer'>((r) => setTimeout(() => r('no answer'), ms).unref())]);
  }

  it('408 for an upload that stops sending; the ingest queued behind it runs; nothing of it is stored', async () => {
    const lines = Array.from({ length: 5 }, (_, i) => Buffer.from(`${line(`192.0.2.${i}`, 2, `/stalled-${i}.html`)}\n`));
    const stalled = slowPost(gBase, '/ingest/stall.example', g.tokens.operator, lines, 10, { finish: false });
    await new Promise((r) => setTimeout(r, 200));
    const behind = slowPost(gBase, '/ingest/stall.example', g.tokens.operator, [Buffer.from(`${line('192.0.2.99', 2, '/behind.html')}\n`)], 0);
    const s = await within(stalled, 10_000);
    expect(s).not.toBe('no answer');
    expect((s as { status: number }).status).toBe(408);
    expect(JSON.parse((s as { body: string }).body)).toMatchObject({ code: 'ERR_REQUEST_TIMEOUT' });
    const b = await within(behind, 10_000);
    expect((b as { status: number }).status).toBe(200);
    const res = await g.app.fastify.inject({ method: 'GET', url: '/api/sites/stall.example/report?top=0', headers: bearer(g.tokens.operator) });
    expect((JSON.parse(res.body) as Report).top.urls.map((u) => u.key)).toEqual(['/behind.html']);
  });

  it('408 at the request timeout for an upload that trickles without ever stalling', async () => {
    const lines = Array.from({ length: 200 }, (_, i) => Buffer.from(`${line(`192.0.2.${i % 250}`, 3, `/trickle-${i}.html`)}\n`));
    const t = await within(slowPost(gBase, '/ingest/trickle.example', g.tokens.operator, lines, 200), 15_000);
    expect(t).not.toBe('no answer');
    expect((t as { status: number }).status).toBe(408);
    expect(JSON.parse((t as { body: string }).body)).toMatchObject({ code: 'ERR_REQUEST_TIMEOUT' });
    const res = await g.app.fastify.inject({ method: 'GET', url: '/api/sites/trickle.example/report?top=0', headers: bearer(g.tokens.operator) });
    expect(res.statusCode).toBe(404);
  });
});
