/**
 * Many writers on one ClickHouse store (issues 12, 15 and 17), on every configured server: a
 * shared host's log of 50 sites, its lines dealt out by line number to several web servers
 * (interleaved in time), ingested by concurrent `weblog ingest` processes, must give exactly the
 * report of one ordered SQLite ingest of the whole log — visits and visitors included, which needs
 * the visit join and one agreed key per day. Dates are inside the raw window (`--now` a few days
 * after the log), so the writers really agree on keys rather than each using its own
 * process-only key. Kept small (tens of thousands of lines): CI time.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { writeLogFile } from '../../../fixtures/generate.js';
import { weblogProcess } from '../../helpers/cli.js';
import { forEachServer, freshUrl, post } from './helpers.js';
import { COMMON, expectSameReports, ingest, once, reports, splitByLine, storedReports } from './parity-util.js';

// One batch per process (a batch's commit waits 1–2 s for its source position: CI time), except
// where several batches are the point.
const ARGS = ['--format', 'vhost_combined', '--batch-lines', '30000', '--now', '2024-03-09'];
/** The CLI's JSON is built from the stored report by one pure function: a few sites show the path end to end. */
const CLI_SITES = ['site1.example', 'site2.example', 'site50.example'];

const fixture = once(async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'weblog-ch-writers-')), 'shared-host.log');
  await writeLogFile({ lines: 24_000, seed: 31, sites: 50, days: 3, start: '2024-03-04', format: 'vhost_combined', clients: 3000, malformed: 0.002 }, file);
  return file;
});

/** One ordered SQLite ingest of the whole log: the reference. */
const reference = once(async () => {
  const db = join(mkdtempSync(join(tmpdir(), 'weblog-ch-writers-')), 'w.db');
  await ingest(db, [...ARGS, await fixture()]);
  const stored = await storedReports(db);
  expect(stored.size).toBe(50);
  return { cli: await reports(db, CLI_SITES), stored };
});

/** `weblog ingest` of each file in its own process, all at once; every one must succeed. */
async function concurrently(store: string, files: readonly string[], extra: readonly string[] = [], perFile: (i: number) => readonly string[] = () => []): Promise<string[]> {
  // Flags given twice: the later one wins (extra may set --batch-lines).
  const runs = await Promise.all(files.map((f, i) => weblogProcess(['ingest', '--store', store, ...ARGS, ...COMMON.filter((a) => a !== '--quiet'), ...extra, ...perFile(i), f])));
  for (const r of runs) expect(r.code, r.stderr).toBe(0);
  return runs.map((r) => r.stderr);
}

async function expectReference(store: string): Promise<void> {
  const ref = await reference();
  expectSameReports(ref.stored, await storedReports(store));
  expectSameReports(ref.cli, await reports(store, CLI_SITES));
}

forEachServer('concurrent writers', (server) => {
  it('4 writers, each one web server’s log of the same 50 sites, interleaved in time: one ordered SQLite ingest’s report', async () => {
    const store = freshUrl(server);
    // Two of them with worker threads: a batch of several parts, each with its own intervals.
    await concurrently(store, splitByLine(await fixture(), 4), ['--batch-lines', '2000'], (i) => (i % 2 === 0 ? ['--workers', '2'] : []));
    await expectReference(store);
  }, 600_000);

  it('two web servers’ halves, one after the other in both orders and at once: one ordered run’s report', async () => {
    const [a, b] = splitByLine(await fixture(), 2) as [string, string];
    for (const order of [
      [a, b],
      [b, a],
    ]) {
      const store = freshUrl(server);
      for (const f of order) await ingest(store, [...ARGS, f]);
      await expectReference(store);
    }
    const store = freshUrl(server);
    await concurrently(store, [a, b]);
    await expectReference(store);
  }, 600_000);

  it('two writers introducing the same new sites agree on every key: pseudonyms equal one writer’s with the same key ring', async () => {
    const keys = freshUrl(server, 'weblog_keys_t');
    const pseudonyms = ['--ip', 'pseudonym', '--user', 'pseudonym', '--keys', keys];
    // The two writers race for every day's secret first; a later single writer only reads them.
    const racing = freshUrl(server);
    await concurrently(racing, splitByLine(await fixture(), 2), pseudonyms);
    const single = freshUrl(server);
    await concurrently(single, [await fixture()], pseudonyms);
    const a = await storedReports(racing);
    const b = await storedReports(single);
    expectSameReports(b, a);
    expect([...a.values()].join('')).toMatch(/"key":"ip-[a-z2-7]+"/);
    // One secret per day and raw window decided, whatever the candidates.
    const db = new URL(keys).pathname.slice(1);
    const epochs = (await post(server.http, `SELECT count() FROM (SELECT DISTINCT day, window_days FROM ${db}.epoch_secret WHERE day <= '2024-03-06')`)).trim();
    expect(Number(epochs)).toBe(3);
  }, 600_000);

  it('two concurrent ingests of one file count it once (compare-and-set on the source)', async () => {
    const store = freshUrl(server);
    const file = await fixture();
    // Six batches each, so that the two can meet at any of them.
    const said = await concurrently(store, [file, file], ['--batch-lines', '4000']);
    await expectReference(store);
    // The later one either found the file ingested or was refused mid-way; nothing was counted twice.
    expect(said.join('\n')).toMatch(/already ingested|another ingest read this file at the same time/);
  }, 600_000);
});
