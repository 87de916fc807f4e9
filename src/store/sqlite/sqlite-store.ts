/**
 * The embedded store: one SQLite file through better-sqlite3, WAL mode.
 *
 * A batch commit is one transaction holding the batch's deltas and its checkpoint, so a crash
 * leaves either both or neither, and a rerun resumes exactly after the last committed line.
 * `secure_delete` is on so that deleted rows leave no readable bytes behind (privacy issue).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Batch, Checkpoint, Counter, DayDelta, RawFileSize, SiteMeta } from '../../aggregate/delta.js';
import { mergeVisitors } from '../../aggregate/visitor-state.js';
import { AppError, appError } from '../../core/errors.js';
import { LIST_IDS, LIST_NAMES, type ListName } from '../../core/lists.js';
import type { AuditRecord, ReportQuery, SiteRetention, Store, StoredDay, StoredReport, StoredRow } from '../store.js';
import { decodeSegment, encodeSegment, idSums, mergeFrom, mergeSegments, segmentOf, topCandidates } from './list-segments.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';

export interface SqliteStoreOptions {
  /** Seconds of inactivity that end a visit (needed to merge a day's visits across batches). */
  readonly visitTimeoutSec: number;
  readonly readonly?: boolean;
}

const DIM_CACHE_LIMIT = 65_536;

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
      db.exec(m.sql);
      m.run?.(db);
      record.run(m.version, m.name, new Date().toISOString());
    })();
  }
}

export function openSqliteStore(path: string, opts: SqliteStoreOptions): Store {
  let db: Database.Database;
  try {
    if (!opts.readonly) mkdirSync(dirname(path), { recursive: true });
    db = new Database(path, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
    db.pragma('busy_timeout = 10000');
    if (!opts.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('secure_delete = ON');
      migrate(db);
    } else {
      const v = schemaVersion(db);
      if (v < SCHEMA_VERSION) throw appError('ERR_STORE_SCHEMA_OLDER', v, SCHEMA_VERSION);
    }
    db.pragma('cache_size = -16384');
    db.pragma('temp_store = MEMORY');
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw appError('ERR_STORE_OPEN', path, (e as Error).message);
  }
  return new SqliteStore(db, path, opts);
}

class SqliteStore implements Store {
  readonly location: string;
  readonly #db: Database.Database;
  readonly #timeout: number;
  readonly #readonly: boolean;
  readonly #siteIds = new Map<string, number>();
  /** (site id × 64 + list id) → value → dim id; nested so a lookup builds no key string. */
  readonly #dimIds = new Map<number, Map<string, number>>();
  /** Entries in #dimIds: bounded, so memory follows one batch's keys, not every key ever seen. */
  #dimCount = 0;
  readonly #st;

  constructor(db: Database.Database, path: string, opts: SqliteStoreOptions) {
    this.#db = db;
    this.location = path;
    this.#timeout = opts.visitTimeoutSec;
    this.#readonly = opts.readonly ?? false;
    const p = <T = unknown>(sql: string) => db.prepare<unknown[], T>(sql);
    this.#st = {
      siteGet: p<{ id: number; ip_policy: string; user_policy: string; attribution: string; raw_window_days: number }>(
        'SELECT id, ip_policy, user_policy, attribution, raw_window_days FROM site WHERE name = ?',
      ),
      siteMeta: p('UPDATE site SET ip_policy = ?, user_policy = ?, attribution = ?, raw_window_days = ? WHERE id = ?'),
      rawPut: p('INSERT OR REPLACE INTO raw_file (site, day, bytes, lines) VALUES (?, ?, ?, ?)'),
      rawAll: p<RawFileSize>('SELECT site, day, bytes, lines FROM raw_file ORDER BY day, site'),
      rawDel: p('DELETE FROM raw_file WHERE site = ? AND day = ?'),
      siteAdd: p('INSERT INTO site (name, created_at) VALUES (?, ?)'),
      sites: p<{ name: string }>('SELECT s.name FROM site s WHERE EXISTS (SELECT 1 FROM day_total t WHERE t.site_id = s.id) ORDER BY s.name'),
      dimGet: p<{ id: number }>('SELECT id FROM dim WHERE site_id = ? AND list = ? AND value = ?'),
      dimAdd: p('INSERT INTO dim (site_id, list, value) VALUES (?, ?, ?)'),
      totalUp: p(`INSERT INTO day_total (site_id, day, hits, pages, visits, visitors, bytes, bots, ftp_transfers, ftp_bytes)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (site_id, day) DO UPDATE SET hits = hits + excluded.hits, pages = pages + excluded.pages,
          visits = visits + excluded.visits, visitors = visitors + excluded.visitors, bytes = bytes + excluded.bytes,
          bots = bots + excluded.bots, ftp_transfers = ftp_transfers + excluded.ftp_transfers, ftp_bytes = ftp_bytes + excluded.ftp_bytes`),
      visitorsGet: p<{ ids: Buffer }>('SELECT ids FROM day_visitors WHERE site_id = ? AND day = ?'),
      visitorsPut: p('INSERT OR REPLACE INTO day_visitors (site_id, day, ids) VALUES (?, ?, ?)'),
      segList: p<{ seg: number; n: number }>('SELECT seg, n FROM day_list WHERE site_id = ? AND list = ? AND day = ? ORDER BY seg'),
      segGet: p<{ data: Buffer }>('SELECT data FROM day_list WHERE site_id = ? AND list = ? AND day = ? AND seg = ?'),
      segDel: p('DELETE FROM day_list WHERE site_id = ? AND list = ? AND day = ? AND seg = ?'),
      segPut: p('INSERT INTO day_list (site_id, list, day, seg, n, lo, hi, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      segSize: p<{ n: number | null; lo: number | null; hi: number | null }>(
        'SELECT SUM(n) AS n, MIN(lo) AS lo, MAX(hi) AS hi FROM day_list WHERE site_id = ? AND list = ? AND day BETWEEN ? AND ?',
      ),
      segRange: p<{ data: Buffer }>('SELECT data FROM day_list WHERE site_id = ? AND list = ? AND day BETWEEN ? AND ?'),
      otherUp: p(`INSERT INTO day_other (site_id, list, day, hits, bytes) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (site_id, list, day) DO UPDATE SET hits = hits + excluded.hits, bytes = bytes + excluded.bytes`),
      rejectUp: p(`INSERT INTO rejected (site_id, reason, lines) VALUES (?, ?, ?)
        ON CONFLICT (site_id, reason) DO UPDATE SET lines = lines + excluded.lines`),
      cpGet: p<{ fp_len: number; fp_hash: string; dev: number; ino: number; offset: number; lines: number }>(
        'SELECT fp_len, fp_hash, dev, ino, offset, lines FROM checkpoint WHERE scope = ? ORDER BY fp_len DESC, updated_at DESC',
      ),
      cpPut: p(`INSERT OR REPLACE INTO checkpoint (scope, fp_len, fp_hash, dev, ino, offset, lines, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
      range: p<{ lo: number | null; hi: number | null }>('SELECT MIN(day) AS lo, MAX(day) AS hi FROM day_total WHERE site_id = ?'),
      days: p<{ day: number; hits: number; visitors: number; visits: number; pages: number; bytes: number; bots: number; ftp_transfers: number; ftp_bytes: number }>(
        'SELECT day, hits, visitors, visits, pages, bytes, bots, ftp_transfers, ftp_bytes FROM day_total WHERE site_id = ? AND day BETWEEN ? AND ? ORDER BY day',
      ),
      dimValue: p<{ value: string }>('SELECT value FROM dim WHERE id = ?'),
      dimValues: p<{ id: number; value: string }>('SELECT id, value FROM dim WHERE site_id = ? AND list = ?'),
      others: p<{ list: number; hits: number; bytes: number }>(
        'SELECT list, SUM(hits) AS hits, SUM(bytes) AS bytes FROM day_other WHERE site_id = ? AND day BETWEEN ? AND ? GROUP BY list',
      ),
      rejected: p<{ reason: string; lines: number }>('SELECT reason, lines FROM rejected WHERE site_id = ? ORDER BY reason'),
      contractEnd: p('UPDATE site SET contract_end = ? WHERE id = ?'),
      retention: p<{ name: string; contract_end: string | null; raw_window_days: number; lo: number | null; hi: number | null }>(
        `SELECT s.name, s.contract_end, s.raw_window_days, MIN(t.day) AS lo, MAX(t.day) AS hi
         FROM site s LEFT JOIN day_total t ON t.site_id = s.id GROUP BY s.id ORDER BY s.name`,
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

  #dimsOf(site: number, list: number): Map<string, number> {
    if (this.#dimCount > DIM_CACHE_LIMIT) {
      // Forget them all: a miss is one indexed SELECT, and the next batch refills what it uses.
      this.#dimIds.clear();
      this.#dimCount = 0;
    }
    const k = site * 64 + list;
    let m = this.#dimIds.get(k);
    if (m === undefined) {
      m = new Map();
      this.#dimIds.set(k, m);
    }
    return m;
  }

  #dimId(dims: Map<string, number>, site: number, list: number, value: string): number {
    let id = dims.get(value);
    if (id !== undefined) return id;
    const row = this.#st.dimGet.get(site, list, value);
    id = row ? row.id : Number(this.#st.dimAdd.run(site, list, value).lastInsertRowid);
    dims.set(value, id);
    this.#dimCount++;
    return id;
  }

  #writeDay(d: DayDelta): void {
    const site = this.#siteId(d.site);
    const day = dayInt(d.date);
    let newVisitors = 0;
    let continued = 0;
    if (d.visitors.ids.length > 0) {
      const stored = this.#st.visitorsGet.get(site, day);
      const m = mergeVisitors(stored ? stored.ids : null, d.visitors, this.#timeout);
      newVisitors = m.newVisitors;
      continued = m.continuedVisits;
      this.#st.visitorsPut.run(site, day, m.blob);
    }
    this.#st.totalUp.run(site, day, d.hits, d.pages, d.visits - continued, newVisitors, d.bytes, d.bots, d.ftpTransfers, d.ftpBytes);
    for (const [list, rows] of d.lists) if (rows.size > 0) this.#writeList(site, LIST_IDS[list], day, rows);
    for (const [list, c] of d.others) this.#st.otherUp.run(site, LIST_IDS[list], day, c.hits, c.bytes);
  }

  /** Adds a batch's counts of one list and day as a segment, merging it with stored ones of similar size. */
  #writeList(site: number, lid: number, day: number, rows: Map<string, Counter>): void {
    const dims = this.#dimsOf(site, lid);
    const n = rows.size;
    const ids = new Uint32Array(n);
    const hits = new Float64Array(n);
    const bytes = new Float64Array(n);
    let i = 0;
    for (const [key, c] of rows) {
      ids[i] = this.#dimId(dims, site, lid, key);
      hits[i] = c.hits;
      bytes[i++] = c.bytes;
    }
    let seg = segmentOf(ids, hits, bytes);
    const stored = this.#st.segList.all(site, lid, day);
    const from = mergeFrom(
      stored.map((s) => s.n),
      n,
    );
    let slot = stored.length === 0 ? 0 : stored[stored.length - 1]!.seg + 1;
    for (let k = stored.length - 1; k >= from; k--) {
      const no = stored[k]!.seg;
      seg = mergeSegments(decodeSegment(this.#st.segGet.get(site, lid, day, no)!.data), seg);
      this.#st.segDel.run(site, lid, day, no);
      slot = no;
    }
    const len = seg.ids.length;
    this.#st.segPut.run(site, lid, day, slot, len, seg.ids[0], seg.ids[len - 1], encodeSegment(seg));
  }

  /** The `limit` largest keys of a list over a day range (limit < 0: all), and how many keys it has. */
  #top(site: number, lid: number, lo: number, hi: number, limit: number): { rows: StoredRow[]; distinct: number } {
    const size = this.#st.segSize.get(site, lid, lo, hi)!;
    if (size.n === null) return { rows: [], distinct: 0 };
    const sums = idSums(size.lo!, size.hi!, size.n);
    for (const r of this.#st.segRange.iterate(site, lid, lo, hi)) sums.add(decodeSegment(r.data));
    const c = topCandidates(sums, limit);
    const n = c.ids.length;
    const keys = new Array<string>(n);
    if (n > 2000) {
      // Many keys: one scan of the list's strings beats a lookup each.
      const at = new Map<number, number>();
      for (let i = 0; i < n; i++) at.set(c.ids[i]!, i);
      for (const d of this.#st.dimValues.iterate(site, lid)) {
        const i = at.get(d.id);
        if (i !== undefined) keys[i] = d.value;
      }
    } else for (let i = 0; i < n; i++) keys[i] = this.#st.dimValue.get(c.ids[i]!)!.value;
    const rows: StoredRow[] = new Array(n);
    for (let i = 0; i < n; i++) rows[i] = { key: keys[i]!, hits: c.hits[i]!, bytes: c.bytes[i]! };
    rows.sort((a, b) => b.hits - a.hits || compareKeys(a.key, b.key));
    if (limit >= 0 && rows.length > limit) rows.length = limit;
    return { rows, distinct: sums.size };
  }

  #writeMeta(name: string, meta: SiteMeta): void {
    const id = this.#siteId(name);
    const cur = this.#st.siteGet.get(name)!;
    const join = (old: string, now: string): string => (old === '' || old.split('; ').includes(now) ? (old === '' ? now : old) : `${old}; ${now}`);
    const attribution = [...new Set([...(JSON.parse(cur.attribution) as string[]), ...meta.attribution])];
    this.#st.siteMeta.run(join(cur.ip_policy, meta.ipPolicy), join(cur.user_policy, meta.userPolicy), JSON.stringify(attribution), meta.rawWindowDays, id);
  }

  #commit = (batch: Batch): void => {
    for (const [name, meta] of batch.sites) this.#writeMeta(name, meta);
    for (const d of batch.days) this.#writeDay(d);
    for (const r of batch.rejected) this.#st.rejectUp.run(r.site === '' ? 0 : this.#siteId(r.site), r.reason, r.lines);
    for (const r of batch.raw) this.#st.rawPut.run(r.site, r.day, r.bytes, r.lines);
    const cp = batch.checkpoint;
    if (cp) this.#st.cpPut.run(cp.scope, cp.fpLength, cp.fpHash, cp.dev, cp.ino, cp.offset, cp.lines, new Date().toISOString());
  };

  async checkpoints(scope: string): Promise<Checkpoint[]> {
    return this.#st.cpGet.all(scope).map((r) => ({
      scope,
      fpLength: r.fp_len,
      fpHash: r.fp_hash,
      dev: r.dev,
      ino: r.ino,
      offset: r.offset,
      lines: r.lines,
    }));
  }

  async commit(batch: Batch): Promise<void> {
    const tx = this.#db.transaction(this.#commit);
    try {
      tx.immediate(batch);
    } catch (e) {
      // Ids handed out inside the rolled-back transaction do not exist: forget them.
      this.#siteIds.clear();
      this.#dimIds.clear();
      this.#dimCount = 0;
      const msg = (e as Error).message;
      if ((e as { code?: string }).code === 'SQLITE_BUSY') throw appError('ERR_STORE_BUSY', msg);
      throw appError('ERR_STORE_WRITE', msg);
    }
  }

  async sites(): Promise<string[]> {
    return this.#st.sites.all().map((r) => r.name);
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
    const limit = q.top > 0 ? q.top : -1;
    const read = this.#db.transaction(() => {
      const days: StoredDay[] = this.#st.days.all(site, lo, hi).map((r) => ({
        date: dayStr(r.day),
        hits: r.hits,
        visitors: r.visitors,
        visits: r.visits,
        pages: r.pages,
        bytes: r.bytes,
        bots: r.bots,
        ftpTransfers: r.ftp_transfers,
        ftpBytes: r.ftp_bytes,
      }));
      const top = {} as Record<ListName, StoredRow[]>;
      let distinctIps = 0;
      for (const name of LIST_NAMES) {
        const t = this.#top(site, LIST_IDS[name], lo, hi, limit);
        top[name] = t.rows;
        if (name === 'ips') distinctIps = t.distinct;
      }
      const others: Partial<Record<ListName, Counter>> = {};
      for (const o of this.#st.others.all(site, lo, hi)) {
        const name = LIST_NAMES.find((n) => LIST_IDS[n] === o.list);
        if (name) others[name] = { hits: o.hits, bytes: o.bytes };
      }
      const rejected: Record<string, number> = {};
      for (const r of this.#st.rejected.all(site)) rejected[r.reason] = r.lines;
      return { days, top, others, rejected, distinctIps };
    });
    const r = read.deferred();
    const meta: SiteMeta = {
      ipPolicy: row.ip_policy,
      userPolicy: row.user_policy,
      attribution: JSON.parse(row.attribution) as string[],
      rawWindowDays: row.raw_window_days,
    };
    return { site: q.site, from: dayStr(lo), to: dayStr(hi), meta, ...r };
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
    const tables = ['day_total', 'day_list', 'day_other', 'day_visitors', 'dim', 'rejected'];
    const rows = this.#db.transaction(() => {
      let n = 0;
      for (const t of tables) n += this.#db.prepare(`DELETE FROM ${t} WHERE site_id = ?`).run(row.id).changes;
      this.#db.prepare('DELETE FROM checkpoint WHERE scope = ?').run(`site:${site}`);
      n += this.#db.prepare('DELETE FROM site WHERE id = ?').run(row.id).changes;
      this.#st.auditAdd.run(at.toISOString(), action, site, null, n, detail);
      return n;
    })();
    this.#siteIds.delete(site);
    for (const k of [...this.#dimIds.keys()]) if (Math.floor(k / 64) === row.id) this.#dimIds.delete(k);
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
