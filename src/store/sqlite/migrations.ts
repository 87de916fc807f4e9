/**
 * Versioned schema of the embedded store. Append only: a released migration is never edited.
 *
 * Shape (why): every aggregate row is keyed by (site, list, day, dimension id) with integer ids,
 * so a batch commit is a run of integer-keyed upserts (the cheapest SQLite write), and a range
 * report is one index range scan per list. Dimension strings live once per site in `dim`: per
 * site, so deleting a customer deletes their strings too and no value is shared across
 * customers. Days are integers YYYYMMDD.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
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
    sql: `
ALTER TABLE site ADD COLUMN contract_end TEXT;
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
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
