/**
 * Versioned schema of the embedded store. Append only: a released migration is never edited.
 *
 * Shape (why): every aggregate row is keyed by (site, list, day, dimension id) with integer ids,
 * so a batch commit is a run of integer-keyed upserts (the cheapest SQLite write), and a range
 * report is one index range scan per list. Dimension strings live once per site in `dim`: per
 * site, so deleting a customer deletes their strings too and no value is shared across
 * customers. Days are integers YYYYMMDD.
 */
import { randomInt } from 'node:crypto';
import type Database from 'better-sqlite3';
import { legacyPolicies, policiesToJson } from '../../core/policy.js';
import { decodeSegment, encodeSegment, segmentOf } from './list-segments.js';
import { KeyHasher, buildList, decodeVisits, encodeLists, encodeVisits, type ListSegment } from './segment-codec.js';

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

/**
 * v5: the day_* tables and their dimension strings become one closed segment per site-day (key
 * texts inline, sorted by the store's keyed hash); checkpoints are keyed by content only. The
 * visitor sets of v4 were made with per-site-day keys that the v2 key ring no longer has, so
 * their days are closed with the counts they had (generation 'legacy': a later run for such a
 * day is shown as not deduplicated).
 */
function toSegments(db: Database.Database): void {
  db.prepare('INSERT INTO store_meta (key, value) VALUES (?, ?)').run('hash_seed', String(randomInt(2 ** 31)));
  const hasher = new KeyHasher(Number((db.prepare("SELECT value FROM store_meta WHERE key = 'hash_seed'").get() as { value: string }).value));
  const put = db.prepare(`INSERT INTO seg (site_id, day, gen, hits, pages, bytes, bots, ftp_transfers, ftp_bytes, visitors, visits, bounces, visit_seconds, lists, vis)
    VALUES (?, ?, 'legacy', ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, NULL)`);
  const days = db.prepare('SELECT site_id, day, hits, pages, bytes, bots, ftp_transfers, ftp_bytes, visitors, visits FROM day_total ORDER BY site_id, day').all() as {
    site_id: number;
    day: number;
    hits: number;
    pages: number;
    bytes: number;
    bots: number;
    ftp_transfers: number;
    ftp_bytes: number;
    visitors: number;
    visits: number;
  }[];
  const segs = db.prepare('SELECT list, data FROM day_list WHERE site_id = ? AND day = ?');
  const other = db.prepare('SELECT list, hits, bytes FROM day_other WHERE site_id = ? AND day = ?');
  const dimsOf = db.prepare('SELECT id, value FROM dim WHERE site_id = ?');
  let dims = new Map<number, Buffer>();
  let dimsSite = -1;
  for (const d of days) {
    if (d.site_id !== dimsSite) {
      dims = new Map((dimsOf.all(d.site_id) as { id: number; value: string }[]).map((r) => [r.id, Buffer.from(r.value, 'utf8')]));
      dimsSite = d.site_id;
    }
    const byList = new Map<number, Map<number, { hits: number; bytes: number }>>();
    for (const r of segs.all(d.site_id, d.day) as { list: number; data: Buffer }[]) {
      const s = decodeSegment(r.data);
      let m = byList.get(r.list);
      if (m === undefined) byList.set(r.list, (m = new Map()));
      for (let i = 0; i < s.ids.length; i++) {
        const c = m.get(s.ids[i]!) ?? { hits: 0, bytes: 0 };
        c.hits += s.hits[i]!;
        c.bytes += s.bytes[i]!;
        m.set(s.ids[i]!, c);
      }
    }
    const lists: ListSegment[] = [];
    for (const [id, m] of byList) {
      const ids = [...m.keys()].filter((k) => dims.has(k));
      lists.push(buildList({ id, n: ids.length, key: (i) => dims.get(ids[i]!)!, hits: (i) => m.get(ids[i]!)!.hits, bytes: (i) => m.get(ids[i]!)!.bytes }, hasher));
    }
    const others = new Map<number, { hits: number; bytes: number }>();
    for (const o of other.all(d.site_id, d.day) as { list: number; hits: number; bytes: number }[]) others.set(o.list, { hits: o.hits, bytes: o.bytes });
    put.run(d.site_id, d.day, d.hits, d.pages, d.bytes, d.bots, d.ftp_transfers, d.ftp_bytes, d.visitors, d.visits, encodeLists(lists, others));
  }
  db.exec(`INSERT OR REPLACE INTO source (fp_len, fp_hash, dev, ino, offset, lines, updated_at)
    SELECT fp_len, fp_hash, dev, ino, MAX(offset), lines, MAX(updated_at) FROM checkpoint GROUP BY fp_len, fp_hash`);
  db.exec('DROP TABLE day_total; DROP TABLE day_list; DROP TABLE day_other; DROP TABLE day_visitors; DROP TABLE dim; DROP TABLE checkpoint;');
}

/**
 * v7: each open piece's intervals, re-encoded into `seg_vis`. Re-encoded, not copied: blobs
 * written before had an unwritten tenth column and unwritten padding, bytes of whatever the
 * process's memory held, which must not stay in the store (secure_delete zeroes the old ones).
 */
function visitsApart(db: Database.Database): void {
  const put = db.prepare('INSERT INTO seg_vis (seq, vis) VALUES (?, ?)');
  // One row at a time: better-sqlite3 cannot write while a read is being iterated.
  const seqs = db.prepare('SELECT seq FROM seg WHERE vis IS NOT NULL ORDER BY seq').pluck().all() as number[];
  const get = db.prepare('SELECT vis FROM seg WHERE seq = ?').pluck();
  for (const seq of seqs) put.run(seq, encodeVisits(decodeVisits(get.get(seq) as Buffer)));
}

/** v6: the policy sentences of each site become data (core/policy.ts); the old columns stay as they were. */
function policiesAsData(db: Database.Database): void {
  const put = db.prepare('UPDATE site SET policies = ? WHERE id = ?');
  const rows = db.prepare('SELECT id, ip_policy, user_policy FROM site').all() as { id: number; ip_policy: string; user_policy: string }[];
  for (const r of rows) put.run(policiesToJson(legacyPolicies(r.ip_policy, r.user_policy)), r.id);
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
  {
    version: 5,
    name: 'site-day segments',
    // One row per site-day and commit (segment-codec.ts): a commit appends and never reads what
    // is stored, so its cost does not grow with the sites or the history (issue 11). seq is the
    // rowid (its rows are large blobs; a new row costs no lookup). seg_open finds the days whose
    // visits are still open.
    sql: `
CREATE TABLE store_meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE seg (
  seq INTEGER PRIMARY KEY,
  site_id INTEGER NOT NULL,
  day INTEGER NOT NULL,
  gen TEXT NOT NULL,
  hits INTEGER NOT NULL,
  pages INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  bots INTEGER NOT NULL,
  ftp_transfers INTEGER NOT NULL,
  ftp_bytes INTEGER NOT NULL,
  visitors INTEGER NOT NULL,
  visits INTEGER NOT NULL,
  bounces INTEGER NOT NULL,
  visit_seconds INTEGER NOT NULL,
  lists BLOB NOT NULL,
  vis BLOB
);
CREATE INDEX seg_day ON seg (site_id, day);
CREATE INDEX seg_open ON seg (site_id, day, gen) WHERE vis IS NOT NULL;
CREATE TABLE source (
  fp_len INTEGER NOT NULL,
  fp_hash TEXT NOT NULL,
  dev INTEGER NOT NULL,
  ino INTEGER NOT NULL,
  offset INTEGER NOT NULL,
  lines INTEGER NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (fp_len, fp_hash)
) WITHOUT ROWID;
`,
    run: toSegments,
  },
  {
    version: 6,
    name: 'policies as data',
    // The IP and user policies of a site's data as JSON ({ip: [{mode, v4, v6}], user: [{mode}]}),
    // rendered per language, instead of an English sentence read back by keyword. ip_policy and
    // user_policy keep what older versions wrote and are no longer used.
    sql: `ALTER TABLE site ADD COLUMN policies TEXT NOT NULL DEFAULT '{"ip":[],"user":[]}';`,
    run: policiesAsData,
  },
  {
    version: 7,
    name: 'visit intervals apart',
    // A piece's visit intervals in a table of their own: closing a day's visits (past the raw
    // window) deletes their row instead of rewriting the piece's row with its lists (SQLite
    // rewrites a whole record on UPDATE). Measured on 5,000 sites × 7 days: 1.8 → 0.4 s. The
    // trigger keeps one place for "a piece's intervals go with the piece".
    sql: `
CREATE TABLE seg_vis (
  seq INTEGER PRIMARY KEY,
  vis BLOB NOT NULL
);
`,
    run: (db) => {
      visitsApart(db);
      db.exec(`DROP INDEX seg_open;
        ALTER TABLE seg DROP COLUMN vis;
        CREATE TRIGGER seg_vis_follows AFTER DELETE ON seg BEGIN DELETE FROM seg_vis WHERE seq = old.seq; END;`);
    },
  },
  {
    version: 8,
    name: 'week and month rollups',
    // A site's lists of a whole ISO week or calendar month summed into one blob (rollups.ts), so a
    // report over a long range reads a few blobs instead of one per day. The triggers are the one
    // place for "a rollup equals the sum of its days": any piece added to or removed from one of
    // its days deletes it (a period is at most 31 days: the index is searched from a year back).
    sql: `
CREATE TABLE seg_rollup (
  id INTEGER PRIMARY KEY,
  site_id INTEGER NOT NULL,
  first_day INTEGER NOT NULL,
  last_day INTEGER NOT NULL,
  lists BLOB NOT NULL
);
CREATE UNIQUE INDEX seg_rollup_period ON seg_rollup (site_id, first_day, last_day);
CREATE TRIGGER seg_rollup_stale_add AFTER INSERT ON seg BEGIN
  DELETE FROM seg_rollup WHERE site_id = new.site_id AND first_day BETWEEN new.day - 10000 AND new.day AND last_day >= new.day;
END;
CREATE TRIGGER seg_rollup_stale_del AFTER DELETE ON seg BEGIN
  DELETE FROM seg_rollup WHERE site_id = old.site_id AND first_day BETWEEN old.day - 10000 AND old.day AND last_day >= old.day;
END;
`,
    // The history a store already holds is rolled up by the next compact() (`weblog store
    // migrate`, or the end of the next ingest), outside this transaction.
    run: (db) => void db.prepare("INSERT INTO store_meta (key, value) SELECT 'rollup_history', 'pending' WHERE EXISTS (SELECT 1 FROM seg)").run(),
  },
  {
    version: 9,
    name: 'site-days written since the last compaction',
    // Every piece inserted marks its site-day, by a trigger: whatever wrote it (an ingest, a
    // server, another process, one that crashed or was restarted before it compacted). compact()
    // takes the marks, compacts and rolls up their site-days, and keeps one mark per site-day
    // whose week or month has not ended yet, so the period is rolled up once it has. The history
    // a store holds is marked here once (this replaces v8's 'rollup_history').
    sql: `
CREATE TABLE seg_written (
  id INTEGER PRIMARY KEY,
  site_id INTEGER NOT NULL,
  day INTEGER NOT NULL
);
CREATE TRIGGER seg_written_add AFTER INSERT ON seg BEGIN
  INSERT INTO seg_written (site_id, day) VALUES (new.site_id, new.day);
END;
INSERT INTO seg_written (site_id, day) SELECT DISTINCT site_id, day FROM seg;
DELETE FROM store_meta WHERE key = 'rollup_history';
`,
  },
  {
    version: 10,
    name: 'rollups stored by list',
    // A rollup's lists apart, each as its head (top keys by rank), its whole list when the head is
    // not all of it, and for the address list its key hashes (rollup-parts.ts): a top-N report
    // reads the heads, not every key of the period. seg_rollup.lists becomes the rollup's
    // directory. Rollups of the old kind are dropped; their periods are marked, so the next
    // compact() (`weblog store migrate` runs one) builds them anew.
    sql: `
CREATE TABLE seg_rollup_part (
  id INTEGER PRIMARY KEY,
  rollup_id INTEGER NOT NULL,
  list INTEGER NOT NULL,
  kind INTEGER NOT NULL,
  data BLOB NOT NULL
);
CREATE UNIQUE INDEX seg_rollup_part_key ON seg_rollup_part (rollup_id, kind, list);
CREATE TRIGGER seg_rollup_part_follows AFTER DELETE ON seg_rollup BEGIN
  DELETE FROM seg_rollup_part WHERE rollup_id = old.id;
END;
INSERT INTO seg_written (site_id, day) SELECT site_id, first_day FROM seg_rollup;
DELETE FROM seg_rollup;
`,
  },
  {
    version: 11,
    name: 'heads of busy days',
    // A busy day of one piece gets a rollup of its own (first_day = last_day): its heads and
    // address hashes, no bodies (rollups.ts). No table changes; the days a store already holds are
    // marked, so the next compact() (`weblog store migrate` runs one) builds their heads. Builds
    // of schema 10 never read such a rollup, and its triggers already delete it with its day.
    sql: `
INSERT INTO seg_written (site_id, day) SELECT site_id, day FROM seg GROUP BY site_id, day HAVING COUNT(*) = 1;
`,
  },
  {
    version: 12,
    name: 'visit intervals in bounded rows',
    // A piece's intervals in rows of at most 4 MB (part 0, 1, …; sqlite-store.ts VIS_ROW_BYTES):
    // SQLite copies a row twice while writing it, so one row of a busy day's 29 MB of intervals
    // set the 10M-line ingest's peak RSS. A piece is open while it has part 0. The rows a store
    // holds become part 0 each, as they are.
    sql: `
CREATE TABLE seg_vis_rows (
  seq INTEGER NOT NULL,
  part INTEGER NOT NULL,
  vis BLOB NOT NULL,
  PRIMARY KEY (seq, part)
);
INSERT INTO seg_vis_rows (seq, part, vis) SELECT seq, 0, vis FROM seg_vis;
DROP TRIGGER seg_vis_follows;
DROP TABLE seg_vis;
ALTER TABLE seg_vis_rows RENAME TO seg_vis;
CREATE TRIGGER seg_vis_follows AFTER DELETE ON seg BEGIN DELETE FROM seg_vis WHERE seq = old.seq; END;
`,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
