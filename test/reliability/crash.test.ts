/**
 * kill -9 at random (seeded) moments, rerun, and compare the final JSON report byte for byte with
 * one clean run's: nothing lost, nothing counted twice (issue 6, "Crash safety"). Batches are
 * small so that kills land between, during and right after commits.
 */
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, renameSync, statSync, truncateSync, utimesSync, writeFileSync, existsSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { generateLines, writeLogFile } from '../../fixtures/generate.js';
import { committedLines, prng, reportJson, runCli, sleep, startCli, waitFor } from './helpers.js';

/** A day just after the generated logs' days (2024-03-04 …): every day is inside the raw window. */
const NOW = '2024-03-09';

describe('crash safety (kill -9 loop)', () => {
  // With worker threads the main thread commits what workers send back, in order: a kill must
  // lose nothing there either. Workers take longer to start (tsx loads them from source here).
  it.each([
    ['on one thread', [] as string[]],
    ['with 2 worker threads', ['--workers', '2']],
  ])('a file ingest killed up to 8 times at random moments ends with the clean run\'s report (%s)', async (_name, extra) => {
    const dir = mkdtempSync(join(tmpdir(), 'weblog-crash-'));
    const log = join(dir, 'big.log');
    const LINES = 300_000;
    await writeLogFile({ lines: LINES, seed: 606, days: 4, malformed: 0.001 }, log);
    // --now: the log's days are within the raw window, so their keys are stored and a resumed
    // run counts with the same keys (days past the window get keys that die with the process:
    // docs/metrics.md, "Late data").
    const args = (store: string) => ['ingest', '--site', 's', '--store', store, '--batch-lines', '4000', '--now', NOW, ...extra, log];

    const clean = join(dir, 'clean.db');
    const c = await runCli([...args(clean), '--no-purge'], 90_000);
    expect(c.code, c.stderr).toBe(0);
    const want = await reportJson(clean, 's');

    const store = join(dir, 'crashed.db');
    // Pseudonyms are keyed per store: the same day keys make the two reports comparable byte
    // for byte (the crashed store keeps its key file across its own kills, as in production).
    copyFileSync(`${clean}.keys`, `${store}.keys`);
    const rnd = prng(6);
    const progress: number[] = [];
    for (let k = 0; k < 8; k++) {
      const before = committedLines(store);
      const child = startCli(args(store));
      child.proc.stdin.end();
      // Up to a random moment after this run's first commit: start-up takes as long as the
      // machine's load makes it, so a fixed delay would often kill it before it read anything.
      let exited = false;
      void child.done.then(() => (exited = true));
      await waitFor('a first commit', () => exited || committedLines(store) > before, 60_000);
      await sleep(Math.floor(rnd() * 600));
      child.proc.kill('SIGKILL');
      const r = await child.done;
      progress.push(committedLines(store));
      if (r.signal === null) break; // finished before the kill: later kills would test nothing
    }
    // Kills have to land mid-ingest to mean anything: most of them before the end.
    const mid = progress.filter((n) => n < LINES).length;
    expect(mid, `committed lines after each kill: ${progress.join(', ')}`).toBeGreaterThanOrEqual(4);
    expect(progress.some((n) => n > 0)).toBe(true);

    const last = await runCli(args(store), 90_000);
    expect(last.code, last.stderr).toBe(0);
    expect(committedLines(store)).toBe(LINES);
    expect(await reportJson(store, 's')).toBe(want);
  }, 150_000);

  it('follow mode killed 4 times while the log grows and rotates (rename+create, copytruncate, .gz) ends with the clean report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weblog-crash-follow-'));
    const log = join(dir, 'access.log');
    const all = [...generateLines({ lines: 24_000, seed: 77, days: 2, malformed: 0.001 })].map((l) => `${l}\n`);
    const cleanLog = join(dir, 'clean.log');
    writeFileSync(cleanLog, all.join(''), 'latin1');
    const clean = join(dir, 'clean.db');
    const c = await runCli(['ingest', '--site', 's', '--store', clean, '--batch-lines', '1000', '--now', NOW, '--no-purge', cleanLog]);
    expect(c.code, c.stderr).toBe(0);
    const want = await reportJson(clean, 's');
    copyFileSync(`${clean}.keys`, join(dir, 'f.db.keys'));

    // The writer: appends in steps (the last line of a step is often cut in two appends),
    // rotates every 6 steps, alternating logrotate's `create` and `copytruncate`, and
    // compresses the previous .1 (delaycompress) keeping its mtime as gzip does.
    let gz = 2;
    const shiftOld = (): void => {
      const one = `${log}.1`;
      if (!existsSync(one)) return;
      const st = statSync(one);
      const target = `${log}.${gz++}.gz`;
      writeFileSync(target, gzipSync(readFileSync(one)));
      utimesSync(target, st.atime, st.mtime);
      unlinkSync(one);
    };
    const rnd = prng(42);
    writeFileSync(log, '');
    let next = 0;
    let step = 0;
    let carry = '';
    const writeStep = (): void => {
      const n = 300 + Math.floor(rnd() * 500);
      let text = carry + all.slice(next, next + n).join('');
      next = Math.min(all.length, next + n);
      carry = '';
      // A server finishes a line in the file it started it in, so no cut right before a rotation.
      const rotating = (step + 1) % 6 === 0;
      if (next < all.length && !rotating && rnd() < 0.5) {
        const cut = text.length - 1 - Math.floor(rnd() * 100);
        carry = text.slice(cut);
        text = text.slice(0, cut);
      }
      appendFileSync(log, text, 'latin1');
      step++;
      if (step % 6 === 0) {
        shiftOld();
        if ((step / 6) % 2 === 1) {
          renameSync(log, `${log}.1`);
          writeFileSync(log, '');
        } else {
          copyFileSync(log, `${log}.1`);
          truncateSync(log, 0);
        }
      }
    };
    const args = ['ingest', '--follow', '--site', 's', '--store', join(dir, 'f.db'), '--batch-lines', '1000', '--commit-interval', '1', '--poll-interval', '50', '--now', NOW, '--no-purge', log];

    let writing = true;
    const writer = (async () => {
      while (next < all.length || carry !== '') {
        writeStep();
        await sleep(250);
      }
      writing = false;
    })();
    const krnd = prng(9);
    let kills = 0;
    while (writing && kills < 4) {
      const child = startCli(args);
      child.proc.stdin.end();
      await sleep(800 + Math.floor(krnd() * 1300));
      child.proc.kill('SIGKILL');
      await child.done;
      kills++;
      await sleep(Math.floor(krnd() * 400)); // rotations may happen while it is down
    }
    await writer;
    expect(kills).toBeGreaterThanOrEqual(3);
    expect(gz).toBeGreaterThan(2); // some history was compressed while followed

    const final = startCli(args);
    final.proc.stdin.end();
    const store = join(dir, 'f.db');
    await waitFor('follow mode to start', () => final.stderr().includes('following 1 file'), 30_000);
    await waitFor('the follower to catch up', () => committedLines(store) >= all.length, 60_000);
    final.proc.kill('SIGTERM');
    const r = await final.done;
    expect(r.code, final.stderr()).toBe(0);
    expect(committedLines(store)).toBe(all.length);
    expect(await reportJson(store, 's')).toBe(want);
  }, 150_000);
});
