/**
 * Worker threads (--workers N) must not change a single committed byte: the same reports, the
 * same raw-window files, the same rejected-line samples, and checkpoints that let a rerun see
 * that nothing is new. Small batches make many of them travel through the workers at once.
 */
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateLines } from '../../fixtures/generate.js';
import { tempStore, weblog, weblogProcess } from '../helpers/cli.js';

const SITES = ['site1.example', 'site2.example', 'site3.example'];

/** Every file under `dir`, relative path → content. */
function tree(dir: string, base = dir): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) for (const [k, v] of tree(p, base)) out.set(k, v);
    else out.set(p.slice(base.length + 1), readFileSync(p, 'latin1'));
  }
  return out;
}

async function reports(store: string): Promise<string[]> {
  const out: string[] = [];
  for (const site of SITES) {
    const r = await weblog(['report', '--store', store, '--site', site, '--top', '0', '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    out.push(r.stdout);
  }
  return out;
}

/** The ingest summary without its timing. */
const summary = (stderr: string): string => stderr.replace(/ in \d+\.\d+ s/, '');

describe('ingest with worker threads', () => {
  let dir: string;
  let plain: string;
  let gz: string;
  let lines: string[];
  const args = (store: string, ...extra: string[]): string[] => ['ingest', '--store', store, '--no-purge', '--now', '2024-03-04', '--batch-lines', '2500', ...extra];

  beforeAll(() => {
    dir = dirname(tempStore());
    lines = [...generateLines({ lines: 20_000, seed: 11, sites: 3, days: 3, start: '2024-03-01', format: 'vhost_combined', malformed: 0.01, authRatio: 0.2 })];
    plain = join(dir, 'a.log');
    gz = join(dir, 'b.log.gz');
    writeFileSync(plain, `${lines.slice(0, 12_000).join('\n')}\n`, 'latin1');
    // The last line has no newline: it still counts, as with one thread.
    writeFileSync(gz, gzipSync(Buffer.from(lines.slice(12_000).join('\n'), 'latin1')));
  });

  it('commits exactly what one thread commits: reports, raw window, samples, checkpoints', async () => {
    const one = tempStore();
    const a = await weblog([...args(one, '--workers', '0'), plain, gz]);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stderr).toMatch(/20,000 lines read/);
    expect(a.stderr).toMatch(/rejected/);

    const raw = tree(`${one}.raw`);
    expect(raw.size).toBeGreaterThan(0);
    const want = await reports(one);
    // 1: one worker beside the committing main thread; 3: batches spread over three.
    for (const n of ['1', '3']) {
      const other = tempStore();
      copyFileSync(`${one}.keys`, `${other}.keys`); // pseudonyms and visitor ids need the same keys
      const b = await weblog([...args(other, '--workers', n), plain, gz]);
      expect(b.code, b.stderr).toBe(0);
      expect(summary(b.stderr)).toBe(summary(a.stderr));
      expect(await reports(other)).toEqual(want);
      expect(tree(`${other}.raw`)).toEqual(raw);
    }
    const three = tempStore();
    copyFileSync(`${one}.keys`, `${three}.keys`);
    expect((await weblog([...args(three, '--workers', '3'), plain, gz])).code).toBe(0);

    // The checkpoints were committed at the same offsets: a rerun finds nothing new.
    const again = await weblog([...args(three, '--workers', '3'), plain, gz]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/a\.log: already ingested/);
    expect(await reports(three)).toEqual(await reports(one));
  }, 120_000);

  it('says what --workers takes', async () => {
    const r = await weblog(['ingest', '--store', tempStore(), '--site', 's', '--workers', 'many', plain]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--workers takes a number from 0 to 64 or "auto", not "many"/);
  });

  it('reads stdin through workers (a real process)', async () => {
    const one = tempStore();
    const a = await weblog([...args(one, '--workers', '0'), plain]);
    expect(a.code, a.stderr).toBe(0);
    const two = tempStore();
    copyFileSync(`${one}.keys`, `${two}.keys`);
    const b = await weblogProcess([...args(two, '--workers', '2'), '-'], readFileSync(plain));
    expect(b.code, b.stderr).toBe(0);
    expect(await reports(two)).toEqual(await reports(one));
  }, 120_000);

  it('fails cleanly when the input breaks mid-way: batches before the damage are committed once', async () => {
    const broken = join(dir, 'broken.log.gz');
    const whole = gzipSync(Buffer.from(`${lines.join('\n')}\n`, 'latin1'));
    writeFileSync(broken, whole.subarray(0, Math.floor(whole.length * 0.6)));
    const one = tempStore();
    const a = await weblog([...args(one, '--workers', '0'), broken]);
    const two = tempStore();
    copyFileSync(`${one}.keys`, `${two}.keys`);
    const b = await weblog([...args(two, '--workers', '2'), broken]);
    expect(a.code).toBe(1);
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/ERR_SOURCE_READ/);
    expect(await reports(two)).toEqual(await reports(one));
  }, 120_000);
});
