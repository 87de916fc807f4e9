/**
 * The embedded store: one SQLite file through better-sqlite3, WAL mode.
 *
 * Data is kept as site-day *segments* (schema v5, segment-codec.ts): a commit appends one row per
 * site and day it touched, holding all of that site-day's lists (keys sorted by a keyed hash,
 * with their texts) and its visit intervals. Nothing already stored is read or rewritten by a
 * commit, so a commit costs its own size, whatever the number of sites and however much history
 * is stored; segments of a site-day are merged later (`compact`, at the end of an ingest and
 * whenever a site-day has gathered COMPACT_AT pieces in one process), and a report merges what
 * is left. A batch commit is one transaction with its source's new position, checked against the
 * stored one (compare-and-set), so a crash leaves either both or neither, and two ingests of one
 * file cannot both count it. `secure_delete` is on so that deleted rows leave no readable bytes
 * behind (privacy issue).
 */
import { randomInt } from 'node:crypto';
import { setImmediate } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { TOTAL_FIELDS, mergeSiteMeta, type Batch, type RawFileSize, type SiteMeta } from '../../aggregate/index.js';
import { AppError, appError } from '../../core/errors.js';
import { dayToIso, isStorableDay } from '../../core/dates.js';
import { policiesFromJson, policiesToJson } from '../../core/policy.js';
import { releaseBuffers } from '../../core/memory.js';
import { prepareSqliteFile } from '../../core/private-files.js';
import { LIST_IDS, LIST_NAMES, type ListName } from '../../core/lists.js';
import { rowsOf, type AuditRecord, type Checkpoint, type Counter, type ReportQuery, type SiteRetention, type Store, type StoredDay, type StoredReport, type StoredRow } from '../store.js';
import {
  ENTRY,
  EXIT,
  URLS,
  closeSegment,
  encodeListGroups,
  encodeMergedDay,
  groupLists,
  joinVisits,
  mergeDaySegments,
  withVisitLists,
  type DaySegment,
  type VisitLists,
  type VisitSummaryCounts,
} from './day-segment.js';
import type { KeyHashes } from './list-sum.js';
import { PartEncoder, type EncodedSegment } from './part-encoder.js';
import { WrittenPieces, type SiteDayGen } from './written-pieces.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';
import { rangeDistinct, rangeList, type RolledList } from './range-lists.js';
import { PART_BODY, PART_HASHES, PART_HEAD, decodeDirectory, decodeHashes, rollupParts } from './rollup-parts.js';
import { chooseRollups, covers, isDay, periodsOf, sumPeriod, worthRolling, type Period } from './rollups.js';
import { KeyHasher, decodeLists, decodeVisits, encodeLists, encodeVisits, listCopy, type DecodedLists, type ListSegment } from './segment-codec.js';

export interface SqliteStoreOptions {
  /** Seconds of inactivity that end a visit (needed to join a day's visits across segments). */
  readonly visitTimeoutSec: number;
  readonly readonly?: boolean;
  /** List bytes a period's days must hold before compact() rolls them up (ROLLUP_MIN_BYTES; 0 in tests). */
  readonly rollupMinBytes?: number;
  /** Bytes of a site-day's open pieces from which compaction merges them in two steps (STEPWISE_BYTES; 0 in tests). */
  readonly stepwiseBytes?: number;
  /** Bytes of a piece's visit intervals per row of `seg_vis` (VIS_ROW_BYTES; small in tests). */
  readonly visRowBytes?: number;
}

/** A site-day that gathered this many segments from one process is compacted at once. */
const COMPACT_AT = 8;

/**
 * A week or month is rolled up when its days hold at least this many bytes of lists: below it a
 * report reads the days about as fast as one blob (a day of a 1,000-hit site is ~20 KB), and
 * thousands of small sites on one log would each pay a rollup at every ingest.
 */
const ROLLUP_MIN_BYTES = 1024 * 1024;
/**
 * ...and at most this many: building one holds the running sum, a day's blob and the new blob
 * (the 110 MB week of the bench's 10M-line log added 82 MB to that ingest's peak RSS), and an
 * ingest must stay within its memory. Larger periods are read day by
 * day, as before rollups; rollup rows split by key-hash range would lift the limit.
 */
const ROLLUP_MAX_BYTES = 64 * 1024 * 1024;
/**
 * Open pieces of a site-day holding this many bytes are merged in two steps (#compactOpenStepwise):
 * memory then stays near the larger kind of blobs; below it one read of every blob is cheaper (a
 * shared host's small site-days, thousands per compaction).
 */
const STEPWISE_BYTES = 16 * 1024 * 1024;
/**
 * A piece's visit intervals are stored in rows of at most this many bytes (schema v12): writing a
 * row costs twice its size in transient copies (SQLite's bound copy and its record), so a busy
 * day's 29 MB of joined intervals in one row added 58 MB to the 10M-line ingest's peak RSS.
 */
const VIS_ROW_BYTES = 4 * 1024 * 1024;
/** Site-days compacted in one transaction by compact(). */
const COMPACT_CHUNK = 256;

/** Days are stored as YYYYMMDD integers. */
const dayInt = (date: string): number => Number(date.slice(0, 4)) * 10000 + Number(date.slice(5, 7)) * 100 + Number(date.slice(8, 10));
const dayStr = (d: number): string => {
  const s = String(d);
  return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`;
};

/** Code point order, the same as SQLite's BINARY collation on UTF-8 (and ClickHouse's). */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

function metaOf(row: { policies: string; attribution: string; raw_window_days: number }): SiteMeta {
  return { ...policiesFromJson(row.policies), attribution: JSON.parse(row.attribution) as string[], rawWindowDays: row.raw_window_days };
}

/** The store's schema version; a newer one than this weblog knows is refused. */
function schemaVersion(db: Database.Database): number {
  const v = (db.prepare('SELECT MAX(version) AS v FROM schema_migration').get() as { v: number | null }).v ?? 0;
  if (v > SCHEMA_VERSION) throw appError('ERR_STORE_SCHEMA_NEWER', v, SCHEMA_VERSION);
  return v;
}

export function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migration (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const current = schemaVersion(db);
  const record = db.prepare('INSERT INTO schema_migration (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    db.transaction(() => {
      // Two processes opening a new store at once both read version 0: the one that gets the
      // write lock second finds the migration applied.
      if (m.version <= schemaVersion(db)) return;
      db.exec(m.sql);
      m.run?.(db);
      record.run(m.version, m.name, new Date().toISOString());
    }).immediate();
  }
  if (current > 0 && current < 5) {
    // v5 rewrote every row: rebuild the file once, able from now on to give freed pages back.
    db.pragma('auto_vacuum = INCREMENTAL');
    db.exec('VACUUM');
  } else if (current > 0 && current < 7) {
    // v7 rewrote the segments without their intervals: give the freed pages back.
    db.pragma('incremental_vacuum');
  }
}

export function openSqliteStore(path: string, opts: SqliteStoreOptions): Store {
  let db: Database.Database;
  try {
    prepareSqliteFile(path, { create: !opts.readonly });
    db = new Database(path, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
    db.pragma('busy_timeout = 10000');
    if (!opts.readonly) {
      // Before the first table exists: freed pages can then be given back (incremental_vacuum).
      db.pragma('auto_vacuum = INCREMENTAL');
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('secure_delete = ON');
      migrate(db);
    } else {
      const v = schemaVersion(db);
      if (v < SCHEMA_VERSION) throw appError('ERR_STORE_SCHEMA_OLDER', v, SCHEMA_VERSION);
    }
    // 4 MB of page cache: a commit appends and a report or compaction reads each row once, so
    // a larger cache held memory without saving reads (16 MB measured: +13 MB peak RSS on 1M
    // lines, one site and 5,000 vhosts alike, no faster).
    db.pragma('cache_size = -4096');
    db.pragma('temp_store = MEMORY');
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw appError('ERR_STORE_OPEN', path, (e as Error).message);
  }
  return new SqliteStore(db, path, opts);
}


interface SegRow {
  seq: number;
  gen: string;
  hits: number;
  pages: number;
  bytes: number;
  bots: number;
  ftp_transfers: number;
  ftp_bytes: number;
  visitors: number;
  visits: number;
  bounces: number;
  visit_seconds: number;
  lists: Buffer;
  vis: Buffer | null;
}

function totalsOf(r: Omit<SegRow, 'lists' | 'vis'>): Float64Array {
  const totals = new Float64Array(TOTAL_FIELDS);
  totals[0] = r.hits;
  totals[1] = r.pages;
  totals[2] = r.bytes;
  totals[3] = r.bots;
  totals[4] = r.ftp_transfers;
  totals[5] = r.ftp_bytes;
  return totals;
}

/** A placeholder for a row's lists blob, filled in by the same transaction. */
const NO_LISTS = Buffer.alloc(0);

function segmentOf(r: Omit<SegRow, 'lists'> & { lists: Buffer | null }): DaySegment {
  const totals = totalsOf(r);
  // A day covered by a rollup: its lists are read from the rollup.
  const l = r.lists === null ? { lists: new Map<number, ListSegment>(), others: new Map<number, { hits: number; bytes: number }>() } : decodeLists(r.lists);
  return {
    totals,
    lists: l.lists,
    others: l.others,
    visits: r.vis === null ? null : decodeVisits(r.vis),
    summary: { visitors: r.visitors, visits: r.visits, bounces: r.bounces, visitSeconds: r.visit_seconds },
  };
}

class SqliteStore implements Store {
  readonly location: string;
  readonly #db: Database.Database;
  readonly #timeout: number;
  readonly #readonly: boolean;
  readonly #siteIds = new Map<string, number>();
  readonly #hasher: KeyHasher;
  /** Segments this process appended per (site id, day, gen) since they were last compacted. */
  readonly #written = new WrittenPieces(COMPACT_AT);
  readonly #rollupMin: number;
  readonly #stepwiseBytes: number;
  readonly #visRow: number;
  /** The site metadata last written per site: a commit that brings the same skips the write. */
  readonly #metaWritten = new Map<string, string>();
  readonly #st;

  constructor(db: Database.Database, path: string, opts: SqliteStoreOptions) {
    this.#db = db;
    this.location = path;
    this.#timeout = opts.visitTimeoutSec;
    this.#readonly = opts.readonly ?? false;
    this.#rollupMin = opts.rollupMinBytes ?? ROLLUP_MIN_BYTES;
    this.#stepwiseBytes = opts.stepwiseBytes ?? STEPWISE_BYTES;
    this.#visRow = opts.visRowBytes ?? VIS_ROW_BYTES;
    const p = <T = unknown>(sql: string) => db.prepare<unknown[], T>(sql);
    if (!this.#readonly) db.prepare('INSERT OR IGNORE INTO store_meta (key, value) VALUES (?, ?)').run('hash_seed', String(randomInt(2 ** 31)));
    const seed = db.prepare<[], { value: string }>("SELECT value FROM store_meta WHERE key = 'hash_seed'").get();
    this.#hasher = new KeyHasher(Number(seed?.value ?? 0));
    this.#st = {
      siteGet: p<{ id: number; policies: string; attribution: string; raw_window_days: number }>(
        'SELECT id, policies, attribution, raw_window_days FROM site WHERE name = ?',
      ),
      siteMeta: p('UPDATE site SET policies = ?, attribution = ?, raw_window_days = ? WHERE id = ?'),
      rawPut: p('INSERT OR REPLACE INTO raw_file (site, day, bytes, lines) VALUES (?, ?, ?, ?)'),
      rawAll: p<RawFileSize>('SELECT site, day, bytes, lines FROM raw_file ORDER BY day, site'),
      rawDel: p('DELETE FROM raw_file WHERE site = ? AND day = ?'),
      siteAdd: p('INSERT INTO site (name, created_at) VALUES (?, ?)'),
      sites: p<{ name: string }>('SELECT s.name FROM site s WHERE EXISTS (SELECT 1 FROM seg t WHERE t.site_id = s.id) ORDER BY s.name'),
      segPut: p(`INSERT INTO seg (site_id, day, gen, hits, pages, bytes, bots, ftp_transfers, ftp_bytes, visitors, visits, bounces, visit_seconds, lists)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      visPut: p('INSERT INTO seg_vis (seq, part, vis) VALUES (?, ?, ?)'),
      visParts: p<{ vis: Buffer }>('SELECT vis FROM seg_vis WHERE seq = ? ORDER BY part'),
      // Open pieces (with intervals) and closed ones apart: a busy day's blobs are read once, and
      // only when there are two pieces of a kind to merge (piecesOfDay reads no blob).
      // length() of a blob is read from its row header, without its pages.
      piecesOfDay: p<{ open: number | null; closed: number | null; open_bytes: number | null }>(
        `SELECT SUM(v.seq IS NOT NULL) AS open, SUM(v.seq IS NULL) AS closed,
           SUM(length(g.lists) + (SELECT SUM(length(x.vis)) FROM seg_vis x WHERE x.seq = g.seq)) FILTER (WHERE v.seq IS NOT NULL) AS open_bytes
         FROM seg g LEFT JOIN seg_vis v ON v.seq = g.seq AND v.part = 0 WHERE g.site_id = ? AND g.day = ? AND g.gen = ?`,
      ),
      openOfDay: p<Omit<SegRow, 'vis'>>('SELECT g.* FROM seg g JOIN seg_vis v ON v.seq = g.seq AND v.part = 0 WHERE g.site_id = ? AND g.day = ? AND g.gen = ? ORDER BY g.seq'),
      openMetaOfDay: p<Omit<SegRow, 'lists' | 'vis'>>(
        `SELECT g.seq, g.gen, g.hits, g.pages, g.bytes, g.bots, g.ftp_transfers, g.ftp_bytes, g.visitors, g.visits, g.bounces, g.visit_seconds
         FROM seg g JOIN seg_vis v ON v.seq = g.seq AND v.part = 0 WHERE g.site_id = ? AND g.day = ? AND g.gen = ? ORDER BY g.seq`,
      ),
      segListsSet: p('UPDATE seg SET lists = ? WHERE seq = ?'),
      closedOfDay: p<SegRow>(
        'SELECT g.*, NULL AS vis FROM seg g WHERE g.site_id = ? AND g.day = ? AND g.gen = ? AND NOT EXISTS (SELECT 1 FROM seg_vis v WHERE v.seq = g.seq) ORDER BY g.seq',
      ),
      segDel: p('DELETE FROM seg WHERE seq = ?'),
      undeduplicated: p<{ name: string; day: number }>(
        `SELECT s.name, t.day FROM seg t JOIN site s ON s.id = t.site_id WHERE t.day BETWEEN ? AND ? AND t.gen != ''
         GROUP BY t.site_id, t.day HAVING COUNT(DISTINCT t.gen) > 1 ORDER BY s.name, t.day`,
      ),
      // A report needs a piece's visit intervals only to join them with another open piece of its
      // day (not compacted yet); otherwise its stored counts say it all, so the intervals (the
      // larger blob: 265 of 428 MB on a 30-day, 10M-hit store) are read only then (segVis).
      // The lists too are read apart (segLists): not for days a rollup covers.
      segRange: p<Omit<SegRow, 'vis' | 'lists'> & { day: number; open: number }>(
        `SELECT seq, site_id, day, gen, hits, pages, bytes, bots, ftp_transfers, ftp_bytes, visitors, visits, bounces, visit_seconds,
         EXISTS (SELECT 1 FROM seg_vis v WHERE v.seq = seg.seq) AS open FROM seg WHERE site_id = ? AND day BETWEEN ? AND ? ORDER BY day, seq`,
      ),
      segLists: p<{ lists: Buffer }>('SELECT lists FROM seg WHERE seq = ?'),
      rollupRange: p<{ id: number; first: number; last: number }>(
        'SELECT id, first_day AS first, last_day AS last FROM seg_rollup WHERE site_id = ? AND first_day >= ? AND last_day <= ?',
      ),
      rollupDirectory: p<{ lists: Buffer }>('SELECT lists FROM seg_rollup WHERE id = ?'),
      rollupHeads: p<{ list: number; data: Buffer }>(`SELECT list, data FROM seg_rollup_part WHERE rollup_id = ? AND kind = ${PART_HEAD}`),
      rollupPart: p<{ data: Buffer }>('SELECT data FROM seg_rollup_part WHERE rollup_id = ? AND kind = ? AND list = ?'),
      // Not INSERT OR REPLACE: a row it replaced would not fire the trigger that deletes its parts.
      rollupDel: p('DELETE FROM seg_rollup WHERE site_id = ? AND first_day = ? AND last_day = ?'),
      rollupPut: p('INSERT INTO seg_rollup (site_id, first_day, last_day, lists) VALUES (?, ?, ?, ?)'),
      rollupPartPut: p('INSERT INTO seg_rollup_part (rollup_id, list, kind, data) VALUES (?, ?, ?, ?)'),
      periodSize: p<{ n: number; bytes: number | null; lo: number | null; hi: number | null }>(
        'SELECT COUNT(*) AS n, SUM(length(lists)) AS bytes, MIN(day) AS lo, MAX(day) AS hi FROM seg WHERE site_id = ? AND day BETWEEN ? AND ?',
      ),
      // A day with two open pieces of one generation has its visits joined by the report (entry
      // and exit pages): its stored lists are not the day's, so its period is not rolled up.
      periodJoins: p<{ one: number }>(
        `SELECT 1 AS one FROM seg g JOIN seg_vis v ON v.seq = g.seq AND v.part = 0 WHERE g.site_id = ? AND g.day BETWEEN ? AND ?
         GROUP BY g.day, g.gen HAVING COUNT(*) > 1 LIMIT 1`,
      ),
      periodSeqs: p<{ seq: number }>('SELECT seq FROM seg WHERE site_id = ? AND day BETWEEN ? AND ? ORDER BY seq'),
      writtenUpTo: p<{ n: number }>('SELECT COALESCE(MAX(id), 0) AS n FROM seg_written'),
      writtenDays: p<{ site_id: number; day: number }>('SELECT DISTINCT site_id, day FROM seg_written WHERE id <= ?'),
      writtenPieces: p<{ site_id: number; day: number; gen: string }>(
        `SELECT g.site_id, g.day, g.gen FROM seg g
         JOIN (SELECT DISTINCT site_id, day FROM seg_written WHERE id <= ?) w ON w.site_id = g.site_id AND w.day = g.day
         GROUP BY g.site_id, g.day, g.gen HAVING COUNT(*) > 1`,
      ),
      writtenTake: p('DELETE FROM seg_written WHERE id <= ?'),
      writtenDrop: p('DELETE FROM seg_written WHERE id > ?'),
      writtenKeep: p('INSERT INTO seg_written (site_id, day) VALUES (?, ?)'),
      rollupHas: p<{ id: number }>('SELECT id FROM seg_rollup WHERE site_id = ? AND first_day = ? AND last_day = ?'),
      rejectUp: p(`INSERT INTO rejected (site_id, reason, lines) VALUES (?, ?, ?)
        ON CONFLICT (site_id, reason) DO UPDATE SET lines = lines + excluded.lines`),
      cpAll: p<{ fp_len: number; fp_hash: string; dev: number; ino: number; offset: number; lines: number }>(
        'SELECT fp_len, fp_hash, dev, ino, offset, lines FROM source ORDER BY fp_len DESC, updated_at DESC',
      ),
      cpGet: p<{ offset: number }>('SELECT offset FROM source WHERE fp_len = ? AND fp_hash = ?'),
      cpPut: p(`INSERT OR REPLACE INTO source (fp_len, fp_hash, dev, ino, offset, lines, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`),
      range: p<{ lo: number | null; hi: number | null }>('SELECT MIN(day) AS lo, MAX(day) AS hi FROM seg WHERE site_id = ?'),
      rejected: p<{ reason: string; lines: number }>('SELECT reason, lines FROM rejected WHERE site_id = ? ORDER BY reason'),
      contractEnd: p('UPDATE site SET contract_end = ? WHERE id = ?'),
      retention: p<{ name: string; contract_end: string | null; raw_window_days: number; lo: number | null; hi: number | null }>(
        `SELECT s.name, s.contract_end, s.raw_window_days, MIN(t.day) AS lo, MAX(t.day) AS hi
         FROM site s LEFT JOIN seg t ON t.site_id = s.id GROUP BY s.id ORDER BY s.name`,
      ),
      auditAdd: p('INSERT INTO audit (at, action, site, day, rows, detail) VALUES (?, ?, ?, ?, ?, ?)'),
      auditAll: p<AuditRecord>('SELECT at, action, site, day, rows, detail FROM audit ORDER BY id'),
    };
  }

  #siteId(name: string): number {
    let id = this.#siteIds.get(name);
    if (id !== undefined) return id;
    const row = this.#st.siteGet.get(name);
    id = row ? row.id : Number(this.#st.siteAdd.run(name, new Date().toISOString()).lastInsertRowid);
    this.#siteIds.set(name, id);
    return id;
  }

  #writeMeta(name: string, meta: SiteMeta): void {
    // A shared host's log brings thousands of sites per batch, nearly always with what is stored.
    const seen = JSON.stringify([policiesToJson(meta), meta.attribution, meta.rawWindowDays]);
    if (this.#metaWritten.get(name) === seen) return;
    this.#metaWritten.set(name, seen);
    const id = this.#siteId(name);
    const m = mergeSiteMeta(metaOf(this.#st.siteGet.get(name)!), meta);
    this.#st.siteMeta.run(policiesToJson(m), JSON.stringify(m.attribution), m.rawWindowDays, id);
  }

  #put(siteId: number, day: number, gen: string, s: DaySegment): void {
    this.#insert(siteId, day, gen, { totals: s.totals, summary: s.summary, lists: encodeLists([...s.lists.values()], s.others), vis: s.visits === null ? null : encodeVisits(s.visits) });
  }

  /** Appends one piece of a site-day: its row, and its visit intervals while they are open. */
  #insert(siteId: number, day: number, gen: string, e: EncodedSegment): number {
    const t = e.totals;
    const sm = e.summary;
    const seq = Number(this.#st.segPut.run(siteId, day, gen, t[0], t[1], t[2], t[3], t[4], t[5], sm.visitors, sm.visits, sm.bounces, sm.visitSeconds, e.lists).lastInsertRowid);
    if (e.vis !== null) {
      // In rows of at most #visRow bytes: SQLite copies a bound blob and then builds its record,
      // two transient copies of the row (a busy day's 29 MB of intervals: +58 MB of peak RSS).
      const row = this.#visRow;
      for (let o = 0, part = 0; part === 0 || o < e.vis.length; o += row, part++) this.#st.visPut.run(seq, part, e.vis.subarray(o, Math.min(o + row, e.vis.length)));
    }
    return seq;
  }

  /** A piece's visit intervals blob, from its rows. */
  #readVis(seq: number): Buffer {
    const rows = this.#st.visParts.all(seq);
    return rows.length === 1 ? rows[0]!.vis : Buffer.concat(rows.map((r) => r.vis));
  }

  /** The open pieces of a site-day, their intervals read. */
  #openOfDay(siteId: number, day: number, gen: string): SegRow[] {
    return this.#st.openOfDay.all(siteId, day, gen).map((r) => ({ ...r, vis: this.#readVis(r.seq) }));
  }

  #checkSource(batch: Batch): void {
    const cp = batch.checkpoint;
    if (cp === null) return;
    const at = (fpLength: number, fpHash: string): number => this.#st.cpGet.get(fpLength, fpHash)?.offset ?? 0;
    // Where the source stands now: under the fingerprint it was resumed by, and under its own.
    const stands = Math.max(cp.from === null ? 0 : at(cp.from.fpLength, cp.from.fpHash), at(cp.fpLength, cp.fpHash));
    const expected = cp.from?.offset ?? 0;
    if (stands !== expected) throw appError('ERR_SOURCE_BUSY', stands, expected);
  }

  #commit = (batch: Batch): void => {
    this.#checkSource(batch);
    for (const [name, meta] of batch.sites) this.#writeMeta(name, meta);
    for (const part of batch.parts) {
      const n = part.site.length;
      if (n === 0 && part.rejected.length === 0) continue;
      const enc = new PartEncoder(part, this.#hasher, this.#timeout);
      for (let sd = 0; sd < n; sd++) {
        if (!isStorableDay(part.day[sd]!)) throw appError('ERR_STORE_WRITE', `day ${part.day[sd]} is outside 1970-01-01 … 2105-12-31`);
        const siteId = this.#siteId(part.site[sd]!);
        const day = dayInt(dayToIso(part.day[sd]!));
        const gen = part.keyGen[sd]!;
        this.#insert(siteId, day, gen, enc.encode(sd));
        this.#written.add(siteId, day, gen);
      }
      for (const r of part.rejected) this.#st.rejectUp.run(r.site === '' ? 0 : this.#siteId(r.site), r.reason, r.lines);
    }
    for (const r of batch.raw) this.#st.rawPut.run(r.site, r.day, r.bytes, r.lines);
    const cp = batch.checkpoint;
    if (cp) this.#st.cpPut.run(cp.fpLength, cp.fpHash, cp.dev, cp.ino, cp.offset, cp.lines, new Date().toISOString());
  };

  /** Merges the segments of one (site, day, gen) into one (visits joined). */
  #compactDay(siteId: number, day: number, gen: string): void {
    const n = this.#st.piecesOfDay.get(siteId, day, gen)!;
    // Open and closed pieces of one generation are merged separately: closed visits cannot be joined.
    if ((n.open ?? 0) >= 2) {
      if ((n.open_bytes ?? 0) >= this.#stepwiseBytes) this.#compactOpenStepwise(siteId, day, gen);
      else this.#replace(siteId, day, gen, this.#openOfDay(siteId, day, gen));
    }
    if ((n.closed ?? 0) >= 2) this.#replace(siteId, day, gen, this.#st.closedOfDay.all(siteId, day, gen));
  }

  /** The pieces replaced by their merge, read and merged at once. */
  #replace(siteId: number, day: number, gen: string, rows: readonly SegRow[]): void {
    const merged = encodeMergedDay(rows.map(segmentOf), this.#timeout, this.#hasher);
    for (const r of rows) this.#st.segDel.run(r.seq);
    this.#insert(siteId, day, gen, merged);
  }

  /**
   * Merges the open pieces of a busy site-day in two steps, visits then lists, each blob read when
   * its step needs it and dropped before the step writes: the day (10M lines, 500k clients: 8
   * pieces, 30 MB of intervals and 31 MB of lists) holds one kind of pieces and its merged blob at
   * a time, not both kinds with both blobs and SQLite's copy of them. The same merge as #replace,
   * in the same order, so the rows are byte for byte the same.
   */
  #compactOpenStepwise(siteId: number, day: number, gen: string): void {
    const rows = this.#st.openMetaOfDay.all(siteId, day, gen);
    const { seq, lists } = this.#visitsStep(siteId, day, gen, rows);
    this.#st.segListsSet.run(this.#listsStep(rows, lists), seq);
    for (const r of rows) this.#st.segDel.run(r.seq);
  }

  /**
   * The visits step: the pieces' intervals and urls lists read and joined, and the merged row
   * written with its intervals, its lists left to the lists step (one transaction: nobody sees
   * it half written). Returns what that step needs of the visits; the rest is let go.
   */
  #visitsStep(siteId: number, day: number, gen: string, rows: readonly Omit<SegRow, 'lists' | 'vis'>[]): { seq: number; lists: VisitLists } {
    const owns = rows.map((r) => {
      const u = decodeLists(this.#st.segLists.get(r.seq)!.lists).lists.get(URLS);
      return u === undefined ? undefined : listCopy(u);
    });
    const present = owns.filter((u) => u !== undefined);
    let bytes = 0;
    const pieces = rows.map((r, i) => {
      const b = this.#readVis(r.seq);
      bytes += b.length;
      return { visits: decodeVisits(b), urls: owns[i] };
    });
    const v = joinVisits(pieces, present.length === 0 ? undefined : present.length === 1 ? present[0] : present, this.#timeout, this.#hasher);
    pieces.length = 0;
    releaseBuffers(bytes);
    const totals = new Float64Array(TOTAL_FIELDS);
    for (const r of rows) {
      const t = totalsOf(r);
      for (let f = 0; f < TOTAL_FIELDS; f++) totals[f] = totals[f]! + t[f]!;
    }
    const seq = this.#insert(siteId, day, gen, { totals, summary: v.summary, lists: NO_LISTS, vis: v.vis });
    return { seq, lists: { urls: v.urls, entryExit: v.entryExit } };
  }

  /** The lists step: the pieces' lists read and summed into the day's blob, and let go. */
  #listsStep(rows: readonly { seq: number }[], v: VisitLists): Buffer {
    let bytes = 0;
    const g = groupLists(
      rows.map((r) => {
        const b = this.#st.segLists.get(r.seq)!.lists;
        bytes += b.length;
        return decodeLists(b);
      }),
      true,
    );
    withVisitLists(g.lists, v);
    const blob = encodeListGroups(g.lists, g.others);
    g.lists.clear();
    releaseBuffers(bytes);
    return blob;
  }

  async checkpoints(): Promise<Checkpoint[]> {
    return this.#st.cpAll.all().map((r) => ({ fpLength: r.fp_len, fpHash: r.fp_hash, dev: r.dev, ino: r.ino, offset: r.offset, lines: r.lines }));
  }

  async commit(batch: Batch): Promise<void> {
    try {
      this.#db.transaction(this.#commit).immediate(batch);
    } catch (e) {
      // Ids handed out inside the rolled-back transaction do not exist, nor does what it wrote.
      this.#siteIds.clear();
      this.#metaWritten.clear();
      if (e instanceof AppError) throw e;
      const msg = (e as Error).message;
      if ((e as { code?: string }).code === 'SQLITE_BUSY') throw appError('ERR_STORE_BUSY', msg);
      throw appError('ERR_STORE_WRITE', msg);
    }
    const due = this.#written.takeDue();
    if (due.length > 0) this.#compactKeys(due);
  }

  #compactKeys(keys: readonly SiteDayGen[]): void {
    try {
      this.#db.transaction(() => {
        const marked = this.#st.writtenUpTo.get()!.n;
        for (const k of keys) {
          this.#compactDay(k.site, k.day, k.gen);
          // One piece now, written by this process.
          this.#written.compacted(k);
        }
        // The merged pieces' marks: their site-days are marked by the pieces they replace, and
        // nobody else writes inside this transaction.
        this.#st.writtenDrop.run(marked);
      }).immediate();
    } catch (e) {
      if (e instanceof AppError) throw e;
      throw appError('ERR_STORE_WRITE', (e as Error).message);
    }
  }

  async compact(): Promise<void> {
    if (this.#readonly) return;
    this.#written.clear();
    // The site-days written since the last compaction, by any process (schema v9's trigger).
    const upTo = this.#st.writtenUpTo.get()!.n;
    if (upTo === 0) return;
    // Transactions of a bounded number of site-days, the event loop let go between them: a
    // server compacts while it answers report requests (its hourly purge).
    const due = this.#st.writtenPieces.all(upTo).map((r) => ({ site: r.site_id, day: r.day, gen: r.gen }));
    for (let i = 0; i < due.length; i += COMPACT_CHUNK) {
      this.#compactKeys(due.slice(i, i + COMPACT_CHUNK));
      await setImmediate();
    }
    const today = dayInt(new Date().toISOString().slice(0, 10));
    const written = this.#st.writtenDays.all(upTo);
    // A shared host's site-days share a few days: each day's periods worked out once.
    const known = new Map<number, readonly Period[]>();
    const periodsOfDay = (day: number): readonly Period[] => {
      let p = known.get(day);
      if (p === undefined) known.set(day, (p = periodsOf(day)));
      return p;
    };
    await this.#rollUp(written, periodsOfDay, today);
    // A site-day whose week or month has not ended keeps one mark: its period is rolled up by the
    // first compaction after it ends, whether or not that one writes to it.
    try {
      this.#db.transaction(() => {
        this.#st.writtenTake.run(upTo);
        for (const w of written) if (periodsOfDay(w.day).some((p) => p.last >= today)) this.#st.writtenKeep.run(w.site_id, w.day);
      }).immediate();
    } catch (e) {
      throw appError('ERR_STORE_WRITE', (e as Error).message);
    }
    this.#reclaim();
  }

  /**
   * Rolls up the ended weeks and months of the written site-days whose days hold enough list bytes,
   * and takes the heads of the busy ones of those days (rollups.ts). A period with a day whose
   * visits still have to be joined is left to the days.
   */
  async #rollUp(written: readonly { site_id: number; day: number }[], periodsOfDay: (day: number) => readonly Period[], today: number): Promise<void> {
    // Each week with its written days: a day's heads are looked for only when its week holds
    // enough bytes (a shared host writes thousands of site-days, few of them busy: a lookup each
    // for 35,000 site-days cost 0.23–0.36 s, and a period each 10 MB of peak RSS, on 5,000 vhosts).
    const periods = new Map<string, { site: number; first: number; last: number; days: number[] }>();
    for (const w of written) {
      periodsOfDay(w.day).forEach((p, i) => {
        const k = `${w.site_id}:${p.first}:${p.last}`;
        let e = periods.get(k);
        if (e === undefined) periods.set(k, (e = { site: w.site_id, first: p.first, last: p.last, days: [] }));
        if (i === 0 && w.day < today) e.days.push(w.day);
      });
    }
    try {
      // Most periods of a shared host are too small: told by reads, without a write transaction,
      // and all in one read transaction (each statement on its own took and released SQLite's
      // file locks: ~40,000 fcntl calls for 5,000 sites).
      const due = this.#db
        .transaction(() => {
          const out: { site: number; first: number; last: number }[] = [];
          for (const p of periods.values()) {
            if (p.last >= today && p.days.length === 0) continue;
            const size = this.#st.periodSize.get(p.site, p.first, p.last)!;
            if (p.last < today && this.#rollable(p.site, p.first, p.last, size)) out.push(p);
            if (p.days.length === 0 || (size.bytes ?? 0) < this.#rollupMin) continue;
            for (const d of p.days) if (this.#rollable(p.site, d, d)) out.push({ site: p.site, first: d, last: d });
          }
          return out;
        })
        .deferred();
      for (const { site, first, last } of due) {
        this.#db.transaction(() => {
          // Again under the write lock: another process may have written to its days meanwhile.
          if (!this.#rollable(site, first, last)) return;
          const seqs = this.#st.periodSeqs.all(site, first, last);
          let i = 0;
          const day = isDay({ first, last });
          const lists = day
            ? this.#st.segLists.get(seqs[0]!.seq)!.lists
            : sumPeriod(() => {
                if (i >= seqs.length) return null;
                const blob = this.#st.segLists.get(seqs[i++]!.seq)!.lists;
                return { lists: decodeLists(blob), bytes: blob.length };
              }, releaseBuffers);
          const { directory, parts } = rollupParts(decodeLists(lists), { bodies: !day });
          this.#st.rollupDel.run(site, first, last);
          const id = this.#st.rollupPut.run(site, first, last, directory).lastInsertRowid;
          for (const part of parts) this.#st.rollupPartPut.run(id, part.list, part.kind, part.data);
          // The period's lists (a busy day's: 30 MB on 10M lines) die here, not at the next batch.
          releaseBuffers(lists.length);
        }).immediate();
        // One period per transaction; readers get their turn between them.
        await setImmediate();
      }
    } catch (e) {
      if (e instanceof AppError) throw e;
      throw appError('ERR_STORE_WRITE', (e as Error).message);
    }
  }

  /** Whether a site's period is to be rolled up now (rollups.ts); `size`: its days' pieces and bytes, when already read. */
  #rollable(site: number, first: number, last: number, size = this.#st.periodSize.get(site, first, last)!): boolean {
    // A day's rollup stands for its one piece (two are compacted or of two generations); a week's
    // or month's sums two or more.
    if ((isDay({ first, last }) ? size.n !== 1 : size.n < 2) || (size.bytes ?? 0) < this.#rollupMin || size.bytes! > ROLLUP_MAX_BYTES) return false;
    // Still standing: none of its days changed since it was built (the triggers).
    if (this.#st.rollupHas.get(site, first, last) !== undefined) return false;
    if (!worthRolling({ first, last }, size.lo!, size.hi!)) return false;
    // A day whose visits still have to be joined is left to the days.
    return this.#st.periodJoins.get(site, first, last) === undefined;
  }

  async closeVisits(cutoffOf: (windowDays: number) => string, at: Date): Promise<number> {
    const db = this.#db;
    const windows = db.prepare<[], { w: number }>('SELECT DISTINCT raw_window_days AS w FROM site').all().map((r) => r.w);
    const perSite = new Map<string, number>();
    let closed = 0;
    db.transaction(() => {
      for (const w of windows) {
        const cutoff = dayInt(cutoffOf(w));
        // Pieces of one generation not joined yet are joined first: their visits may overlap.
        const groups = db
          .prepare<[number, number], { site_id: number; name: string; day: number; gen: string; n: number }>(
            `SELECT g.site_id, s.name, g.day, g.gen, COUNT(*) AS n FROM seg_vis v JOIN seg g ON g.seq = v.seq JOIN site s ON s.id = g.site_id
             WHERE v.part = 0 AND g.day < ? AND s.raw_window_days = ? GROUP BY g.site_id, g.day, g.gen`,
          )
          .all(cutoff, w);
        for (const r of groups) {
          if (r.n > 1) {
            const rows = this.#openOfDay(r.site_id, r.day, r.gen);
            const merged = closeSegment(mergeDaySegments(rows.map(segmentOf), this.#timeout, this.#hasher));
            for (const x of rows) this.#st.segDel.run(x.seq);
            this.#put(r.site_id, r.day, r.gen, merged);
          }
          perSite.set(r.name, (perSite.get(r.name) ?? 0) + 1);
          closed++;
        }
        // One piece per day now: its lists and counts already are the day's; only the intervals go.
        db.prepare(
          `DELETE FROM seg_vis WHERE seq IN (SELECT v.seq FROM seg_vis v JOIN seg g ON g.seq = v.seq
           WHERE g.day < ? AND g.site_id IN (SELECT id FROM site WHERE raw_window_days = ?))`,
        ).run(cutoff, w);
      }
      const now = at.toISOString();
      for (const [site, n] of perSite) {
        this.#st.auditAdd.run(now, 'close-visits', site, null, n, `visitor intervals of ${n} day(s) past the raw window dropped; their counts are kept`);
      }
    }).immediate();
    if (closed > 0) this.#reclaim();
    return closed;
  }

  /** Gives pages freed by rewrites back to the file system (auto_vacuum = INCREMENTAL). */
  #reclaim(): void {
    this.#db.pragma('incremental_vacuum');
  }

  async sites(): Promise<string[]> {
    return this.#st.sites.all().map((r) => r.name);
  }

  async undeduplicatedDays(from: string, to: string): Promise<{ site: string; day: string }[]> {
    return this.#st.undeduplicated.all(dayInt(from), dayInt(to)).map((r) => ({ site: r.name, day: dayStr(r.day) }));
  }

  async query(q: ReportQuery): Promise<StoredReport | null> {
    const row = this.#st.siteGet.get(q.site);
    if (!row) return null;
    const site = row.id;
    const range = this.#st.range.get(site)!;
    // A site can exist with rejected lines only: then the range defaults to today.
    const today = dayInt(new Date().toISOString().slice(0, 10));
    const lo = q.from ? dayInt(q.from) : (range.lo ?? (q.to ? dayInt(q.to) : today));
    const hi = q.to ? dayInt(q.to) : (range.hi ?? (q.from ? dayInt(q.from) : today));
    // One read transaction for the whole report: a rollup's whole list may be read late, when its
    // head cannot decide (range-lists.ts), and must be the one its head came from.
    return this.#db.transaction(() => this.#report(q, row, lo, hi)).deferred();
  }

  #report(q: ReportQuery, row: { id: number; policies: string; attribution: string; raw_window_days: number }, lo: number, hi: number): StoredReport {
    const site = row.id;
    // Weeks and months rolled up inside the range: their days' lists are not read.
    const rollups = chooseRollups(this.#st.rollupRange.all(site, lo, hi), lo, hi);
    const head = this.#st.segRange.all(site, lo, hi);
    const dayGen = (r: { day: number; gen: string }): string => `${r.day}\u0000${r.gen}`;
    const openPieces = new Map<string, number>();
    for (const r of head) if (r.open === 1) openPieces.set(dayGen(r), (openPieces.get(dayGen(r)) ?? 0) + 1);
    // A day's rollup stands for the day's one piece: its lists are that rollup's whole lists.
    const seqOfDay = new Map(head.map((r) => [r.day, r.seq]));
    const rows: (Omit<SegRow, 'lists'> & { lists: Buffer | null; day: number })[] = head.map((r) => ({
      ...r,
      lists: covers(rollups, r.day) ? null : this.#st.segLists.get(r.seq)!.lists,
      vis: r.open === 1 && openPieces.get(dayGen(r))! > 1 ? this.#readVis(r.seq) : null,
    }));
    const rejected: Record<string, number> = {};
    for (const r of this.#st.rejected.all(site)) rejected[r.reason] = r.lines;
    const days: StoredDay[] = [];
    const undeduplicated: string[] = [];
    /** Segments whose lists count, per list id; entry/exit lists of days whose visits were joined come from the join. */
    const listsOf = new Map<number, ListSegment[]>();
    const addList = (l: ListSegment): void => {
      const a = listsOf.get(l.id);
      if (a === undefined) listsOf.set(l.id, [l]);
      else a.push(l);
    };
    const others: Partial<Record<ListName, Counter>> = {};
    const nameOf = new Map<number, ListName>(LIST_NAMES.map((n) => [LIST_IDS[n], n]));
    const addOthers = (from: ReadonlyMap<number, { hits: number; bytes: number }>): void => {
      for (const [id, c] of from) {
        const name = nameOf.get(id);
        if (name === undefined) continue;
        const o = (others[name] ??= { hits: 0, bytes: 0 });
        o.hits += c.hits;
        o.bytes += c.bytes;
      }
    };
    // Each rollup's lists: the directory, and the heads (rollup-parts.ts).
    const rolledOf = new Map<number, RolledList[]>();
    const rolledIps: KeyHashes[] = [];
    for (const p of rollups) {
      const dir = decodeDirectory(this.#st.rollupDirectory.get(p.id)!.lists);
      addOthers(dir.others);
      let dayLists: DecodedLists | undefined;
      const body = isDay(p)
        ? (list: number) => (dayLists ??= decodeLists(this.#st.segLists.get(seqOfDay.get(p.first)!)!.lists)).lists.get(list)!
        : (list: number) => decodeLists(this.#st.rollupPart.get(p.id, PART_BODY, list)!.data).lists.get(list)!;
      for (const { list, data } of this.#st.rollupHeads.all(p.id)) {
        const info = dir.lists.get(list);
        if (info === undefined) continue;
        const head = decodeLists(data).lists.get(list)!;
        const whole = info.headN === info.n ? () => head : () => body(list);
        const r: RolledList = { info, head, whole };
        const a = rolledOf.get(list);
        if (a === undefined) rolledOf.set(list, [r]);
        else a.push(r);
        if (list === LIST_IDS.ips) rolledIps.push(info.headN === info.n ? head : decodeHashes(this.#st.rollupPart.get(p.id, PART_HASHES, list)!.data));
      }
    }
    for (let i = 0; i < rows.length; ) {
      const day = rows[i]!.day;
      let j = i;
      while (j < rows.length && rows[j]!.day === day) j++;
      const dayRows = rows.slice(i, j);
      i = j;
      const d: StoredDay = { date: dayStr(day), hits: 0, visitors: 0, visits: 0, pages: 0, bytes: 0, bots: 0, ftpTransfers: 0, ftpBytes: 0, bounces: 0, visitSeconds: 0 };
      const gens = new Map<string, (typeof rows)[number][]>();
      for (const r of dayRows) {
        d.hits += r.hits;
        d.pages += r.pages;
        d.bytes += r.bytes;
        d.bots += r.bots;
        d.ftpTransfers += r.ftp_transfers;
        d.ftpBytes += r.ftp_bytes;
        const g = gens.get(r.gen);
        if (g === undefined) gens.set(r.gen, [r]);
        else g.push(r);
      }
      const addSummary = (s: VisitSummaryCounts): void => {
        d.visitors += s.visitors;
        d.visits += s.visits;
        d.bounces += s.bounces;
        d.visitSeconds += s.visitSeconds;
      };
      for (const [, g] of gens) {
        // Intervals were read only where open pieces are joined (see segRange).
        const open = g.filter((r) => r.vis !== null);
        const segs = g.map(segmentOf);
        for (const s of segs) {
          for (const [id, l] of s.lists) if (!(open.length > 1 && (id === ENTRY || id === EXIT) && s.visits !== null)) addList(l);
          addOthers(s.others);
        }
        if (open.length > 1) {
          // Pieces of one generation not compacted yet: join their visits now.
          const joined = mergeDaySegments(segs.filter((s) => s.visits !== null), this.#timeout, this.#hasher);
          addSummary(joined.summary);
          for (const id of [ENTRY, EXIT]) {
            const l = joined.lists.get(id);
            if (l) addList(l);
          }
          for (const s of segs) if (s.visits === null) addSummary(s.summary);
        } else for (const s of segs) addSummary(s.summary);
      }
      const visitorGens = [...gens.keys()].filter((g) => g !== '');
      if (visitorGens.length > 1) undeduplicated.push(d.date);
      days.push(d);
    }
    const top = {} as Record<ListName, StoredRow[]>;
    const sums: Partial<Record<ListName, Counter>> = {};
    const decoder = new TextDecoder();
    for (const name of LIST_NAMES) {
      const id = LIST_IDS[name];
      const timed = name === 'slowPages';
      const rows = rowsOf(name, q.top);
      const limit = rows > 0 ? rows : -1;
      const r = rangeList(listsOf.get(id) ?? [], rolledOf.get(id) ?? [], { limit, min: q.minHits?.[name] ?? 0, byTime: timed });
      if (r.sums !== null) sums[name] = r.sums;
      const out: StoredRow[] = r.rows.map((c) => ({
        key: decoder.decode(c.key),
        hits: c.hits,
        bytes: c.bytes,
        ...(timed ? { totalMs: c.timeSum / 1000, maxMs: c.timeMax / 1000 } : {}),
      }));
      if (timed) out.sort((a, b) => b.totalMs! - a.totalMs! || compareKeys(a.key, b.key));
      else out.sort((a, b) => b.hits - a.hits || compareKeys(a.key, b.key));
      if (limit >= 0 && out.length > limit) out.length = limit;
      top[name] = out;
    }
    const distinctIps = rangeDistinct(listsOf.get(LIST_IDS.ips) ?? [], rolledIps);
    // In list order, whatever order the segments held them in: another store gives the same JSON.
    const othersInOrder: Partial<Record<ListName, Counter>> = {};
    for (const name of LIST_NAMES) if (others[name] !== undefined) othersInOrder[name] = others[name];
    return { site: q.site, from: dayStr(lo), to: dayStr(hi), meta: metaOf(row), days, distinctIps, top, sums, others: othersInOrder, rejected, undeduplicatedDays: undeduplicated };
  }

  async setContractEnd(site: string, date: string | null): Promise<void> {
    this.#db.transaction(() => this.#st.contractEnd.run(date, this.#siteId(site)))();
  }

  async retention(): Promise<SiteRetention[]> {
    return this.#st.retention.all().map((r) => ({
      site: r.name,
      contractEnd: r.contract_end,
      rawWindowDays: r.raw_window_days,
      firstDay: r.lo === null ? null : dayStr(r.lo),
      lastDay: r.hi === null ? null : dayStr(r.hi),
    }));
  }

  async deleteSite(site: string, action: string, detail: string, at: Date): Promise<number> {
    const row = this.#st.siteGet.get(site);
    if (!row) return 0;
    const rows = this.#db.transaction(() => {
      let n = 0;
      for (const t of ['seg', 'rejected']) n += this.#db.prepare(`DELETE FROM ${t} WHERE site_id = ?`).run(row.id).changes;
      n += this.#db.prepare('DELETE FROM site WHERE id = ?').run(row.id).changes;
      // Its marks for the next compaction (not counted: which days were written, no data of them).
      this.#db.prepare('DELETE FROM seg_written WHERE site_id = ?').run(row.id);
      this.#st.auditAdd.run(at.toISOString(), action, site, null, n, detail);
      return n;
    })();
    this.#siteIds.delete(site);
    this.#written.forgetSite(row.id);
    this.#metaWritten.delete(site);
    // secure_delete zeroed the rows' cells; a checkpoint moves the WAL's copies into the main file
    // and truncates the WAL, so no deleted value stays readable in either file.
    this.#db.pragma('wal_checkpoint(TRUNCATE)');
    return rows;
  }

  async rawFiles(): Promise<RawFileSize[]> {
    return this.#st.rawAll.all();
  }

  async forgetRawFile(site: string, day: string, audit: AuditRecord): Promise<void> {
    this.#db.transaction(() => {
      this.#st.rawDel.run(site, day);
      this.#st.auditAdd.run(audit.at, audit.action, audit.site, audit.day, audit.rows, audit.detail);
    })();
  }

  async addAudit(records: readonly AuditRecord[]): Promise<void> {
    this.#db.transaction(() => {
      for (const r of records) this.#st.auditAdd.run(r.at, r.action, r.site, r.day, r.rows, r.detail);
    })();
  }

  async audit(): Promise<AuditRecord[]> {
    return this.#st.auditAll.all();
  }

  async close(): Promise<void> {
    if (!this.#db.open) return;
    try {
      // Folds the WAL into the file so deleted rows leave no copy behind; committed data is safe
      // in the WAL either way, so a failure here (disk full) must not hide the real error.
      if (!this.#readonly) this.#db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // The next open checkpoints again.
    }
    this.#db.close();
  }
}

