/**
 * Picks the Store implementation from a location: a file path is the embedded SQLite store,
 * `clickhouse://user:pass@host:8123/db` (or `clickhouses://`) the ClickHouse store.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
// The key ring is imported on use: the anonymise stage's modules cost a report ~65 ms of start-up.
import type { KeyRing } from '../anonymise/index.js';
import { AppError, appError } from '../core/errors.js';
// The ClickHouse modules are imported on use: they load @clickhouse/client (see clickhouse/url.ts).
import { isClickHouseUrl, redactUrl } from './clickhouse/url.js';
import type { AccountStore } from './accounts.js';
import { openSqliteAccounts } from './sqlite/accounts.js';
import { SCHEMA_VERSION } from './sqlite/migrations.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './store.js';

export interface OpenStoreOptions {
  readonly visitTimeoutSec: number;
  readonly readonly?: boolean;
  /**
   * SIGINT/SIGTERM of a long-running command: a ClickHouse store abandons waits on its server
   * still pending a few seconds after it (ERR_INTERRUPTED) instead of blocking the exit.
   */
  readonly signal?: AbortSignal;
  /** SQLite: list bytes a week or month needs before it is rolled up (tests set 0; sqlite-store.ts). */
  readonly rollupMinBytes?: number;
  /** SQLite: bytes of a site-day's open pieces from which compaction merges them in two steps (tests set 0; sqlite-store.ts). */
  readonly stepwiseBytes?: number;
  /** SQLite: bytes of a piece's visit intervals per stored row (tests set a few; sqlite-store.ts). */
  readonly visRowBytes?: number;
}

/** `WEBLOG_STORE`, else ~/.local/share/weblog/weblog.db (XDG data home when set). */
export function defaultStorePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.WEBLOG_STORE) return env.WEBLOG_STORE;
  const base = env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(base, 'weblog', 'weblog.db');
}

/**
 * For commands that only read a store: a SQLite file that does not exist is "no store yet", said
 * before anything would create it (a typo in --store must not leave an empty store behind).
 */
export function requireStore(location: string): void {
  if (isClickHouseUrl(location) || /^[a-z][a-z0-9+.-]*:\/\//i.test(location)) return;
  if (!existsSync(location)) throw appError('ERR_STORE_MISSING', location);
}

export async function openStore(location: string, opts: OpenStoreOptions): Promise<Store> {
  if (isClickHouseUrl(location)) return (await import('./clickhouse/clickhouse-store.js')).openClickHouseStore(location, opts);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) throw appError('ERR_STORE_URL', redactUrl(location));
  // A writer's file is created owner-only by openSqliteStore (core/private-files.ts).
  if (opts.readonly) requireStore(location);
  return openSqliteStore(location, opts);
}

export interface OpenKeyRingOptions {
  /**
   * Where the keys live instead of beside the store (`--keys`): a ClickHouse URL (the keys are
   * the tables of the database it names, shared by every writer that names it) or a file (one
   * writer only: writers with different key files count one visitor once each).
   */
  readonly keys?: string;
  /** As OpenStoreOptions.signal, for the ClickHouse key ring's waits. */
  readonly signal?: AbortSignal;
}

/**
 * The KeyRing of a store: `<path>.keys` beside a SQLite file; for ClickHouse the `<db>_keys`
 * database on the store's node, shared by every ingest process so they agree on each day's
 * secret; or wherever `keys` says (docs/clickhouse.md, Keys).
 */
export async function openKeyRingFor(location: string, opts: OpenKeyRingOptions = {}): Promise<KeyRing> {
  const keys = opts.keys;
  if (keys !== undefined && keys !== '') {
    if (isClickHouseUrl(keys)) {
      const { openClickHouseKeyRing } = await import('./clickhouse/keyring.js');
      const { parseClickHouseUrl } = await import('./clickhouse/connection.js');
      return openClickHouseKeyRing(keys, { database: parseClickHouseUrl(keys).database, ...(opts.signal ? { signal: opts.signal } : {}) });
    }
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(keys)) throw appError('ERR_STORE_URL', redactUrl(keys));
    return (await import('../anonymise/index.js')).openFileKeyRing(keys);
  }
  if (isClickHouseUrl(location)) return (await import('./clickhouse/keyring.js')).openClickHouseKeyRing(location, opts.signal ? { signal: opts.signal } : {});
  const { openFileKeyRing, keyRingPathFor } = await import('../anonymise/index.js');
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
      const r = await migrateDeployment(dep, { upgrade: true });
      return { location: dep.target.location, ...r };
    } catch (e) {
      if (e instanceof AppError) throw e;
      throw appError('ERR_STORE_OPEN', dep.target.location, (e as Error).message);
    } finally {
      await dep.close();
    }
  }
  const store = openSqliteStore(location, { visitTimeoutSec: 1800 });
  try {
    // Rolls up the history of a store that came from schema 7 (sqlite-store.ts compact()).
    await store.compact();
  } finally {
    await store.close();
  }
  return { location, from: -1, to: SCHEMA_VERSION };
}

/** The accounts of a SQLite file (the store's own, or serve's --accounts); created owner-only. */
export function openAccountStore(path: string): AccountStore {
  return openSqliteAccounts(path);
}
