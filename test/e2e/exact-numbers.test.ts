/**
 * Exact numbers under real hosting conditions (issue 12), end to end through the real `weblog`
 * process: overlapping ingests of one file, one file under two routings, and two web servers'
 * halves of one site in any order, at once, and past the raw window (the late-data rule). Each
 * case compares the JSON report (`--top 0 --threshold 1`) byte for byte with one ordered run.
 * The list sums, host names, hours and blank lines are in exact-lists.test.ts.
 *
 * The real-log test reads ../shared/data (present in CI: a missing file fails there).
 */
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateLines, writeLogFile } from '../../fixtures/generate.js';
import type { Report } from '../../src/report/contract.js';
import { REPO, SHARED, weblog } from '../helpers/cli.js';
import { committedLines, reportJson, runCli, startCli, summaryCounts, waitFor, type Child } from '../reliability/helpers.js';

const ELASTIC = join(SHARED, 'logs', 'elastic_apache_logs.log');
if (!existsSync(ELASTIC) && process.env.CI === 'true') throw new Error(`${ELASTIC} is missing: CI needs ../shared/data`);

const SITE = 'www.example.com';
/** Two days after the generated logs' days (2024-03-04 … 06): all of them inside the 7-day raw window. */
const NOW = '2024-03-09';
/** What an ingest that left a file to another one, or found it done, says on stderr. */
const LEFT_OR_DONE = /another ingest read this file at the same time; this run stopped reading it after line [\d,]+ \(nothing is counted twice\)|already ingested/;
/** The ingest's notice of the late-data rule (src/cli/late-days.ts). */
const LATE_NOTICE = /days? older than the raw window \([\d-]+(?: … [\d-]+)?\) (?:was|were) also counted by another ingest run/;

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'weblog-exact-'));
}

/** An ingest in this process (fast; the concurrency cases start real processes). */
async function ingest(args: string[]): Promise<string> {
  const r = await weblog(['ingest', ...args]);
  expect(r.code, `weblog ingest ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stderr;
}

/** Several `weblog` processes started together; a hang fails the test instead of stalling the suite. */
async function together(runs: string[][], limitMs = 120_000): Promise<Child[]> {
  const children = runs.map((args) => startCli(args));
  for (const c of children) c.proc.stdin.end();
  const timer = setTimeout(() => children.forEach((c) => c.proc.kill('SIGKILL')), limitMs);
  const ends = await Promise.all(children.map((c) => c.done));
  clearTimeout(timer);
  ends.forEach((e, i) => expect(e, `weblog ${runs[i]!.join(' ')}: ${children[i]!.stderr()}`).toEqual({ code: 0, signal: null }));
  return children;
}

/** The first `n` lines of a file and the rest, cut at a line boundary. */
function cutAtLine(buf: Buffer, n: number): [Buffer, Buffer] {
  let at = -1;
  for (let i = 0; i < n; i++) at = buf.indexOf(10, at + 1);
  return [buf.subarray(0, at + 1), buf.subarray(at + 1)];
}

/** Raw-window lines per `day/site.log`, sorted (two writers interleave their lines). */
function rawLines(store: string): Map<string, string[]> {
  const dir = `${store}.raw`;
  const out = new Map<string, string[]>();
  if (!existsSync(dir)) return out;
  for (const day of readdirSync(dir).sort()) {
    for (const f of readdirSync(join(dir, day)).sort()) out.set(`${day}/${f}`, readFileSync(join(dir, day, f), 'latin1').split('\n').slice(0, -1).sort());
  }
  return out;
}

/** What the store says each raw-window file holds, next to what is on disk. */
function rawSizes(store: string): { file: string; stored: number; onDisk: number }[] {
  const db = new Database(store, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT site, day, bytes FROM raw_file ORDER BY day, site').all() as { site: string; day: string; bytes: number }[];
    return rows.map((r) => {
      const path = join(`${store}.raw`, r.day, `${r.site}.log`);
      return { file: `${r.day}/${r.site}.log`, stored: r.bytes, onDisk: existsSync(path) ? statSync(path).size : -1 };
    });
  } finally {
    db.close();
  }
}

describe('overlapping ingests of one file count it once', () => {
  let dir: string;
  let log: string;
  let clean: string;
  let want: string;
  let counted: number;
  const args = (store: string): string[] => ['ingest', '--store', store, '--site', SITE, '--now', NOW, '--batch-lines', '20000'];

  beforeAll(async () => {
    dir = tmp();
    log = join(dir, 'access.log');
    await writeLogFile({ lines: 200_000, seed: 1212, days: 3, malformed: 0.001 }, log);
    clean = join(dir, 'clean.db');
    counted = summaryCounts(await ingest([...args(clean).slice(1), log])).counted;
    want = await reportJson(clean, SITE);
  }, 120_000);

  /** A store that starts with the clean run's keys, so that pseudonyms compare too. */
  function storeWithCleanKeys(name: string): string {
    const store = join(dir, name);
    copyFileSync(`${clean}.keys`, `${store}.keys`);
    return store;
  }

  it.each<[string, string[], string[]]>([
    ['both on one thread', [], []],
    ['one of them with --workers 2', ['--workers', '2'], []],
  ])('two processes on the same 200k-line file and store give one run’s report (%s)', async (_name, extraA, extraB) => {
    const store = storeWithCleanKeys(`pair-${extraA.length}.db`);
    const [a, b] = await together([
      [...args(store), ...extraA, log],
      [...args(store), ...extraB, log],
    ]);
    expect([a!.stderr(), b!.stderr()].some((s) => LEFT_OR_DONE.test(s)), `stderr:\n${a!.stderr()}\n---\n${b!.stderr()}`).toBe(true);
    // What the two say they counted adds up to one run: no line twice, none lost.
    expect(summaryCounts(a!.stderr()).counted + summaryCounts(b!.stderr()).counted).toBe(counted);
    expect(await reportJson(store, SITE)).toBe(want);
  }, 180_000);

  it('an ingest started while a --follow of the same file runs adds nothing twice, and the follower goes on', async () => {
    const store = storeWithCleanKeys('follow.db');
    // A folder of its own: the follower reads rotated history beside the file.
    const sub = join(dir, 'followed');
    mkdirSync(sub);
    const followed = join(sub, 'access.log');
    const [head, tail] = cutAtLine(readFileSync(log), 150_000);
    writeFileSync(followed, head);
    const follower = startCli([...args(store), '--follow', '--commit-interval', '1', '--poll-interval', '100', followed]);
    follower.proc.stdin.end();
    let ended = false;
    void follower.done.then(() => (ended = true));
    try {
      // The one-off ingest starts once the follower has committed its first batch: both are
      // then inside the file.
      await waitFor("the follower's first commit", () => ended || committedLines(store) > 0, 90_000);
      expect(ended, follower.stderr()).toBe(false);
      const once = await runCli([...args(store), followed], 120_000);
      expect(once.code, once.stderr).toBe(0);
      // Then the file grows: the follower (whether it or the one-off read the first part) reads it.
      appendFileSync(followed, tail);
      await waitFor('every line committed', () => ended || committedLines(store) >= 200_000, 90_000);
      follower.proc.kill('SIGTERM');
      expect(await follower.done).toEqual({ code: 0, signal: null });
      expect(summaryCounts(follower.stderr()).counted + summaryCounts(once.stderr).counted).toBe(counted);
      expect(await reportJson(store, SITE)).toBe(want);
    } finally {
      follower.proc.kill('SIGKILL');
    }
  }, 240_000);
});

describe('the raw window under overlapping ingests', () => {
  // Raw lines of days inside the raw window are kept beside the store, one file per site and
  // day: two processes writing them at once must neither lose nor double a line, and what the
  // store records of each file must stay what is on disk (the next ingest cuts a file back to it).
  it('two ingests of one file, and of two files of one site, at once: every raw line once, sizes as recorded', async () => {
    const dir = tmp();
    const all = [...generateLines({ lines: 20_000, seed: 4242, days: 3, malformed: 0 })];
    const whole = join(dir, 'whole.log');
    const halfA = join(dir, 'a.log');
    const halfB = join(dir, 'b.log');
    writeFileSync(whole, `${all.join('\n')}\n`, 'latin1');
    writeFileSync(halfA, `${all.filter((_, i) => i % 2 === 0).join('\n')}\n`, 'latin1');
    writeFileSync(halfB, `${all.filter((_, i) => i % 2 === 1).join('\n')}\n`, 'latin1');
    const args = (store: string): string[] => ['ingest', '--store', store, '--site', SITE, '--now', NOW, '--batch-lines', '2000'];
    const clean = join(dir, 'clean.db');
    await ingest([...args(clean).slice(1), whole]);
    const want = rawLines(clean);
    expect(want.size).toBe(3);

    for (const [name, a, b] of [
      ['same file', whole, whole],
      ['two halves', halfA, halfB],
    ] as const) {
      const store = join(dir, `${name.replace(' ', '-')}.db`);
      await together([
        [...args(store), a],
        [...args(store), b],
      ]);
      // Any later ingest opens the spool, which trusts the store's sizes.
      await ingest([...args(store).slice(1), a]);
      const sizes = rawSizes(store);
      expect(sizes.filter((s) => s.stored !== s.onDisk), `${name}: raw files whose recorded size is not their size`).toEqual([]);
      const got = rawLines(store);
      for (const [file, lines] of want) expect(got.get(file)?.length, `${name}: lines in ${file}`).toBe(lines.length);
      expect(got, name).toEqual(want);
    }
  }, 180_000);
});

describe('a file is one source whatever the routing', () => {
  const VHOST_LOG_FORMAT = '%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"';
  const X = 'x.example';

  it('--site X, then vhost routing (and the other way round): counted once; a grown file resumes across routings', async () => {
    const dir = tmp();
    // Every line names X as its virtual host.
    const all = [...generateLines({ lines: 12_000, seed: 2323, days: 3, hosts: [X], format: 'vhost_combined', malformed: 0 })];
    expect(all.every((l) => l.startsWith(`${X}:`))).toBe(true);
    const full = join(dir, 'full.log');
    writeFileSync(full, `${all.join('\n')}\n`, 'latin1');
    const fixed = ['--site', X, '--format', 'vhost_combined'];
    const byVhost = ['--log-format', VHOST_LOG_FORMAT];
    const common = (store: string): string[] => ['--store', store, '--now', NOW];

    const clean = join(dir, 'clean.db');
    await ingest([...common(clean), ...fixed, full]);
    const want = await reportJson(clean, X);

    for (const [first, second] of [
      [fixed, byVhost],
      [byVhost, fixed],
    ] as const) {
      const store = join(dir, `${first[0]!.slice(2)}-first.db`);
      copyFileSync(`${clean}.keys`, `${store}.keys`);
      const growing = join(dir, `${first[0]!.slice(2)}-first.log`);
      writeFileSync(growing, `${all.slice(0, 8_000).join('\n')}\n`, 'latin1');
      expect(summaryCounts(await ingest([...common(store), ...first, growing])).read).toBe(8_000);

      const again = await ingest([...common(store), ...second, growing]);
      expect(again).toMatch(/already ingested \(8,000 lines\), nothing new/);
      expect(summaryCounts(again).counted).toBe(0);

      appendFileSync(growing, `${all.slice(8_000).join('\n')}\n`, 'latin1');
      const grown = await ingest([...common(store), ...second, growing]);
      expect(grown).toMatch(/resuming after line 8,000/);
      expect(summaryCounts(grown).read).toBe(4_000);
      expect(await reportJson(store, X)).toBe(want);
    }
  }, 120_000);
});

describe("two web servers' halves of one site", () => {
  let dir: string;
  let whole: string;
  let halfA: string;
  let halfB: string;
  /** One ordered run of the whole log, inside the raw window, and its report. */
  let inWindow: string;
  let wantInWindow: string;
  /** The same without --now: the days are past the raw window. User names in full: see below. */
  let late: string;
  let wantLate: string;
  const inArgs = (store: string): string[] => ['--store', store, '--site', SITE, '--now', NOW, '--batch-lines', '3000'];
  // Past the raw window every run keys its days anew (process-only keys), so pseudonyms of two
  // runs never match, by design; user names in full keep the lists comparable.
  const lateArgs = (store: string): string[] => ['--store', store, '--site', SITE, '--user', 'full', '--batch-lines', '3000'];

  beforeAll(async () => {
    dir = tmp();
    // Alternate lines: both halves cover the same days and the same visitors, as behind a load balancer.
    const all = [...generateLines({ lines: 40_000, seed: 5151, days: 3, authRatio: 0.2, malformed: 0.001 })];
    whole = join(dir, 'whole.log');
    halfA = join(dir, 'web1.log');
    halfB = join(dir, 'web2.log');
    writeFileSync(whole, `${all.join('\n')}\n`, 'latin1');
    writeFileSync(halfA, `${all.filter((_, i) => i % 2 === 0).join('\n')}\n`, 'latin1');
    writeFileSync(halfB, `${all.filter((_, i) => i % 2 === 1).join('\n')}\n`, 'latin1');
    inWindow = join(dir, 'ordered.db');
    await ingest([...inArgs(inWindow), whole]);
    wantInWindow = await reportJson(inWindow, SITE);
    late = join(dir, 'ordered-late.db');
    await ingest([...lateArgs(late), whole]);
    wantLate = await reportJson(late, SITE);
  }, 120_000);

  /** A fresh store with the ordered run's keys (pseudonyms and visitor ids then compare). */
  function fresh(name: string, keysOf = inWindow): string {
    const store = join(dir, name);
    copyFileSync(`${keysOf}.keys`, `${store}.keys`);
    return store;
  }

  it('inside the raw window: A then B, B then A, and A and B at once each equal one ordered run, byte for byte', async () => {
    const parsed = JSON.parse(wantInWindow) as Report;
    expect(parsed.totals.visits).toBeGreaterThan(parsed.totals.visitors); // visits to join across the halves
    expect(parsed.top.users.length).toBeGreaterThan(0); // pseudonyms compared too

    for (const [name, first, second] of [
      ['a-then-b', halfA, halfB],
      ['b-then-a', halfB, halfA],
    ] as const) {
      const store = fresh(`${name}.db`);
      await ingest([...inArgs(store), first]);
      await ingest([...inArgs(store), second]);
      expect(await reportJson(store, SITE), name).toBe(wantInWindow);
    }

    const store = fresh('at-once.db');
    await together([
      ['ingest', ...inArgs(store), halfA],
      ['ingest', ...inArgs(store), halfB],
    ]);
    expect(await reportJson(store, SITE), 'A and B at once').toBe(wantInWindow);
  }, 180_000);

  it('past the raw window, in two runs: hits, bytes and lists equal the ordered run; visitors are marked, not silently wrong', async () => {
    const store = fresh('late-two-runs.db', late);
    const first = await ingest([...lateArgs(store), halfA]);
    expect(first).not.toMatch(LATE_NOTICE);
    const second = await ingest([...lateArgs(store), halfB]);
    expect(second).toMatch(LATE_NOTICE);
    expect(second).toMatch(/www\.example\.com: 3 days older than the raw window \(2024-03-04 … 2024-03-06\)/);

    const want = JSON.parse(wantLate) as Report;
    const got = JSON.parse(await reportJson(store, SITE)) as Report;
    expect(got.undeduplicatedDays).toEqual(['2024-03-04', '2024-03-05', '2024-03-06']);
    // A visitor of both halves was counted by each run.
    for (let i = 0; i < want.days.length; i++) expect(got.days[i]!.visitors).toBeGreaterThan(want.days[i]!.visitors);
    expect(got.totals.visitors).toBeGreaterThan(want.totals.visitors);
    // Everything that does not depend on joining visitors is exact.
    const visitFree = (r: Report): unknown => ({
      ...r,
      totals: { ...r.totals, visitors: 0, visits: 0, bounces: 0, visitSeconds: 0 },
      days: r.days.map((d) => ({ ...d, visitors: 0, visits: 0 })),
      months: r.months.map((m) => ({ ...m, visitors: 0, visits: 0 })),
      top: { ...r.top, entryPages: [], exitPages: [] },
      others: { ...r.others, entryPages: undefined, exitPages: undefined },
      undeduplicatedDays: [],
    });
    expect(visitFree(got)).toEqual(visitFree(want));
    expect(want.top.users.length).toBeGreaterThan(0);

    const text = await weblog(['report', '--store', store, '--site', SITE, '--top', '3']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/Visitors \*/);
    expect(text.stdout).toMatch(/2024-03-05\*/);
    expect(text.stdout).toMatch(/ingested in separate runs that\s+could not be matched up/);
  }, 120_000);

  it('past the raw window, both halves in one run: byte-identical to the ordered run (visitors and visits exact)', async () => {
    const store = fresh('late-one-run.db', late);
    const stderr = await ingest([...lateArgs(store), halfA, halfB]);
    expect(stderr).not.toMatch(LATE_NOTICE);
    expect(await reportJson(store, SITE)).toBe(wantLate);
  });

  it.skipIf(!existsSync(ELASTIC))('the real log of docs/migrate.md: one run with both halves equals the single file; two runs are marked (the numbers the guide gives)', async () => {
    const sub = tmp();
    const lines = readFileSync(ELASTIC, 'latin1').split('\n').slice(0, -1);
    const a = join(sub, 'web1.log');
    const b = join(sub, 'web2.log');
    // As the guide: odd and even lines.
    writeFileSync(a, `${lines.filter((_, i) => i % 2 === 0).join('\n')}\n`, 'latin1');
    writeFileSync(b, `${lines.filter((_, i) => i % 2 === 1).join('\n')}\n`, 'latin1');
    const flags = (store: string): string[] => ['--store', store, '--site', 'www.semicomplete.com', '--host', 'semicomplete.com', '--ip', 'full', '--no-geo'];
    const one = join(sub, 'single.db');
    await ingest([...flags(one), ELASTIC]);
    const single = await reportJson(one, 'www.semicomplete.com');
    const both = join(sub, 'both.db');
    await ingest([...flags(both), a, b]);
    expect(await reportJson(both, 'www.semicomplete.com')).toBe(single);
    const two = join(sub, 'two.db');
    await ingest([...flags(two), a]);
    expect(await ingest([...flags(two), b])).toMatch(LATE_NOTICE);
    const twoRuns = JSON.parse(await reportJson(two, 'www.semicomplete.com')) as Report;
    expect(twoRuns.undeduplicatedDays).toEqual(['2015-05-17', '2015-05-18', '2015-05-19', '2015-05-20']);

    // docs/migrate.md gives these numbers ("Measured on the log above"): they must be weblog's.
    const guide = readFileSync(join(REPO, 'docs', 'migrate.md'), 'utf8').replace(/\s+/g, ' ');
    const n = (s: string): number => Number(s.replaceAll(',', ''));
    const m1 = /one run with both files gives ([\d,]+) visitors and ([\d,]+) visits/.exec(guide);
    const m2 = /two runs, one per server, give \*\*([\d,]+)\*\* visitors and \*\*([\d,]+)\*\* visits/.exec(guide);
    expect(m1, 'the sentence on one run in docs/migrate.md').not.toBeNull();
    expect(m2, 'the sentence on two runs in docs/migrate.md').not.toBeNull();
    const s = (JSON.parse(single) as Report).totals;
    expect([s.visitors, s.visits]).toEqual([n(m1![1]!), n(m1![2]!)]);
    expect([twoRuns.totals.visitors, twoRuns.totals.visits]).toEqual([n(m2![1]!), n(m2![2]!)]);
    expect(twoRuns.totals.hits).toBe(s.hits);
  }, 60_000);
});
