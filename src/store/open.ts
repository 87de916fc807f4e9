/**
 * Picks the Store implementation from a location: a file path is the embedded SQLite store,
 * `clickhouse://user:pass@host:8123/db` (or `clickhouses://`) the ClickHouse store.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { keyRingPathFor, openFileKeyRing, type KeyRing } from '../anonymise/index.js';
import { AppError, appError } from '../core/errors.js';
// The ClickHouse modules are imported on use: they load @clickhouse/client (see clickhouse/url.ts).
import { isClickHouseUrl, redactUrl } from './clickhouse/url.js';
import { SCHEMA_VERSION } from './sqlite/migrations.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './store.js';

export interface OpenStoreOptions {
  readonly visitTimeoutSec: number;
  readonly readonly?: boolean;
}

/** `WEBLOG_STORE`, else ~/.local/share/weblog/weblog.db (XDG data home when set). */
export function defaultStorePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.WEBLOG_STORE) return env.WEBLOG_STORE;
  const base = env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(base, 'weblog', 'weblog.db');
}

export async function openStore(location: string, opts: OpenStoreOptions): Promise<Store> {
  if (isClickHouseUrl(location)) return (await import('./clickhouse/clickhouse-store.js')).openClickHouseStore(location, opts);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) throw appError('ERR_STORE_URL', redactUrl(location));
  return openSqliteStore(location, opts);
}

/**
 * The KeyRing that belongs to a store: `<path>.keys` beside a SQLite file; for ClickHouse the
 * `<db>_keys` database, shared by every ingest process so they agree on each day's key.
 */
export async function openKeyRingFor(location: string): Promise<KeyRing> {
  if (isClickHouseUrl(location)) return (await import('./clickhouse/keyring.js')).openClickHouseKeyRing(location);
  return openFileKeyRing(keyRingPathFor(location));
}

export interface MigrateResult {
  readonly location: string;
  readonly from: number;
  readonly to: number;
}

/** Bring a store's schema up to date (`weblog store migrate`). */
export async function migrateStore(location: string): Promise<MigrateResult> {
  if (isClickHouseUrl(location)) {
    const { migrateDeployment, openDeployment } = await import('./clickhouse/clickhouse-store.js');
    const dep = await openDeployment(location);
    try {
      const r = await migrateDeployment(dep);
      return { location: dep.target.location, ...r };
    } catch (e) {
      if (e instanceof AppError) throw e;
      throw appError('ERR_STORE_OPEN', dep.target.location, (e as Error).message);
    } finally {
      await dep.close();
    }
  }
  const store = openSqliteStore(location, { visitTimeoutSec: 1800 });
  await store.close();
  return { location, from: -1, to: SCHEMA_VERSION };
}
