/**
 * Load on loopback (issue 6): concurrent log shippers and concurrent customer readers against a
 * real `weblog serve` process, bounded in count and time. Records sustained lines/s, p99 latency
 * and the server's peak RSS (printed for the closing note), and checks that nothing is lost and
 * that overload is answered with 429/503 + Retry-After instead of a crash or an unbounded queue.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLines } from '../../fixtures/generate.js';
import { REPO, tempStore, weblog } from '../helpers/cli.js';

const SITE = 'load.example';
let server: ChildProcess;
let port = 0;
let store = '';
let operator = '';
let customer = '';

function post(path: string, body: string, token: string): Promise<{ status: number; retryAfter: string | undefined; body: string; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path, method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' } },
      (res) => {
        let data = '';
        res.on('data', (c: Buffer) => (data += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] as string | undefined, body: data, ms: performance.now() - t0 }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function get(path: string, token: string): Promise<{ status: number; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    httpRequest({ host: '127.0.0.1', port, path, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0 }));
    })
      .on('error', reject)
      .end();
  });
}

const p99 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))]!;
const peakRssMb = (): number => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))![1]) / 1024;

beforeAll(async () => {
  store = tempStore();
  await weblog(['customer', 'add', 'c', '--store', store]);
  await weblog(['site', 'add', SITE, '--customer', 'c', '--store', store]);
  const last = (s: string) => s.trim().split('\n').pop()!;
  operator = last((await weblog(['token', 'create', '--operator', '--store', store])).stdout);
  customer = last((await weblog(['token', 'create', '--customer', 'c', '--store', store])).stdout);
  server = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'test', 'helpers', 'entry.ts'), 'serve', '--store', store, '--port', '0', '--format', 'combined', '--ingest-rate', '100000', '--log-level', 'warn'], {
    cwd: REPO,
    env: { ...process.env, NO_COLOR: '1' },
  });
  let stderr = '';
  server.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  server.stdout!.resume();
  const t0 = Date.now();
  while (!/listening on http:\/\/127\.0\.0\.1:(\d+)/.test(stderr)) {
    if (Date.now() - t0 > 20_000) throw new Error(`serve did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  port = Number(/listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(stderr)![1]);
}, 30_000);

afterAll(() => {
  server?.kill('SIGTERM');
});

describe('load on loopback', () => {
  it('takes concurrent shippers without losing a line', async () => {
    const shippers = 4;
    const bodiesEach = 6;
    const perBody = 5000;
    const bodies = Array.from({ length: shippers * bodiesEach }, (_, i) => `${[...generateLines({ lines: perBody, seed: 100 + i, days: 2, malformed: 0 })].join('\n')}\n`);
    const latencies: number[] = [];
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: shippers }, async (_, s) => {
        for (let b = 0; b < bodiesEach; b++) {
          const r = await post(`/ingest/${SITE}`, bodies[s * bodiesEach + b]!, operator);
          expect(r.status, r.body).toBe(200);
          expect(JSON.parse(r.body)).toMatchObject({ lines: perBody, accepted: perBody });
          latencies.push(r.ms);
        }
      }),
    );
    const secs = (performance.now() - t0) / 1000;
    const total = shippers * bodiesEach * perBody;
    console.log(`ingest load: ${total} lines from ${shippers} shippers in ${secs.toFixed(2)} s = ${Math.round(total / secs)} lines/s; request p99 ${p99(latencies).toFixed(0)} ms; server peak RSS ${peakRssMb().toFixed(0)} MB`);
    const rep = await weblog(['report', '--store', store, '--site', SITE, '--format', 'json']);
    expect(JSON.parse(rep.stdout).totals.hits).toBe(total);
  }, 120_000);

  it('answers overload with 503 + Retry-After, stays healthy, and loses nothing it accepted', async () => {
    const body = `${[...generateLines({ lines: 2000, seed: 7, days: 1, malformed: 0 })].join('\n')}\n`;
    const before = JSON.parse((await weblog(['report', '--store', store, '--site', SITE, '--format', 'json'])).stdout).totals.hits as number;
    const results = await Promise.all(Array.from({ length: 60 }, () => post(`/ingest/${SITE}`, body, operator)));
    const ok = results.filter((r) => r.status === 200).length;
    const busy = results.filter((r) => r.status === 503);
    expect(ok + busy.length).toBe(60);
    expect(busy.length).toBeGreaterThan(0);
    for (const r of busy) expect(Number(r.retryAfter)).toBeGreaterThan(0);
    expect((await get('/healthz', operator)).status).toBe(200);
    const after = JSON.parse((await weblog(['report', '--store', store, '--site', SITE, '--format', 'json'])).stdout).totals.hits as number;
    expect(after - before).toBe(ok * 2000);
    console.log(`overload: 60 concurrent ingests → ${ok} accepted, ${busy.length} × 503 Retry-After ${busy[0]!.retryAfter} s`);
  }, 120_000);

  it('serves concurrent customer readers', async () => {
    const latencies: number[] = [];
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let i = 0; i < 10; i++) {
          const r = await get(`/api/sites/${SITE}/report?top=10`, customer);
          expect(r.status).toBe(200);
          latencies.push(r.ms);
        }
      }),
    );
    const secs = (performance.now() - t0) / 1000;
    console.log(`readers: 80 report requests from 8 clients in ${secs.toFixed(2)} s = ${Math.round(80 / secs)} req/s; p99 ${p99(latencies).toFixed(0)} ms`);
    expect(latencies).toHaveLength(80);
  }, 60_000);
});
