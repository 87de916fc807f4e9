/**
 * Hostile and broken input through the whole CLI ingest (issue 6): a corpus of nasty files,
 * fast-check fuzzing, and a 200 MB line without newline. Invariants: no crash, no hang, every
 * line read is either counted or rejected (and the count of lines read is the number of lines
 * the input has, counted independently here), bounded memory, and escape sequences never reach
 * a terminal or an HTML page.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/contract.js';
import { REPO, tempStore, weblog } from '../helpers/cli.js';
import { countLines, startCli, summaryCounts } from './helpers.js';

const HOSTILE = join(REPO, 'fixtures', 'hostile');
/** Control bytes a terminal acts on (ESC, BEL, CSI …); tab and newline are layout. */
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f\x9b]/;

/**
 * Ingests a hostile file. Exit 0 when something was counted; exit 1 when nothing matches the
 * format: before anything is stored when none of the first lines parses (the rerun with the
 * right format must not find the file "already ingested"), else with every line counted as
 * rejected. Returns the summary's counts; null when nothing was read.
 */
async function ingestChecked(store: string, file: string, extra: string[] = []): Promise<ReturnType<typeof summaryCounts> | null> {
  const r = await weblog(['ingest', '--site', 'h', '--store', store, '--format', 'combined', '--no-purge', ...extra, file]);
  if (/error\[ERR_PARSE_NO_MATCH\]/.test(r.stderr)) {
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`of ${file} matches format combined`);
    expect(r.stderr).not.toMatch(/lines? read/);
    expect(await storedLines(store)).toBe(0);
    return null;
  }
  const s = summaryCounts(r.stderr);
  expect(r.code, r.stderr).toBe(s.counted === 0 && s.byReasonExceptEmpty > 0 ? 1 : 0);
  if (r.code === 1) expect(r.stderr).toMatch(/error\[ERR_DATA_ALL_REJECTED\]: every line was rejected/);
  expect(s.counted + s.rejected + s.blank).toBe(s.read);
  expect(s.byReason).toBe(s.rejected);
  return s;
}

async function storedLines(store: string): Promise<number> {
  const r = await weblog(['report', '--store', store, '--site', 'h', '--format', 'json', '--threshold', '1', '--top', '0']);
  if (r.code !== 0) return 0;
  const rep = JSON.parse(r.stdout) as Report;
  return rep.totals.hits + rep.rejected.lines;
}

describe('hostile corpus (fixtures/hostile)', () => {
  const plain = readdirSync(HOSTILE).filter((f) => f.endsWith('.log'));

  it.each(plain)('%s: no crash, read = lines in the file = counted + rejected = stored', async (name) => {
    const store = tempStore();
    const file = join(HOSTILE, name);
    const s = await ingestChecked(store, file);
    if (s === null) return; // nothing matched, nothing stored (checked above)
    expect(s.read).toBe(countLines(readFileSync(file)));
    // Blank lines are skipped: neither counted nor stored as rejected.
    expect(await storedLines(store)).toBe(s.read - s.blank);
  });

  it('a truncated .gz: exit 1 with error[ERR_SOURCE_READ], the lines before the cut are kept once', async () => {
    const store = tempStore();
    const file = join(HOSTILE, 'truncated.log.gz');
    const r = await weblog(['ingest', '--site', 'h', '--store', store, '--format', 'combined', '--no-purge', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error\[ERR_SOURCE_READ\]/);
    const first = await storedLines(store);
    const again = await weblog(['ingest', '--site', 'h', '--store', store, '--format', 'combined', '--no-purge', file]);
    expect(again.code).toBe(1);
    expect(await storedLines(store)).toBe(first);
  });

  it('escape sequences and markup never reach the text, CSV or HTML report unescaped', async () => {
    const store = tempStore();
    await ingestChecked(store, join(HOSTILE, 'ansi-escapes.log'), ['--ip', 'full']);
    for (const format of ['text', 'csv', 'html']) {
      const r = await weblog(['report', '--store', store, '--site', 'h', '--format', format, '--threshold', '1', '--top', '0']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.length).toBeGreaterThan(0);
      // CSV ends its records with CRLF (RFC 4180); any other CR would be a control byte.
      const out = format === 'csv' ? r.stdout.replaceAll('\r\n', '\n') : r.stdout;
      expect(CONTROL.test(out), `${format} report has a control byte`).toBe(false);
      if (format === 'html') expect(r.stdout).not.toContain('<script>alert(1)</script>');
    }
    // The JSON contract carries them escaped (\u001b), which is safe by construction.
    const j = await weblog(['report', '--store', store, '--site', 'h', '--format', 'json', '--threshold', '1', '--top', '0']);
    expect(CONTROL.test(j.stdout)).toBe(false);
  });
});

describe('generated hostile input', () => {
  it('1 MB lines, a line just over the limit, and normal lines between them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weblog-hostile-'));
    const ok = '192.0.2.9 - - [01/Mar/2024:10:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "x"\n';
    const big = (n: number, c: string) => `192.0.2.9 - - [01/Mar/2024:10:00:00 +0000] "GET /${c.repeat(n)} HTTP/1.1" 200 1 "-" "x"\n`;
    const file = join(dir, 'big-lines.log');
    writeFileSync(file, ok + big(1024 * 1024, 'a') + ok + big(1024 * 1024 + 10, '\x1b') + ok + 'z'.repeat(3 * 1024 * 1024) + '\n' + ok, 'latin1');
    const store = tempStore();
    const s = (await ingestChecked(store, file))!;
    expect(s.read).toBe(7);
    expect(s.counted).toBeGreaterThanOrEqual(4);
    expect(await storedLines(store)).toBe(7);
  });

  it('fast-check: arbitrary byte lines mixed with valid ones keep read = counted + rejected = stored', async () => {
    const valid = fc
      .record({ ip: fc.ipV4(), path: fc.webPath(), status: fc.integer({ min: 100, max: 599 }), ua: fc.string({ maxLength: 40 }) })
      .map((x) => Buffer.from(`${x.ip} - - [01/Mar/2024:10:00:00 +0000] "GET /${x.path.replace(/^\//, '')} HTTP/1.1" ${x.status} 10 "-" "${x.ua.replace(/["\n]/g, '')}"`, 'latin1'));
    const junk = fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a));
    const mutated = fc.tuple(valid, fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 8 })).map(([v, at, ins]) => {
      const i = at % (v.length + 1);
      return Buffer.concat([v.subarray(0, i), Buffer.from(ins), v.subarray(i)]);
    });
    const line = fc.oneof(valid, junk, mutated);
    const sep = fc.constantFrom('\n', '\r\n', '\n\n', '\r');
    const dir = mkdtempSync(join(tmpdir(), 'weblog-fuzz-'));
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(line, sep), { minLength: 1, maxLength: 40 }), async (parts) => {
        const buf = Buffer.concat(parts.flatMap(([l, s]) => [l, Buffer.from(s, 'latin1')]));
        const file = join(dir, `f${run++}.log`);
        writeFileSync(file, buf);
        const store = tempStore();
        const s = await ingestChecked(store, file);
        if (s === null) return;
        expect(s.read).toBe(countLines(buf));
        expect(await storedLines(store)).toBe(s.read - s.blank);
      }),
      { numRuns: 25, seed: 6 },
    );
  }, 120_000);

  it('a 200 MB line without newline on stdin: one line rejected, peak RSS stays far below it', async () => {
    const store = tempStore();
    const c = startCli(['ingest', '--site', 'h', '--store', store, '--format', 'combined', '--no-purge', '-']);
    let peakKb = 0;
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${c.proc.pid}/status`, 'utf8'));
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
      } catch {
        // exited
      }
    }, 25);
    const chunk = Buffer.alloc(1 << 20, 0x41);
    for (let i = 0; i < 200; i++) {
      if (!c.proc.stdin.write(chunk)) await new Promise((r) => c.proc.stdin.once('drain', r));
    }
    c.proc.stdin.end();
    const r = await c.done;
    clearInterval(poll);
    // The one line is rejected, so nothing was counted: exit 1, with the line still reported.
    expect(r.code, c.stderr()).toBe(1);
    expect(c.stderr()).toMatch(/1 line read, 0 counted, 1 rejected/);
    expect(c.stderr()).toMatch(/too_long: 1/);
    expect(c.stderr()).toMatch(/error\[ERR_DATA_ALL_REJECTED\]/);
    // Start-up (tsx, UA parser, geo database) alone is about 120 MB; the line must add little.
    if (peakKb > 0) expect(peakKb / 1024).toBeLessThan(200);
    console.log(`200 MB line on stdin: peak RSS ${(peakKb / 1024).toFixed(0)} MB`);
  }, 60_000);
});
