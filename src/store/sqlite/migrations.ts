/**
 * Versioned schema of the embedded store. Append only: a released migration is never edited.
 *
 * Shape (why): every aggregate row is keyed by (site, list, day, dimension id) with integer ids,
 * so a batch commit is a run of integer-keyed upserts (the cheapest SQLite write), and a range
 * report is one index range scan per list. Dimension strings live once per site in `dim`: per
 * site, so deleting a customer deletes their strings too and no value is shared across
 * customers. Days are integers YYYYMMDD.
 */
import type Database from 'better-sqlite3';
import { encodeSegment, segmentOf } from './list-segments.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  /** Data conversion after `sql`, in the same transaction. */
  readonly run?: (db: Database.Database) => void;
}

/** v4: every (site, list, day) group of day_top rows becomes one list segment. */
function dayTopToSegments(db: Database.Database): void {
  const put = db.prepare('INSERT INTO day_list (site_id, list, day, seg, n, lo, hi, data) VALUES (?, ?, ?, 0, ?, ?, ?, ?)');
  const rowsOf = db.prepare('SELECT dim_id, hits, bytes FROM day_top WHERE site_id = ? AND list = ? AND day = ?').raw();
  // One group at a time: better-sqlite3 cannot write while a read is being iterated.
  const groups = db.prepare('SELECT DISTINCT site_id, list, day FROM day_top').raw().all() as [number, number, number][];
  for (const [site, list, day] of groups) {
    const rows = rowsOf.all(site, list, day) as [number, number, number][];
    const seg = segmentOf(
      Uint32Array.from(rows, (r) => r[0]),
      Float64Array.from(rows, (r) => r[1]),
      Float64Array.from(rows, (r) => r[2]),
    );
    put.run(site, list, day, rows.length, seg.ids[0], seg.ids[rows.length - 1], encodeSegment(seg));
  }
  db.exec('DROP TABLE day_top');
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'aggregates',
    sql: `
CREATE TABLE site (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  ip_policy TEXT NOT NULL DEFAULT '',
  user_policy TEXT NOT NULL DEFAULT '',
  attribution TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE dim (
  id INTEGER PRIMARY KEY,
  site_id INTEGER NOT NULL,
  list INTEGER NOT NULL,
  value TEXT NOT NULL,
  UNIQUE (site_id, list, value)
);
CREATE TABLE day_total (
  site_id INTEGER NOT NULL,
  day INTEGER NOT NULL,
  hits INTEGER NOT NULL DEFAULT 0,
  pages INTEGER NOT NULL DEFAULT 0,
  visits INTEGER NOT NULL DEFAULT 0,
  visitors INTEGER NOT NULL DEFAULT 0,
  bytes INTEGER NOT NULL DEFAULT 0,
  bots INTEGER NOT NULL DEFAULT 0,
  ftp_transfers INTEGER NOT NULL DEFAULT 0,
  ftp_bytes INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (site_id, day)
) WITHOUT ROWID;
CREATE TABLE day_visitors (
  site_id INTEGER NOT NULL,
  day INTEGER NOT NULL,
  ids BLOB NOT NULL,
  PRIMARY KEY (site_id, day)
) WITHOUT ROWID;
CREATE TABLE day_top (
  site_id INTEGER NOT NULL,
  list INTEGER NOT NULL,
  day INTEGER NOT NULL,
  dim_id INTEGER NOT NULL,
  hits INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  PRIMARY KEY (site_id, list, day, dim_id)
) WITHOUT ROWID;
CREATE TABLE day_other (
  site_id INTEGER NOT NULL,
  list INTEGER NOT NULL,
  day INTEGER NOT NULL,
  hits INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  PRIMARY KEY (site_id, list, day)
) WITHOUT ROWID;
CREATE TABLE rejected (
  site_id INTEGER NOT NULL,
  reason TEXT NOT NULL,
  lines INTEGER NOT NULL,
  PRIMARY KEY (site_id, reason)
) WITHOUT ROWID;
CREATE TABLE checkpoint (
  scope TEXT NOT NULL,
  fp_len INTEGER NOT NULL,
  fp_hash TEXT NOT NULL,
  dev INTEGER NOT NULL,
  ino INTEGER NOT NULL,
  offset INTEGER NOT NULL,
  lines INTEGER NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (scope, fp_len, fp_hash)
) WITHOUT ROWID;
`,
  },
  {
    version: 2,
    name: 'retention',
    // Retention (privacy issue): a site's contract end decides when its weblog is deleted, and
    // every deletion leaves an audit record that names what, which day, how many rows, when.
    // raw_file holds the committed size of each raw-window file, so bytes appended by a batch
    // that never committed are cut off before the next append (exactly once).
    sql: `
ALTER TABLE site ADD COLUMN contract_end TEXT;
ALTER TABLE site ADD COLUMN raw_window_days INTEGER NOT NULL DEFAULT 0;
CREATE TABLE raw_file (
  site TEXT NOT NULL,
  day TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  lines INTEGER NOT NULL,
  PRIMARY KEY (site, day)
) WITHOUT ROWID;
CREATE TABLE audit (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  action TEXT NOT NULL,
  site TEXT NOT NULL,
  day TEXT,
  rows INTEGER NOT NULL,
  detail TEXT NOT NULL DEFAULT ''
);
`,
  },
  {
    version: 3,
    name: 'accounts',
    // Accounts (server issue): customers own sites; operators ingest and administer. Ownership is
    // keyed by site name, not site id, so a site can be assigned before its first log line and a
    // deleted weblog (contract end) leaves the assignment for the operator to remove. Tokens and
    // sessions are stored only as hashes: a copy of the store lets no one log in.
    sql: `
CREATE TABLE customer (
  id TEXT PRIMARY KEY,
  created_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE site_owner (
  site TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL REFERENCES customer (id),
  created_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX site_owner_customer ON site_owner (customer_id, site);
CREATE TABLE site_host (
  host TEXT PRIMARY KEY,
  site TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX site_host_site ON site_host (site);
CREATE TABLE token (
  id TEXT PRIMARY KEY,
  role TEXT NOT NULL CHECK (role IN ('customer', 'operator')),
  customer_id TEXT REFERENCES customer (id),
  hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  revoked_at TEXT,
  CHECK ((role = 'customer') = (customer_id IS NOT NULL))
) WITHOUT ROWID;
CREATE TABLE session (
  id_hash TEXT PRIMARY KEY,
  token_id TEXT NOT NULL,
  csrf TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
) WITHOUT ROWID;
`,
  },
  {
    version: 4,
    name: 'list segments',
    // Top lists as sorted column blobs per (site, list, day) instead of a row per key: a commit
    // is a linear merge and a 30-day report sums typed arrays (see list-segments.ts). A rowid
    // table, not WITHOUT ROWID: its rows are large blobs. n, lo and hi (entries, smallest and
    // largest id) let a report size its summing table before reading any blob.
    sql: `
CREATE TABLE day_list (
  site_id INTEGER NOT NULL,
  list INTEGER NOT NULL,
  day INTEGER NOT NULL,
  seg INTEGER NOT NULL,
  n INTEGER NOT NULL,
  lo INTEGER NOT NULL,
  hi INTEGER NOT NULL,
  data BLOB NOT NULL,
  UNIQUE (site_id, list, day, seg)
);
`,
    run: dayTopToSegments,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
