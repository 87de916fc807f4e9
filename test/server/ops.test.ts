/** Operations: health, readiness, metrics, redacted logs, and graceful shutdown of `weblog serve`. */
import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, tempStore, weblog } from '../helpers/cli.js';
import { bearer, lastLine, line, setup, SITE_A, type Fixture } from './helpers.js';

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

function waitFor(get: () => string, re: RegExp, ms: number): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = (): void => {
      const m = re.exec(get());
      if (m) resolve(m);
      else if (Date.now() - t0 > ms) reject(new Error(`timeout waiting for ${re}: ${get()}`));
      else setTimeout(tick, 50);
    };
    tick();
  });
}

describe('weblog serve process', () => {
  it('on SIGTERM finishes a running ingest, commits it, and exits 0', async () => {
    const store = tempStore();
    await weblog(['customer', 'add', 'a', '--store', store]);
    await weblog(['site', 'add', SITE_A, '--customer', 'a', '--store', store]);
    const operator = lastLine((await weblog(['token', 'create', '--operator', '--store', store])).stdout);
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'test', 'helpers', 'entry.ts'), 'serve', '--store', store, '--port', '0', '--format', 'combined'], {
      cwd: REPO,
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const port = Number((await waitFor(() => stderr, /listening on http:\/\/127\.0\.0\.1:(\d+)/, 20_000))[1]);

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
      const next = (): void => {
        if (i === 5) child.kill('SIGTERM');
        if (i >= lines.length) req.end();
        else {
          req.write(lines[i++]);
          setTimeout(next, 30);
        }
      };
      next();
    });
    const res = await response;
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ lines: 30, accepted: 30 });
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/SIGTERM, finishing running ingests/);
    expect(stderr).toMatch(/stopped/);
    expect(stdout).not.toContain('192.0.2.');
    const rep = await weblog(['report', '--store', store, '--site', SITE_A, '--format', 'json']);
    expect(JSON.parse(rep.stdout).totals.hits).toBe(30);
  });
});
