/** The raw-window spool: writers append in turn after the committed sizes, whatever they overlap. */
import { appendFileSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RawSpool, type RawFileState } from '../../../src/store/raw-spool.js';

/** The store's record of raw file sizes, as a map a test can look into. */
function record(): { sizes: Map<string, RawFileState>; read: () => Promise<RawFileState[]>; commit: (s: RawFileState[]) => Promise<void> } {
  const sizes = new Map<string, RawFileState>();
  return {
    sizes,
    read: () => Promise.resolve([...sizes.values()]),
    commit: (s) => {
      for (const f of s) sizes.set(`${f.site}/${f.day}`, f);
      return Promise.resolve();
    },
  };
}

const lines = (...l: string[]): { bytes: Uint8Array; lines: number } => ({ bytes: Buffer.from(l.map((x) => `${x}\n`).join('')), lines: l.length });
const block = (site: string, day: string, ...l: string[]) => ({ site, day, ...lines(...l) });

describe('RawSpool', () => {
  it('two spools on one directory append in turn: every line once, sizes as on disk', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'spool-')), 's.raw');
    const store = record();
    const [a, b] = [await RawSpool.open(dir, store.read), await RawSpool.open(dir, store.read)];
    // Started together: the second waits for the first's lock, then writes after its size.
    await Promise.all([
      a.commit([block('x', '2024-03-01', 'a1', 'a2')], store.commit),
      b.commit([block('x', '2024-03-01', 'b1'), block('y', '2024-03-01', 'b2')], store.commit),
      a.commit([block('x', '2024-03-01', 'a3')], store.commit),
    ]);
    const x = readFileSync(a.path('x', '2024-03-01'), 'utf8').split('\n').slice(0, -1).sort();
    expect(x).toEqual(['a1', 'a2', 'a3', 'b1']);
    expect(store.sizes.get('x/2024-03-01')).toEqual({ site: 'x', day: '2024-03-01', bytes: statSync(a.path('x', '2024-03-01')).size, lines: 4 });
    expect(store.sizes.get('y/2024-03-01')).toMatchObject({ bytes: 3, lines: 1 });
    a.close();
    b.close();
  });

  it('a refused commit leaves the files as committed (a new file is removed)', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'spool-')), 's.raw');
    const store = record();
    const s = await RawSpool.open(dir, store.read);
    await s.commit([block('x', '2024-03-01', 'kept')], store.commit);
    const refuse = (): Promise<void> => Promise.reject(new Error('refused'));
    await expect(s.commit([block('x', '2024-03-01', 'gone'), block('z', '2024-03-02', 'gone too')], refuse)).rejects.toThrow('refused');
    expect(readFileSync(s.path('x', '2024-03-01'), 'utf8')).toBe('kept\n');
    expect(existsSync(s.path('z', '2024-03-02'))).toBe(false);
    expect(store.sizes.get('x/2024-03-01')).toMatchObject({ bytes: 5, lines: 1 });
    s.close();
  });

  it("what a dead writer left beyond the committed sizes is cut off: at open, and by the next commit's write", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'spool-')), 's.raw');
    const store = record();
    const s = await RawSpool.open(dir, store.read);
    await s.commit([block('x', '2024-03-01', 'one')], store.commit);
    s.close();
    // A writer killed between its write and its commit.
    appendFileSync(join(dir, '2024-03-01', 'x.log'), 'uncommitted\n');
    mkdirSync(join(dir, '2024-03-02'));
    writeFileSync(join(dir, '2024-03-02', 'x.log'), 'never committed\n');
    const t = await RawSpool.open(dir, store.read);
    expect(readFileSync(t.path('x', '2024-03-01'), 'utf8')).toBe('one\n');
    expect(existsSync(t.path('x', '2024-03-02'))).toBe(false);
    appendFileSync(join(dir, '2024-03-01', 'x.log'), 'uncommitted again\n');
    await t.commit([block('x', '2024-03-01', 'two')], store.commit);
    expect(readFileSync(t.path('x', '2024-03-01'), 'utf8')).toBe('one\ntwo\n');
    expect(store.sizes.get('x/2024-03-01')).toMatchObject({ bytes: 8, lines: 2 });
    t.close();
  });
});
