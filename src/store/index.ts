/** @module store — the Store interface and its implementations. */
export type { Store, ReportQuery, StoredReport, StoredDay, StoredRow, AuditRecord, SiteRetention } from './store.js';
export { rowsOf } from './store.js';
export { openStore, defaultStorePath, openKeyRingFor, requireStore, openAccountStore } from './open.js';
export { compareKeys } from './sqlite/sqlite-store.js';
export { migrateStore } from './open.js';
export type { MigrateResult, OpenStoreOptions } from './open.js';
export { asciiLower, checkCustomerId, checkSiteName, isSiteName } from './accounts.js';
export type { AccountStore, Principal } from './accounts.js';
export { isClickHouseUrl } from './clickhouse/url.js';
export { RawSpool, deleteRawFile, listRawFiles, rawSpoolDirFor, withRawLock } from './raw-spool.js';
