/**
 * ClickHouse faults (issue 6): a fault-injecting HTTP proxy on loopback sits between weblog and
 * the real server and fails, delays or drops requests on command. Whatever the fault, an ingest
 * either completes or stops with a clear error and exit 1, never counts a batch twice, and a
 * rerun after the fault is gone gives exactly the report of a clean ingest.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import { describe, expect, it } from 'vitest';
import { writeLogFile } from '../../fixtures/generate.js';
import { tempStore, weblog, weblogProcess } from '../helpers/cli.js';
import { CH_URL, freshUrl, requireServer } from '../integration/clickhouse/helpers.js';

type Mode = 'pass' | 'fail-inserts' | 'down' | 'slow';

/** Forwards to the real server; `mode` decides what happens to each request. */
function faultProxy(target: URL): Promise<{ server: Server; port: number; setMode(m: Mode): void; inserts: () => number }> {
  let mode: Mode = 'pass';
  let inserts = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const query = `${decodeURIComponent((req.url ?? '').replace(/\+/g, ' '))} ${body.subarray(0, 300).toString('latin1')}`;
      // Data inserts only: the key ring (`<db>_keys`) has its own failure path (ERR_STORE_OPEN).
      const isInsert = /INSERT\s+INTO/i.test(query) && !/_keys/.test(query);
      if (isInsert) inserts++;
      if (mode === 'down') {
        req.socket.destroy();
        return;
      }
      if (mode === 'fail-inserts' && isInsert) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('Code: 241. DB::Exception: injected fault (Memory limit exceeded)');
        return;
      }
      const forward = (): void => {
        const up = httpRequest({ host: target.hostname, port: Number(target.port), path: req.url, method: req.method, headers: req.headers }, (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        });
        up.on('error', () => res.destroy());
        up.end(body);
      };
      if (mode === 'slow') setTimeout(forward, 150);
      else forward();
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      resolve({ server, port, setMode: (m) => (mode = m), inserts: () => inserts });
    });
  });
}

function via(url: string, port: number): string {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(port);
  return u.toString();
}

async function report(store: string, site: string): Promise<string> {
  const r = await weblog(['report', '--store', store, '--site', site, '--format', 'json', '--top', '0', '--threshold', '1']);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

requireServer('ClickHouse fault injection', CH_URL !== '');

describe.skipIf(CH_URL === '')('ClickHouse faults through a fault-injecting proxy', () => {
  it('stops on failing inserts with ERR_STORE_WRITE, commits no partial batch, and resumes to the clean report', async () => {
    const log = `${tempStore()}.log`;
    await writeLogFile({ lines: 30_000, seed: 21, days: 3, malformed: 0 }, log);
    const args = ['--site', 'ch.example', '--user', 'full', '--ip', 'full', '--no-purge', '--quiet', '--batch-lines', '5000'];
    const clean = freshUrl('weblog_fault_clean');
    const c = await weblog(['ingest', '--store', clean, ...args, log]);
    expect(c.code, c.stderr).toBe(0);

    const proxy = await faultProxy(new URL(CH_URL.replace(/^clickhouse/, 'http')));
    try {
      const direct = freshUrl('weblog_fault');
      const db = via(direct, proxy.port);
      // Let the first batches through, then fail every insert.
      // Child processes: the key ring waits synchronously for ClickHouse, which would block this
      // process's event loop, and with it the proxy.
      const run = weblogProcess(['ingest', '--store', db, ...args, log]);
      const t0 = Date.now();
      while (proxy.inserts() < 6 && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 20));
      proxy.setMode('fail-inserts');
      const failed = await run;
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(/error\[ERR_STORE_WRITE\]/);

      proxy.setMode('slow');
      const again = await weblogProcess(['ingest', '--store', db, ...args, log]);
      expect(again.code, again.stderr).toBe(0);
      expect(await report(direct, 'ch.example')).toBe(await report(clean, 'ch.example'));
    } finally {
      proxy.server.close();
    }
  }, 180_000);

  it('reports a server that is down as a clear error, exit 1', async () => {
    const proxy = await faultProxy(new URL(CH_URL.replace(/^clickhouse/, 'http')));
    try {
      proxy.setMode('down');
      const log = `${tempStore()}.log`;
      await writeLogFile({ lines: 100, seed: 22, days: 1, malformed: 0 }, log);
      const r = await weblogProcess(['ingest', '--store', via(freshUrl('weblog_fault_down'), proxy.port), '--site', 's', '--quiet', log]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/error\[ERR_STORE_(OPEN|WRITE|READ)\]/);
    } finally {
      proxy.server.close();
    }
  }, 120_000);
});
