/** @module store — the Store interface and its implementations. */
export type { Store, ReportQuery, StoredReport, StoredDay, StoredRow, AuditRecord, SiteRetention } from './store.js';
export { openStore, defaultStorePath, openKeyRingFor } from './open.js';
export { compareKeys } from './sqlite/sqlite-store.js';
export { migrateStore } from './open.js';
export type { MigrateResult } from './open.js';
