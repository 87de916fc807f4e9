/**
 * weblog's numbers must equal GoAccess 1.7's where the definitions agree: hits, unique visitors
 * (per day and in total), bytes, hits and bytes per host, hits per status code, remote users.
 * Runs when goaccess is installed; under CI (CI=true) a missing goaccess is a failure, not a skip.
 * docs/metrics.md explains every remaining difference.
 */
import { createWriteStream, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateLines } from '../../fixtures/generate.js';
import type { Report } from '../../src/report/contract.js';
import { REPO, SHARED, tempStore, weblog } from '../helpers/cli.js';
import { goaccessVersion, runGoAccess, type GoAccessSummary } from './goaccess.js';

const installed = goaccessVersion() !== null;
if (!installed && process.env.CI === 'true') throw new Error('goaccess is not installed: CI must install it (.ci/run)');

async function weblogReport(file: string, extra: string[] = []): Promise<Report> {
  const store = tempStore();
  const ing = await weblog(['ingest', '--store', store, '--site', 'cmp', '--ip', 'full', '--user', 'full', '--no-geo', '--format', 'combined', ...extra, file]);
  expect(ing.code, ing.stderr).toBe(0);
  const rep = await weblog(['report', '--store', store, '--site', 'cmp', '--top', '0', '--threshold', '1', '--format', 'json']);
  expect(rep.code, rep.stderr).toBe(0);
  return JSON.parse(rep.stdout) as Report;
}

function compare(ours: Report, ga: GoAccessSummary): void {
  expect(ours.totals.hits, 'hits = valid requests').toBe(ga.validRequests);
  expect(ours.totals.bytes, 'bytes = bandwidth').toBe(ga.bandwidth);
  expect(ours.totals.visitors, 'visitors = unique visitors').toBe(ga.uniqueVisitors);
  expect(ours.days.map((d) => ({ date: d.date, hits: d.hits, visitors: d.visitors, bytes: d.bytes }))).toEqual(ga.days);
  compareHosts(ours, ga);
  const codes = new Map(ours.top.statusCodes.map((r) => [r.key, r.hits]));
  expect(codes).toEqual(ga.statusCodes);
  if (ga.usersValidRequests === ga.validRequests) {
    expect(new Map(ours.top.users.map((r) => [r.key, r.hits]))).toEqual(ga.users);
  }
}

/**
 * GoAccess 1.7 keys its hosts panel by a 32-bit hash: two addresses that collide are merged into
 * one row under the first address (seen with seed 7 below: 2601:b8bd:… folded into 2003:381c:…,
 * hits and bytes summed). Everything else must match exactly; a merge must be exactly such a sum.
 */
function compareHosts(ours: Report, ga: GoAccessSummary): void {
  const mine = new Map(ours.top.ips.map((r) => [r.key, r]));
  const missing = ours.top.ips.filter((r) => !ga.hosts.has(r.key));
  let extraHits = 0;
  let extraBytes = 0;
  for (const [key, g] of ga.hosts) {
    const m = mine.get(key);
    expect(m, `GoAccess host ${key} unknown to weblog`).toBeDefined();
    extraHits += g.hits - m!.hits;
    extraBytes += g.bytes - m!.bytes;
  }
  expect(missing.length, 'hosts merged by GoAccess hash collisions').toBeLessThanOrEqual(2);
  expect({ hits: extraHits, bytes: extraBytes }).toEqual({
    hits: missing.reduce((a, r) => a + r.hits, 0),
    bytes: missing.reduce((a, r) => a + r.bytes, 0),
  });
  expect(ours.totals.ips).toBe(ga.hosts.size + missing.length);
}

async function generated(lines: number, seed: number): Promise<string> {
  const file = join(dirname(tempStore()), `gen-${seed}.log`);
  const out = createWriteStream(file, 'latin1');
  for (const line of generateLines({ lines, seed, days: 3 })) out.write(`${line}\n`);
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  return file;
}

describe.skipIf(!installed)('agreement with GoAccess 1.7', () => {
  const elastic = join(SHARED, 'logs', 'elastic_apache_logs.log');

  it.skipIf(!existsSync(elastic))('on the shared real log (elastic_apache_logs.log)', async () => {
    compare(await weblogReport(elastic), (await runGoAccess(elastic))!);
  });

  it.skipIf(!existsSync(elastic))('with --4xx-to-unique-count', async () => {
    compare(await weblogReport(elastic, ['--count-4xx-visitors']), (await runGoAccess(elastic, { count4xx: true }))!);
  });

  it('on the bundled sample', async () => {
    const sample = join(REPO, 'fixtures', 'sample-access.log');
    compare(await weblogReport(sample), (await runGoAccess(sample))!);
  });

  it('on a generated fixture (50,000 lines, IPv6, users, malformed lines)', async () => {
    const file = await generated(50_000, 7);
    compare(await weblogReport(file), (await runGoAccess(file))!);
  });

  // Worker threads (--workers): the same agreement, with many batches spread over 3 workers.
  it('with worker threads, on the generated fixture and the shared real log', async () => {
    const file = await generated(50_000, 7);
    compare(await weblogReport(file, ['--workers', '3', '--batch-lines', '7000']), (await runGoAccess(file))!);
    if (existsSync(elastic)) compare(await weblogReport(elastic, ['--workers', '2', '--batch-lines', '1500']), (await runGoAccess(elastic))!);
  }, 60_000);
});
