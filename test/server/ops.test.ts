/** Operations: health, readiness, metrics, redacted logs, and graceful shutdown of `weblog serve`. */
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, tempStore, weblog } from '../helpers/cli.js';
import { bearer, line, setup, SITE_A, type Fixture } from './helpers.js';
import { chunksOf, slowPost, startServe, storeWithOperator, waitFor } from './process.js';

describe('health, readiness, metrics, logs', () => {
  let f: Fixture;
  let logs = '';
  beforeAll(async () => {
    const sink = new PassThrough();
    sink.on('data', (c: Buffer) => (logs += c.toString('utf8')));
    f = await setup({ logger: sink });
  });
  afterAll(async () => f?.close());

  it('answers /healthz and /readyz', async () => {
    expect(JSON.parse((await f.app.fastify.inject({ method: 'GET', url: '/healthz' })).body)).toEqual({ status: 'ok' });
    expect((await f.app.fastify.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  });

  it('counts lines in, rejections by reason, ingest lag and store latency', async () => {
    const body = [line('192.0.2.77', 4, '/m.html'), line('192.0.2.78', 4, '/n.html'), 'junk'].join('\n');
    const r = await f.app.fastify.inject({
      method: 'POST',
      url: `/ingest/${SITE_A}`,
      payload: body,
      headers: { ...bearer(f.tokens.operator), 'content-type': 'text/plain', 'user-agent': 'Vector/0.40' },
    });
    expect(r.statusCode).toBe(200);
    await f.app.fastify.inject({ method: 'GET', url: `/api/sites/${SITE_A}/report`, headers: bearer(f.tokens.a) });
    const m = (await f.app.fastify.inject({ method: 'GET', url: '/metrics' })).body;
    expect(m).toMatch(/^weblog_ingest_lines_total 3$/m);
    expect(m).toMatch(/^weblog_ingest_lines_rejected_total\{reason="missing_field"\} 1$/m);
    expect(m).toMatch(/^weblog_ingest_lag_seconds_count 1$/m);
    expect(m).toMatch(/^weblog_store_operation_seconds_count\{op="commit"\} 1$/m);
    expect(m).toMatch(/^weblog_store_operation_seconds_count\{op="query"\} [1-9]/m);
    expect(m).toMatch(/^weblog_ingest_requests_total\{outcome="ok"\} 1$/m);
  });

  it('logs JSON lines without tokens, cookies, client addresses or log content', async () => {
    await f.app.fastify.inject({ method: 'GET', url: '/sites', headers: { ...bearer(f.tokens.a), cookie: 'weblog_session=abc' }, remoteAddress: '203.0.113.250' });
    expect(logs).not.toBe('');
    for (const l of logs.trim().split('\n')) expect(() => JSON.parse(l)).not.toThrow();
    expect(logs).not.toContain(f.tokens.a.slice(20));
    expect(logs).not.toContain(f.tokens.operator.slice(20));
    expect(logs).not.toContain('203.0.113.250');
    expect(logs).not.toContain('192.0.2.77');
    expect(logs).not.toContain('Vector/0.40');
  });
});

describe('weblog serve process', () => {
  it('on SIGTERM finishes a running ingest, commits it, and exits 0', async () => {
    const store = tempStore();
    const operator = await storeWithOperator(store, [SITE_A]);
    const serve = await startServe(['--store', store, '--format', 'combined']);
    const { child, port } = serve;
    const lines = Array.from({ length: 30 }, (_, i) => `${line(`192.0.2.${i}`, 3, `/t${i}.html`)}\n`);
    const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, path: `/ingest/${SITE_A}`, method: 'POST', headers: { ...bearer(operator), 'content-type': 'text/plain' } },
        (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      let i = 0;
      let signalled = false;
      const next = (): void => {
        if (i === 5 && !signalled) {
          signalled = true;
          // The signal must find the ingest running, not still authenticating (slow under load).
          void waitFor(async () => (await fetch(`${serve.base}/metrics`)).text(), /^weblog_ingest_in_flight 1$/m, 20_000).then(() => {
            child.kill('SIGTERM');
            next();
          }, reject);
          return;
        }
        if (i >= lines.length) req.end();
        else {
          req.write(lines[i++]);
          setTimeout(next, 30);
        }
      };
      next();
    });
    const res = await response;
    expect(res.status, res.body).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ lines: 30, accepted: 30 });
    expect(await serve.exited).toBe(0);
    expect(serve.stderr()).toMatch(/SIGTERM, finishing running ingests/);
    expect(serve.stderr()).toMatch(/stopped/);
    expect(serve.stdout()).not.toContain('192.0.2.');
    const rep = await weblog(['report', '--store', store, '--site', SITE_A, '--format', 'json']);
    expect(JSON.parse(rep.stdout).totals.hits).toBe(30);
  });

  it('survives queued ingests whose clients give up (no crash, nothing of theirs stored, the running ingest commits)', async () => {
    const store = tempStore();
    const operator = await storeWithOperator(store, [SITE_A]);
    const serve = await startServe(['--store', store, '--format', 'combined']);
    try {
      // A: a slow shipper holds the single writer for about 2.5 s.
      const sample = readFileSync(`${REPO}/fixtures/sample-access.log`);
      const first = slowPost(serve.base, `/ingest/${SITE_A}`, operator, chunksOf(sample, 4096), 20);
      await new Promise((r) => setTimeout(r, 300));
      // B…: queued behind A, and each client gives up after 0.5 s, like `curl -m`. Which body
      // sizes reach the old crash depends on socket and stream buffers (30-68 KB in the report,
      // 24-33 KB here), so every size from 8 to 72 KB is tried.
      const sizes = Array.from({ length: 9 }, (_, i) => (i + 1) * 8 * 1024);
      const gaveUp = await Promise.all(
        sizes.map((size, k) => {
          const one = `${line('198.51.100.7', 4, `/queued-${k}.html`)}\n`;
          const body = Buffer.from(one.repeat(Math.ceil(size / one.length)));
          return slowPost(serve.base, `/ingest/${SITE_A}`, operator, chunksOf(body, 8192), 0, { abortAfterMs: 500 });
        }),
      );
      expect(gaveUp.map((r) => r.status)).toEqual(sizes.map(() => 0));
      await new Promise((r) => setTimeout(r, 300));
      expect(serve.alive(), serve.stderr()).toBe(true);
      expect((await fetch(`${serve.base}/healthz`)).status).toBe(200);
      const a = await first;
      expect(a.status).toBe(200);
      expect(JSON.parse(a.body)).toMatchObject({ lines: 2000 });
      // Their turns come after A: each fails as a body error and stores nothing.
      await waitFor(async () => (await fetch(`${serve.base}/metrics`)).text(), new RegExp(`^weblog_ingest_requests_total\\{outcome="ERR_INGEST_BODY"\\} ${sizes.length}$`, 'm'), 20_000);
      expect(serve.alive()).toBe(true);
      const rep = await weblog(['report', '--store', store, '--site', SITE_A, '--format', 'json', '--top', '0']);
      const urls = (JSON.parse(rep.stdout) as { top: { urls: { key: string }[] } }).top.urls.map((u) => u.key);
      expect(urls.length).toBeGreaterThan(0);
      expect(urls.filter((u) => u.startsWith('/queued-'))).toEqual([]);
    } finally {
      serve.child.kill('SIGTERM');
      await serve.exited;
    }
  });
});
