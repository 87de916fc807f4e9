/** @module store — the Store interface and its implementations. */
export type { Store, ReportQuery, StoredReport, StoredDay, StoredRow } from './store.js';
export { openStore, defaultStorePath } from './open.js';
export { compareKeys } from './sqlite/sqlite-store.js';
