/**
 * ClickHouse faults (issue 6): a fault-injecting HTTP proxy on loopback sits between weblog and
 * the real server and fails, delays or drops requests on command. Whatever the fault, an ingest
 * either completes or stops with a clear error and exit 1, never counts a batch twice, and a
 * rerun after the fault is gone gives exactly the report of a clean ingest. SIGTERM during a key
 * fetch (issue 17) ends the ingest within seconds, slow or hung key server alike, with the
 * committed state intact.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeLogFile } from '../../fixtures/generate.js';
import { REPO, tempStore, weblog, weblogProcess, type CliResult } from '../helpers/cli.js';
import { forEachServer, freshUrl } from '../integration/clickhouse/helpers.js';
import { chProxy, via } from '../integration/clickhouse/proxy.js';

/** `weblog ingest …` as a child process whose signals the test sends; `done` when it has exited. */
function ingestChild(args: string[], env: NodeJS.ProcessEnv = {}): { signal: (s: NodeJS.Signals) => void; done: Promise<CliResult & { ms: number }>; since: () => number } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'test', 'helpers', 'entry.ts'), 'ingest', ...args], { cwd: REPO, env: { ...process.env, NO_COLOR: '1', ...env } });
  let stdout = '';
  let stderr = '';
  let signalled = 0;
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const done = new Promise<CliResult & { ms: number }>((resolve) =>
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr, ms: signalled === 0 ? 0 : Date.now() - signalled })),
  );
  return {
    signal: (s) => {
      signalled = Date.now();
      child.kill(s);
    },
    done,
    since: () => signalled,
  };
}

async function until(cond: () => boolean, what: string, ms = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function report(store: string, site: string): Promise<string> {
  const r = await weblog(['report', '--store', store, '--site', site, '--format', 'json', '--top', '0', '--threshold', '1']);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

forEachServer('ClickHouse faults through a fault-injecting proxy', (server) => {
  const target = new URL(server.http);

  it('stops on failing inserts with ERR_STORE_WRITE, commits no partial batch, and resumes to the clean report', async () => {
    const log = `${tempStore()}.log`;
    await writeLogFile({ lines: 30_000, seed: 21, days: 3, malformed: 0 }, log);
    // --now: the days are inside the raw window, so their keys are stored and the rerun uses them
    // (a day past its window gets a key that dies with the process: a rerun could not join it).
    const args = ['--site', 'ch.example', '--user', 'full', '--ip', 'full', '--no-purge', '--quiet', '--batch-lines', '5000', '--now', '2024-03-08'];
    const clean = freshUrl(server, 'weblog_fault_clean');
    const c = await weblog(['ingest', '--store', clean, ...args, '--batch-lines', '50000', log]);
    expect(c.code, c.stderr).toBe(0);

    const proxy = await chProxy(target);
    try {
      const direct = freshUrl(server, 'weblog_fault');
      const db = via(direct, proxy.port);
      // Let the first batches through, then fail every insert (retried quickly here: the
      // backoff's length is not what is tested). A child process: see proxy.ts.
      const run = ingestChild(['--store', db, ...args, log], { WEBLOG_CH_RETRY_MS: '100,100,100' });
      await until(() => proxy.commits() >= 2, 'two committed batches');
      proxy.setMode('fail-inserts');
      const failed = await run.done;
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(/error\[ERR_STORE_WRITE\]/);

      proxy.setMode('slow');
      const again = await weblogProcess(['ingest', '--store', db, ...args, '--batch-lines', '50000', log]);
      expect(again.code, again.stderr).toBe(0);
      expect(await report(direct, 'ch.example')).toBe(await report(clean, 'ch.example'));
    } finally {
      await proxy.close();
    }
  }, 180_000);

  describe('SIGTERM during a key fetch', () => {
    // Six days inside the raw window (--now): every new day needs its secret from the key ring.
    const args = ['--site', 'keys.example', '--user', 'full', '--no-purge', '--batch-lines', '1500', '--now', '2024-03-10'];
    const prepared = (async () => {
      const log = `${tempStore()}.log`;
      await writeLogFile({ lines: 12_000, seed: 23, days: 6, start: '2024-03-04', malformed: 0 }, log);
      const clean = freshUrl(server, 'weblog_sig_clean');
      const c = await weblog(['ingest', '--store', clean, '--quiet', ...args, '--batch-lines', '50000', log]);
      expect(c.code, c.stderr).toBe(0);
      return { log, clean: await report(clean, 'keys.example') };
    })();
    prepared.catch(() => undefined);

    /** What was committed before the signal (not the batch that waited for keys) is a consistent part, and a rerun completes it. */
    async function resumesToClean(direct: string, log: string, clean: string): Promise<void> {
      const partial = JSON.parse(await report(direct, 'keys.example')) as { totals: { hits: number } };
      expect(partial.totals.hits).toBeGreaterThan(0);
      expect(partial.totals.hits).toBeLessThan(12_000);
      const again = await weblogProcess(['ingest', '--store', direct, '--quiet', ...args, '--batch-lines', '50000', log]);
      expect(again.code, again.stderr).toBe(0);
      expect(await report(direct, 'keys.example')).toBe(clean);
    }

    it('slow key server: the fetch finishes, the batch commits, exit 0 within seconds; a rerun completes the clean report', async () => {
      const { log, clean } = await prepared;
      const proxy = await chProxy(target);
      try {
        const direct = freshUrl(server, 'weblog_sig_slow');
        const run = ingestChild(['--store', via(direct, proxy.port), ...args, log]);
        await until(() => proxy.commits() >= 2, 'two committed batches');
        proxy.setMode('slow-keys');
        const keys = proxy.keyRequests();
        await until(() => proxy.keyRequests() > keys, 'a key request');
        run.signal('SIGTERM');
        const r = await run.done;
        expect(r.code, r.stderr).toBe(0);
        expect(r.stderr).toMatch(/SIGTERM, committing what was read/);
        expect(r.ms).toBeLessThan(15_000);
        proxy.setMode('pass');
        await resumesToClean(direct, log, clean);
      } finally {
        await proxy.close();
      }
    }, 240_000);

    it('hung key server: the wait is abandoned after the grace, exit 1 with ERR_INTERRUPTED, committed batches intact; a rerun completes the clean report', async () => {
      const { log, clean } = await prepared;
      const proxy = await chProxy(target);
      try {
        const direct = freshUrl(server, 'weblog_sig_hung');
        const run = ingestChild(['--store', via(direct, proxy.port), ...args, log], { WEBLOG_CH_STOP_GRACE_MS: '1000' });
        await until(() => proxy.commits() >= 2, 'two committed batches');
        proxy.setMode('hold-keys');
        await until(() => proxy.held() > 0, 'a held key request');
        run.signal('SIGTERM');
        const r = await run.done;
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/error\[ERR_INTERRUPTED\]/);
        expect(r.ms).toBeLessThan(15_000);
        proxy.setMode('pass');
        await resumesToClean(direct, log, clean);
      } finally {
        await proxy.close();
      }
    }, 240_000);
  });

  it('reports a server that is down as a clear error, exit 1', async () => {
    const proxy = await chProxy(target);
    try {
      proxy.setMode('down');
      const log = `${tempStore()}.log`;
      await writeLogFile({ lines: 100, seed: 22, days: 1, malformed: 0 }, log);
      const r = await ingestChild(['--store', via(freshUrl(server, 'weblog_fault_down'), proxy.port), '--site', 's', '--quiet', log], { WEBLOG_CH_RETRY_MS: '100,100,100' }).done;
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/error\[ERR_STORE_(OPEN|WRITE|READ)\]/);
    } finally {
      await proxy.close();
    }
  }, 120_000);
});
