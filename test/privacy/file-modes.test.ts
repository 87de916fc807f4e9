/**
 * Files holding data or keys are readable by their owner only (docs/privacy.md, issue 13 item 2):
 * every file the store creates is 0600 in a directory it creates 0700, and a store an older
 * weblog left world-readable is tightened when it is opened, with one notice on stderr.
 */
import { chmodSync, existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { keyRingPathFor, openFileKeyRing } from '../../src/anonymise/index.js';
import { privateFiles } from '../../src/core/private-files.js';
import { tokenKeyPathFor } from '../../src/store/accounts.js';
import { openAccountStore } from '../../src/store/index.js';
import { openStore } from '../../src/store/index.js';
import { tempStore, weblog } from '../helpers/cli.js';

const mode = (p: string): string => (statSync(p).mode & 0o777).toString(8).padStart(4, '0');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? [p, ...filesUnder(p)] : [p];
  });
}

const LINE = '192.0.2.1 - alice [01/Mar/2024:10:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "curl/8"';

let umask: number;
const notices: string[] = [];
const defaultNotice = privateFiles.notice;
beforeAll(() => {
  // The usual umask: what is tested is weblog's own modes, not a strict umask hiding their lack.
  umask = process.umask(0o022);
  privateFiles.notice = (m) => void notices.push(m);
});
afterAll(() => {
  process.umask(umask);
  privateFiles.notice = defaultNotice;
});
afterEach(() => void (notices.length = 0));

/** A store in a folder weblog has to create, with data, raw-window lines, keys and a token. */
async function populated(): Promise<{ dir: string; store: string }> {
  const dir = join(dirname(tempStore()), 'state');
  const store = join(dir, 'w.db');
  const log = join(dirname(dir), 'access.log');
  writeFileSync(log, `${LINE}\n`);
  const r = await weblog(['ingest', '--store', store, '--site', 's.example', '--format', 'combined', '--quiet', '--no-purge', '--now', '2024-03-02', log]);
  expect(r.code, r.stderr).toBe(0);
  expect((await weblog(['customer', 'add', 'c', '--store', store])).code).toBe(0);
  expect((await weblog(['token', 'create', '--operator', '--store', store])).code).toBe(0);
  return { dir, store };
}

describe('file modes', () => {
  it('creates every store file 0600 and every folder 0700: store, WAL, SHM, keys, raw spool, accounts and their token key', async () => {
    const { dir, store } = await populated();
    // Open as serve does, so the WAL and SHM exist while we look.
    const s = await openStore(store, { visitTimeoutSec: 1800 });
    const keys = openFileKeyRing(keyRingPathFor(store));
    const accounts = openAccountStore(store);
    try {
      expect(await accounts.customers()).toEqual(['c']);
      const all = filesUnder(dir);
      for (const f of [store, `${store}-wal`, `${store}-shm`, keyRingPathFor(store), tokenKeyPathFor(store)]) expect(all).toContain(f);
      expect(all.some((f) => f.includes('.raw/') && f.endsWith('s.example.log'))).toBe(true);
      const modes = Object.fromEntries(all.map((f) => [f.slice(dir.length), mode(f)]));
      const want = Object.fromEntries(all.map((f) => [f.slice(dir.length), statSync(f).isDirectory() ? '0700' : '0600']));
      expect(modes).toEqual(want);
      expect(mode(dir)).toBe('0700');
    } finally {
      await accounts.close();
      await keys.close();
      await s.close();
    }
    expect(notices).toEqual([]);
  });

  it('tightens a store an older weblog left readable by others, and says so once', async () => {
    const { dir, store } = await populated();
    // What weblog before this change left behind (0644 files, 0755 spool folders).
    for (const f of filesUnder(dir)) chmodSync(f, statSync(f).isDirectory() ? 0o755 : 0o644);
    const s = await openStore(store, { visitTimeoutSec: 1800 });
    const keys = openFileKeyRing(keyRingPathFor(store));
    const accounts = openAccountStore(store);
    await accounts.close();
    await s.close();
    await keys.close();
    // The raw spool is tightened when an ingest opens it.
    const log = join(dirname(dir), 'more.log');
    writeFileSync(log, `${LINE.replace('10:00:00', '11:00:00')}\n`);
    expect((await weblog(['ingest', '--store', store, '--site', 's.example', '--format', 'combined', '--quiet', '--no-purge', '--now', '2024-03-02', log])).code).toBe(0);
    for (const f of filesUnder(dir)) expect([f, mode(f)]).toEqual([f, statSync(f).isDirectory() ? '0700' : '0600']);
    expect(notices.some((n) => n.includes(`${store} was readable by others (0644)`))).toBe(true);
    expect(notices.some((n) => n.includes(`${keyRingPathFor(store)} was readable by others (0644)`))).toBe(true);
    expect(notices.some((n) => n.includes(`${tokenKeyPathFor(store)} was readable by others (0644)`))).toBe(true);
    expect(notices.some((n) => n.includes('.raw') && n.includes('(0755)'))).toBe(true);
    expect(notices.every((n) => !n.includes('192.0.2.1'))).toBe(true);
    notices.length = 0;
    expect((await weblog(['report', '--store', store, '--site', 's.example', '--format', 'json'])).code).toBe(0);
    expect(notices).toEqual([]);
  });

  it('a read-only open of a store that does not exist creates nothing', async () => {
    const store = join(dirname(tempStore()), 'absent', 'w.db');
    const r = await weblog(['report', '--store', store, '--site', 'x.example']);
    expect(r.code).not.toBe(0);
    expect(existsSync(store)).toBe(false);
  });
});
