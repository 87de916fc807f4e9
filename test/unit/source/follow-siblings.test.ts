/**
 * Rotated copies still being written (logrotate's copytruncate copy, a .gz being compressed) are
 * read up to their last newline until they have been quiet, then whole; and a range read of a
 * file that shrank under it (copytruncate) ends at its last newline (completeLines).
 */
import { mkdtempSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip, gzipSync } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { completeLines, FileFollower } from '../../../src/source/index.js';

// Counts the follower's decompressions of archives (the original does the work).
vi.mock('node:zlib', async (importOriginal) => {
  const z = await importOriginal<typeof import('node:zlib')>();
  return { ...z, createGunzip: vi.fn(z.createGunzip) };
});

const old = (path: string): void => utimesSync(path, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));

describe('rotated copies found while being written', () => {
  it('are read to their last newline while fresh, whole once quiet; a .gz once it is whole, looked for under its new name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weblog-follow-fresh-'));
    const log = join(dir, 'access.log');
    writeFileSync(log, 'live\n');
    const one = join(dir, 'access.log.1');
    writeFileSync(one, 'a\nb\npart');
    const whole = gzipSync('x\ny\n');
    // A .gz still being written: its first half.
    const gz = join(dir, 'access.log.2.gz');
    writeFileSync(gz, whole.subarray(0, whole.length >> 1));
    const f = new FileFollower(log, { drainQuietMs: 60_000, history: true });
    try {
      const first = await f.poll();
      expect(first.find((r) => r.name === one)?.end).toBe(4);
      expect(first.find((r) => r.name === gz)).toBeUndefined();
      // The copy is done and quiet: read whole (its last line too, as a one-off ingest would).
      old(one);
      const second = await f.poll();
      expect(second.find((r) => r.name === one)?.end).toBeNull();
      // The archive is finished under another name (gzip's temp name → final): found there, read whole.
      const renamed = join(dir, 'access.log.3.gz');
      writeFileSync(gz, whole);
      renameSync(gz, renamed);
      expect((await f.poll()).find((r) => r.name === renamed)?.end).toBeNull();
      expect(await f.signature()).not.toContain('draining');
    } finally {
      await f.close();
    }
  });
});

describe('an archive found while being compressed', () => {
  it('is decompressed again only once it has changed, not at every poll', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weblog-follow-gz-'));
    const log = join(dir, 'access.log');
    writeFileSync(log, 'live\n');
    const whole = gzipSync('x\ny\n'.repeat(1000));
    const gz = join(dir, 'access.log.1.gz');
    writeFileSync(gz, whole.subarray(0, whole.length >> 1));
    const gunzips = vi.mocked(createGunzip);
    gunzips.mockClear();
    const f = new FileFollower(log, { drainQuietMs: 60_000, history: true });
    try {
      expect((await f.poll()).find((r) => r.name === gz)).toBeUndefined();
      expect(gunzips).toHaveBeenCalledTimes(1);
      for (let i = 0; i < 3; i++) expect((await f.poll()).find((r) => r.name === gz)).toBeUndefined();
      expect(gunzips).toHaveBeenCalledTimes(1);
      // More of it written: looked at again, and still not whole.
      writeFileSync(gz, whole.subarray(0, whole.length - 4));
      expect((await f.poll()).find((r) => r.name === gz)).toBeUndefined();
      expect(gunzips).toHaveBeenCalledTimes(2);
      writeFileSync(gz, whole);
      expect((await f.poll()).find((r) => r.name === gz)?.end).toBeNull();
      expect(gunzips).toHaveBeenCalledTimes(3);
    } finally {
      await f.close();
    }
  });
});

describe('completeLines', () => {
  async function through(chunks: string[]): Promise<string> {
    const out: Buffer[] = [];
    const t = Readable.from(chunks.map((c) => Buffer.from(c))).pipe(completeLines());
    for await (const c of t as AsyncIterable<Buffer>) out.push(c);
    return Buffer.concat(out).toString();
  }

  it('passes bytes through the last newline and drops a partial last line, however the chunks fall', async () => {
    expect(await through(['a\nb', 'c\nd', 'e'])).toBe('a\nbc\n');
    expect(await through(['no newline at all'])).toBe('');
    expect(await through(['x', 'y', 'z\n'])).toBe('xyz\n');
    expect(await through(['1\n', '2\n'])).toBe('1\n2\n');
    expect(await through([])).toBe('');
  });
});
