import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../../src/store/index.js';
import { SCHEMA_VERSION } from '../../../src/store/sqlite/migrations.js';
import { runStoreContract } from '../../contract/store.contract.js';

const fresh = () => join(mkdtempSync(join(tmpdir(), 'weblog-store-')), 'w.db');

runStoreContract('sqlite', () => openStore(fresh(), { visitTimeoutSec: 1800 }));

describe('sqlite store specifics', () => {
  it('records migrations and refuses a newer schema', async () => {
    const path = fresh();
    await (await openStore(path, { visitTimeoutSec: 1800 })).close();
    const db = new Database(path);
    expect((db.prepare('SELECT MAX(version) AS v FROM schema_migration').get() as { v: number }).v).toBe(SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.prepare('INSERT INTO schema_migration VALUES (?, ?, ?)').run(SCHEMA_VERSION + 1, 'future', 'x');
    db.close();
    await expect(openStore(path, { visitTimeoutSec: 1800 })).rejects.toMatchObject({ code: 'ERR_STORE_SCHEMA_NEWER' });
  });

  it('rejects URLs it does not implement', async () => {
    await expect(openStore('postgres://u:secret@host:5432/db', { visitTimeoutSec: 1800 })).rejects.toMatchObject({ code: 'ERR_STORE_URL' });
  });
});
