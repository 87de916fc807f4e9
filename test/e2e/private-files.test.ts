/** Files holding data or keys are readable by their owner only (docs/install.md: paths and permissions). */
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { REPO, weblog } from '../helpers/cli.js';

const mode = (p: string): number => statSync(p).mode & 0o777;

describe('private files', () => {
  it('a new store, its WAL, its keys and its accounts are 0600, in a directory made 0700', async () => {
    const base = mkdtempSync(join(tmpdir(), 'weblog-private-'));
    const store = join(base, 'new', 'dir', 'weblog.db');
    const r = await weblog(['ingest', '--store', store, '--site', 's', '--quiet', join(REPO, 'fixtures', 'sample-access.log')]);
    expect(r.code, r.stderr).toBe(0);
    expect(mode(join(base, 'new', 'dir'))).toBe(0o700);
    for (const f of [store, `${store}.keys`]) expect(mode(f), f).toBe(0o600);
    const accounts = join(base, 'accounts.db');
    expect((await weblog(['customer', 'add', 'c', '--store', accounts])).code).toBe(0);
    expect(mode(accounts)).toBe(0o600);
    // An open store has its -wal and -shm beside it, with the database file's mode.
    const s = await openStore(store, { visitTimeoutSec: 1800 });
    try {
      expect(mode(`${store}-wal`)).toBe(0o600);
      expect(mode(`${store}-shm`)).toBe(0o600);
    } finally {
      await s.close();
    }
  });
});
