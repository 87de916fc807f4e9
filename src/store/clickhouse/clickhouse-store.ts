/**
 * The ClickHouse store: the same Store semantics as the embedded SQLite store, on one server or a
 * sharded cluster, written by any number of concurrent ingest processes.
 *
 * ClickHouse has no multi-statement transactions and no upserts, so the SQLite design (one
 * transaction of integer-keyed upserts) is turned inside out: a commit only *appends* rows, every
 * row tagged with the commit attempt that wrote it, and all merging happens at query time.
 * - Atomicity: the one-row `ledger` entry is inserted after all data rows; queries count only
 *   attempts that have one. A crash mid-batch leaves invisible orphan rows, never half a batch.
 * - Exactly-once: the batch id is derived from the checkpoint (scope, fingerprint, offset, lines).
 *   A batch already in the ledger is skipped; if two attempts of one batch both reached the
 *   ledger (an acknowledgement lost after the write), only the lowest attempt counts.
 * - Visitors and visits: per visitor and batch span rows; distinct visitors are uniqExact over
 *   ids, and visits subtract the spans that continue an earlier batch's visit, with exactly the
 *   rule of aggregate/visitor-state.ts applied in attempt (commit) order.
 */
import { randomInt } from 'node:crypto';
import type { Batch, Checkpoint, Counter, RawFileSize, SiteMeta } from '../../aggregate/delta.js';
import { AppError, appError } from '../../core/errors.js';
import { LIST_IDS, LIST_NAMES, type ListName } from '../../core/lists.js';
import { compareKeys } from '../sqlite/sqlite-store.js';
import type { AuditRecord, ReportQuery, SiteRetention, Store, StoredDay, StoredReport, StoredRow } from '../store.js';
import { ChNode, isTransient, parseClickHouseUrl, withRetry, type ChTarget } from './connection.js';
import { CH_MIGRATIONS, CH_SCHEMA_VERSION, KEY_TABLES, MIGRATION_TABLE, createTable, type DdlContext } from './migrations.js';
import { date, ident, raw, sql, str, u64, type Sql } from './sql.js';

export interface ClickHouseStoreOptions {
  /** Seconds of inactivity that end a visit; stored with each visitor span it applies to. */
  readonly visitTimeoutSec: number;
  readonly readonly?: boolean;
}

type Row = Record<string, unknown>;

/** Tables holding per-site rows: what deleteSite removes. */
const SITE_TABLES = ['day_total', 'day_top', 'day_other', 'visitor_span', 'rejected', 'site_meta', 'site_contract', 'raw_file'] as const;

const PROC_ID = BigInt(randomInt(1 << 14));
let lastMs = 0n;
let seq = 0n;

/**
 * Commit attempt ids: milliseconds << 22 | process id (14 bits) << 8 | sequence. Time ordered, so
 * attempt order is commit order for one writer and wall-clock order across writers.
 */
export function nextAttemptId(): string {
  let ms = BigInt(Date.now());
  if (ms <= lastMs) {
    seq++;
    if (seq > 255n) {
      lastMs++;
      seq = 0n;
    }
    ms = lastMs;
  } else {
    lastMs = ms;
    seq = 0n;
  }
  return ((ms << 22n) | (PROC_ID << 8n) | seq).toString();
}

function isValidDay(d: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) return false;
  const t = new Date(`${d}T00:00:00Z`);
  const y = Number(d.slice(0, 4));
  // ClickHouse's Date covers 1970-01-01 … 2105.
  return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === d && y >= 1970 && y <= 2105;
}

const num = (v: unknown): number => Number(v);

/** The deployment: the node queries go to, the nodes DDL goes to, and table naming. */
export class Deployment {
  readonly main: ChNode;
  readonly ddlNodes: ChNode[];
  readonly db: string;
  readonly clustered: boolean;
  /** `GLOBAL IN` on a cluster: the ledger subquery runs once, on the initiator. */
  readonly in: Sql;

  constructor(readonly target: ChTarget) {
    this.db = target.database;
    this.clustered = target.cluster !== null;
    this.main = new ChNode(target.url, target, undefined);
    this.ddlNodes = target.nodes.length > 0 ? target.nodes.map((u) => new ChNode(u, target, undefined)) : [this.main];
    this.in = raw(this.clustered ? 'GLOBAL IN' : 'IN');
  }

  /** Read/insert name: the Distributed table on a cluster. */
  t(name: string): Sql {
    return sql`${ident(this.db)}.${ident(name)}`;
  }

  tableName(name: string): string {
    return `${this.db}.${name}`;
  }

  /** The table that holds the rows on a node (mutations go there). */
  local(name: string): Sql {
    return sql`${ident(this.db)}.${ident(this.clustered ? `${name}_local` : name)}`;
  }

  get ddl(): DdlContext {
    return { database: this.db, cluster: this.target.cluster, onCluster: this.clustered && this.target.nodes.length === 0 };
  }

  get onCluster(): Sql {
    return this.ddl.onCluster ? sql` ON CLUSTER ${ident(this.target.cluster!)}` : raw('');
  }

  async connect(): Promise<void> {
    try {
      await withRetry(() => this.main.detect());
      for (const n of this.ddlNodes) if (n !== this.main) await withRetry(() => n.detect());
    } catch (e) {
      throw new AppError('ERR_STORE_OPEN', [this.target.location, (e as Error).message], { cause: e });
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.main, ...this.ddlNodes.filter((n) => n !== this.main)].map((n) => n.close()));
  }

  /** Wait until every mutation of `db` has finished on every node (18.16 has no mutations_sync). */
  async awaitMutations(db: string, timeoutMs = 120_000): Promise<void> {
    const t0 = Date.now();
    for (const n of this.ddlNodes) {
      for (;;) {
        const [r] = await n.rows<{ n: string }>(sql`SELECT count() AS n FROM system.mutations WHERE database = ${str(db)} AND is_done = 0`);
        if (num(r?.n) === 0) break;
        if (Date.now() - t0 > timeoutMs) throw new Error(`mutations in ${db} still running after ${timeoutMs} ms`);
        await new Promise((res) => setTimeout(res, 50));
      }
    }
  }
}

/** Apply missing migrations on every DDL node; returns the version before and after. */
export async function migrateDeployment(dep: Deployment): Promise<{ from: number; to: number }> {
  let from = Number.MAX_SAFE_INTEGER;
  const ctx = dep.ddl;
  const plain: DdlContext = { ...ctx, cluster: null, onCluster: false };
  const onDb = ctx.onCluster ? ` ON CLUSTER ${ctx.cluster}` : '';
  const nodes = ctx.onCluster ? [dep.main] : dep.ddlNodes;
  for (const n of nodes) {
    await n.exec(`CREATE DATABASE IF NOT EXISTS ${dep.db}${onDb}`);
    await n.exec(`CREATE DATABASE IF NOT EXISTS ${dep.db}_keys${onDb}`);
    for (const s of createTable(MIGRATION_TABLE, plain)) await n.exec(s);
    const [row] = await n.rows<{ v: string }>(`SELECT max(version) AS v FROM ${dep.db}.schema_migration`);
    const current = num(row?.v ?? 0);
    from = Math.min(from, current);
    if (current > CH_SCHEMA_VERSION) throw appError('ERR_STORE_SCHEMA_NEWER', current, CH_SCHEMA_VERSION);
    for (const m of CH_MIGRATIONS) {
      if (m.version <= current) continue;
      for (const t of m.tables) for (const s of createTable(t, ctx)) await n.exec(s);
      await n.insert(`${dep.db}.schema_migration`, [{ version: m.version, name: m.name, applied_at: chDateTime(new Date()) }]);
    }
    // Keys are per node and never distributed: a key must never travel with the data.
    for (const t of KEY_TABLES) for (const s of createTable(t, { database: `${dep.db}_keys`, cluster: null, onCluster: false })) await n.exec(s);
  }
  return { from, to: CH_SCHEMA_VERSION };
}

export async function schemaVersion(dep: Deployment): Promise<number> {
  const [t] = await dep.main.rows<{ n: string }>(
    sql`SELECT count() AS n FROM system.tables WHERE database = ${str(dep.db)} AND name = 'schema_migration'`,
  );
  if (num(t?.n) === 0) return 0;
  const [row] = await dep.main.rows<{ v: string }>(sql`SELECT max(version) AS v FROM ${dep.t('schema_migration')}`);
  return num(row?.v ?? 0);
}

export function chDateTime(d: Date): string {
  return d.toISOString().slice(0, 19).replace('T', ' ');
}

export async function openDeployment(location: string): Promise<Deployment> {
  const dep = new Deployment(parseClickHouseUrl(location));
  await dep.connect();
  return dep;
}

export async function openClickHouseStore(location: string, opts: ClickHouseStoreOptions): Promise<Store> {
  const dep = await openDeployment(location);
  try {
    if (opts.readonly) {
      const v = await schemaVersion(dep);
      if (v === 0) throw new Error('no weblog schema here: run `weblog store migrate --store URL` or an ingest first');
      if (v > CH_SCHEMA_VERSION) throw appError('ERR_STORE_SCHEMA_NEWER', v, CH_SCHEMA_VERSION);
    } else await withRetry(() => migrateDeployment(dep));
  } catch (e) {
    await dep.close();
    if (e instanceof AppError) throw e;
    throw new AppError('ERR_STORE_OPEN', [dep.target.location, (e as Error).message], { cause: e });
  }
  return new ClickHouseStore(dep, opts);
}

class ClickHouseStore implements Store {
  readonly location: string;
  readonly #dep: Deployment;
  readonly #timeout: number;

  constructor(dep: Deployment, opts: ClickHouseStoreOptions) {
    this.#dep = dep;
    this.location = dep.target.location;
    this.#timeout = opts.visitTimeoutSec;
  }

  /** Committed attempts, restricted to batches that touched `site` (null: all). */
  #winners(site: string | null): Sql {
    const d = this.#dep;
    const where = site === null ? raw('') : sql`WHERE has(sites, ${str(site)})`;
    return sql`attempt ${d.in} (SELECT min(attempt) FROM ${d.t('ledger')} ${where} GROUP BY batch_id)`;
  }

  async #read<T = Row>(q: Sql): Promise<T[]> {
    try {
      return await withRetry(() => this.#dep.main.rows<T>(q));
    } catch (e) {
      throw new AppError('ERR_STORE_READ', [(e as Error).message], { cause: e });
    }
  }

  async checkpoints(scope: string): Promise<Checkpoint[]> {
    const rows = await this.#read<{ fp_len: string; fp_hash: string; dev: number; ino: number; offset: string; lines: string }>(
      sql`SELECT fp_len, fp_hash, argMax(dev, attempt) AS dev, argMax(ino, attempt) AS ino, argMax(offset, attempt) AS offset,
        argMax(lines, attempt) AS lines, max(attempt) AS a
        FROM ${this.#dep.t('ledger')} WHERE scope = ${str(scope)} GROUP BY fp_len, fp_hash ORDER BY fp_len DESC, a DESC`,
    );
    return rows.map((r) => ({
      scope,
      fpLength: num(r.fp_len),
      fpHash: r.fp_hash,
      dev: num(r.dev),
      ino: num(r.ino),
      offset: num(r.offset),
      lines: num(r.lines),
    }));
  }

  #rowsOf(batch: Batch, attempt: string): Map<string, Row[]> {
    const out = new Map<string, Row[]>(['day_total', 'day_top', 'day_other', 'visitor_span', 'rejected', 'site_meta', 'raw_file'].map((t) => [t, []]));
    const totals = out.get('day_total')!;
    const tops = out.get('day_top')!;
    const others = out.get('day_other')!;
    const spans = out.get('visitor_span')!;
    for (const d of batch.days) {
      const base = { site: d.site, day: d.date, attempt };
      totals.push({ ...base, hits: d.hits, pages: d.pages, visits: d.visits, bytes: d.bytes, bots: d.bots, ftp_transfers: d.ftpTransfers, ftp_bytes: d.ftpBytes });
      const v = d.visitors;
      for (let i = 0; i < v.ids.length; i++) spans.push({ site: d.site, day: d.date, visitor: v.ids[i]!, attempt, first: v.first[i]!, last: v.last[i]!, timeout: this.#timeout });
      for (const [list, rows] of d.lists) {
        const lid = LIST_IDS[list];
        for (const [key, c] of rows) tops.push({ site: d.site, list: lid, day: d.date, key, attempt, hits: c.hits, bytes: c.bytes });
      }
      for (const [list, c] of d.others) others.push({ site: d.site, list: LIST_IDS[list], day: d.date, attempt, hits: c.hits, bytes: c.bytes });
    }
    out.get('rejected')!.push(...batch.rejected.map((r) => ({ site: r.site, reason: r.reason, attempt, lines: r.lines })));
    for (const [site, m] of batch.sites) {
      out.get('site_meta')!.push({ site, attempt, ip_policy: m.ipPolicy, user_policy: m.userPolicy, attribution: [...m.attribution], raw_window_days: m.rawWindowDays });
    }
    for (const r of batch.raw) out.get('raw_file')!.push({ site: r.site, day: r.day, attempt, bytes: r.bytes, lines: r.lines });
    return out;
  }

  async #isCommitted(batchId: string, attempt: string | null): Promise<boolean> {
    const d = this.#dep;
    const and = attempt === null ? raw('') : sql` AND attempt = ${u64(attempt)}`;
    const [r] = await d.main.rows<{ n: string }>(sql`SELECT count() AS n FROM ${d.t('ledger')} WHERE batch_id = ${str(batchId)}${and}`);
    return num(r?.n) > 0;
  }

  async commit(batch: Batch): Promise<void> {
    for (const d of batch.days) if (!isValidDay(d.date)) throw appError('ERR_STORE_WRITE', `not a calendar day: ${JSON.stringify(d.date).slice(0, 40)}`);
    const d = this.#dep;
    const cp = batch.checkpoint;
    const batchId = cp ? `cp\u0000${cp.scope}\u0000${cp.fpLength}\u0000${cp.fpHash}\u0000${cp.offset}\u0000${cp.lines}` : null;
    const sites = new Set<string>(batch.sites.keys());
    for (const day of batch.days) sites.add(day.site);
    for (const r of batch.rejected) sites.add(r.site);
    const settings: Record<string, string | number> = d.clustered ? { insert_distributed_sync: 1 } : {};
    const delays = (process.env.WEBLOG_CH_RETRY_MS ?? '200,1000,3000,8000').split(',').map(Number);
    try {
      if (batchId !== null && (await withRetry(() => this.#isCommitted(batchId, null)))) return;
      for (let round = 0; ; round++) {
        // A fresh attempt per round: rows of a failed round may be partly written, and must stay orphans.
        const attempt = nextAttemptId();
        const id = batchId ?? `attempt\u0000${attempt}`;
        try {
          const rows = this.#rowsOf(batch, attempt);
          await Promise.all(
            [...rows].map(([table, values]) =>
              d.main.insert(d.tableName(table), values, { ...settings, ...(d.main.features.dedupToken ? { insert_deduplication_token: `${attempt}-${table}` } : {}) }),
            ),
          );
        } catch (e) {
          if (!isTransient(e) || round >= delays.length) throw e;
          await new Promise((r) => setTimeout(r, delays[round]));
          continue;
        }
        const entry = {
          batch_id: id,
          attempt,
          sites: [...sites],
          scope: cp?.scope ?? '',
          fp_len: cp?.fpLength ?? 0,
          fp_hash: cp?.fpHash ?? '',
          dev: cp?.dev ?? 0,
          ino: cp?.ino ?? 0,
          offset: cp?.offset ?? 0,
          lines: cp?.lines ?? batch.lines,
          committed_at: chDateTime(new Date()),
        };
        // The ledger row is the commit point. A retry first checks whether the lost-ack write landed.
        await withRetry(
          () => d.main.insert(d.tableName('ledger'), [entry], settings),
          async () => {
            if (await this.#isCommitted(id, attempt)) throw Object.assign(new Error('committed'), { committed: true });
          },
        ).catch((e: unknown) => {
          if ((e as { committed?: boolean }).committed !== true) throw e;
        });
        return;
      }
    } catch (e) {
      if (e instanceof AppError) throw e;
      throw new AppError('ERR_STORE_WRITE', [`${d.target.location}: ${(e as Error).message}`], { cause: e });
    }
  }

  async sites(): Promise<string[]> {
    const rows = await this.#read<{ site: string }>(sql`SELECT DISTINCT site FROM ${this.#dep.t('day_total')} WHERE ${this.#winners(null)}`);
    return rows.map((r) => r.site).sort(compareKeys);
  }

  async query(q: ReportQuery): Promise<StoredReport | null> {
    const d = this.#dep;
    const site = str(q.site);
    const w = this.#winners(q.site);
    const [range] = await this.#read<{ lo: string; hi: string; n: string }>(
      sql`SELECT toString(min(day)) AS lo, toString(max(day)) AS hi, count() AS n FROM ${d.t('day_total')} WHERE site = ${site} AND ${w}`,
    );
    if (!range || num(range.n) === 0) return null;
    const lo = q.from ?? range.lo;
    const hi = q.to ?? range.hi;
    const inRange = sql`site = ${site} AND day BETWEEN ${date(lo)} AND ${date(hi)} AND ${w}`;
    const limitBy = q.top > 0 ? sql` LIMIT ${u64(q.top)} BY list` : raw('');
    const [days, visitors, continued, tops, ips, others, rejected, metas] = await Promise.all([
      this.#read<Record<string, string>>(
        sql`SELECT toString(day) AS d, sum(hits) AS hits, sum(pages) AS pages, sum(visits) AS visits, sum(bytes) AS bytes, sum(bots) AS bots,
          sum(ftp_transfers) AS ftp_transfers, sum(ftp_bytes) AS ftp_bytes FROM ${d.t('day_total')} WHERE ${inRange} GROUP BY day ORDER BY day`,
      ),
      this.#read<{ d: string; n: string }>(sql`SELECT toString(day) AS d, uniqExact(visitor) AS n FROM ${d.t('visitor_span')} WHERE ${inRange} GROUP BY day`),
      // Per visitor with spans from several batches: the k-th span (in commit order) continues a
      // visit when it starts within the timeout after the earlier spans' last hit, or overlaps
      // them: visitor-state.ts's rule. Lambdas cannot capture columns on 18.16, hence ARRAY JOIN.
      this.#read<{ d: string; n: string }>(
        sql`SELECT d, sum(c) AS n FROM (
          SELECT toString(day) AS d, toInt64(F[k]) AS f, toInt64(L[k]) AS l, toInt64(T[k]) AS t,
            toInt64(arrayReduce('max', arraySlice(L, 1, k - 1))) AS pl, toInt64(arrayReduce('min', arraySlice(F, 1, k - 1))) AS pf,
            ((f >= pl AND f - pl <= t) OR (f < pl AND l >= pf)) AS c
          FROM (
            SELECT day, arraySort((x, a) -> a, groupArray(first), groupArray(attempt)) AS F,
              arraySort((x, a) -> a, groupArray(last), groupArray(attempt)) AS L,
              arraySort((x, a) -> a, groupArray(timeout), groupArray(attempt)) AS T
            FROM ${d.t('visitor_span')} WHERE ${inRange} GROUP BY day, visitor HAVING count() > 1
          ) ARRAY JOIN arrayEnumerate(F) AS k WHERE k > 1
        ) GROUP BY d`,
      ),
      this.#read<{ list: number; key: string; h: string; b: string }>(
        sql`SELECT list, key, sum(hits) AS h, sum(bytes) AS b FROM ${d.t('day_top')} WHERE ${inRange}
          GROUP BY list, key ORDER BY list, h DESC, key${limitBy}`,
      ),
      this.#read<{ n: string }>(sql`SELECT uniqExact(key) AS n FROM ${d.t('day_top')} WHERE list = ${u64(LIST_IDS.ips)} AND ${inRange}`),
      this.#read<{ list: number; h: string; b: string }>(
        sql`SELECT list, sum(hits) AS h, sum(bytes) AS b FROM ${d.t('day_other')} WHERE ${inRange} GROUP BY list ORDER BY list`,
      ),
      this.#read<{ reason: string; n: string }>(
        sql`SELECT reason, sum(lines) AS n FROM ${d.t('rejected')} WHERE site = ${site} AND ${w} GROUP BY reason ORDER BY reason`,
      ),
      this.#read<MetaRow>(
        sql`SELECT ip_policy, user_policy, attribution, raw_window_days FROM ${d.t('site_meta')} WHERE site = ${site} AND ${w} ORDER BY attempt`,
      ),
    ]);
    const vis = new Map(visitors.map((r) => [r.d, num(r.n)]));
    const cont = new Map(continued.map((r) => [r.d, num(r.n)]));
    const outDays: StoredDay[] = days.map((r) => ({
      date: r.d!,
      hits: num(r.hits),
      visitors: vis.get(r.d!) ?? 0,
      visits: num(r.visits) - (cont.get(r.d!) ?? 0),
      pages: num(r.pages),
      bytes: num(r.bytes),
      bots: num(r.bots),
      ftpTransfers: num(r.ftp_transfers),
      ftpBytes: num(r.ftp_bytes),
    }));
    const top = {} as Record<ListName, StoredRow[]>;
    const byId = new Map<number, ListName>(LIST_NAMES.map((n) => [LIST_IDS[n], n]));
    for (const n of LIST_NAMES) top[n] = [];
    for (const r of tops) {
      const name = byId.get(num(r.list));
      if (name) top[name].push({ key: r.key, hits: num(r.h), bytes: num(r.b) });
    }
    for (const n of LIST_NAMES) top[n].sort((a, b) => b.hits - a.hits || compareKeys(a.key, b.key));
    const outOthers: Partial<Record<ListName, Counter>> = {};
    for (const o of others) {
      const name = byId.get(num(o.list));
      if (name) outOthers[name] = { hits: num(o.h), bytes: num(o.b) };
    }
    const outRejected: Record<string, number> = {};
    for (const r of rejected) outRejected[r.reason] = num(r.n);
    return { site: q.site, from: lo, to: hi, days: outDays, distinctIps: num(ips[0]?.n ?? 0), top, others: outOthers, rejected: outRejected, meta: foldMeta(metas) };
  }

  async setContractEnd(site: string, day: string | null): Promise<void> {
    const d = this.#dep;
    try {
      await withRetry(() =>
        d.main.insert(d.tableName('site_contract'), [{ site, version: nextAttemptId(), contract_end: day ?? '' }], d.clustered ? { insert_distributed_sync: 1 } : {}),
      );
    } catch (e) {
      throw new AppError('ERR_STORE_WRITE', [(e as Error).message], { cause: e });
    }
  }

  async retention(): Promise<SiteRetention[]> {
    const d = this.#dep;
    const w = this.#winners(null);
    const [metaSites, contracts, ranges, rejects] = await Promise.all([
      this.#read<{ site: string; raw: number }>(
        sql`SELECT site, argMax(raw_window_days, attempt) AS raw FROM ${d.t('site_meta')} WHERE ${w} GROUP BY site`,
      ),
      this.#read<{ site: string; ce: string }>(sql`SELECT site, argMax(contract_end, version) AS ce FROM ${d.t('site_contract')} GROUP BY site`),
      this.#read<{ site: string; lo: string; hi: string }>(
        sql`SELECT site, toString(min(day)) AS lo, toString(max(day)) AS hi FROM ${d.t('day_total')} WHERE ${w} GROUP BY site`,
      ),
      this.#read<{ site: string }>(sql`SELECT DISTINCT site FROM ${d.t('rejected')} WHERE site != '' AND ${w}`),
    ]);
    const ce = new Map(contracts.map((r) => [r.site, r.ce === '' ? null : r.ce]));
    const rg = new Map(ranges.map((r) => [r.site, r]));
    const raw = new Map(metaSites.map((r) => [r.site, num(r.raw)]));
    // A site exists once anything was committed for it, or a contract end was set (as in SQLite).
    const names = new Set([...raw.keys(), ...ce.keys(), ...rg.keys(), ...rejects.map((r) => r.site)]);
    return [...names].sort(compareKeys).map((site) => ({
      site,
      contractEnd: ce.get(site) ?? null,
      rawWindowDays: raw.get(site) ?? 0,
      firstDay: rg.get(site)?.lo ?? null,
      lastDay: rg.get(site)?.hi ?? null,
    }));
  }

  async deleteSite(site: string, action: string, detail: string, at: Date): Promise<number> {
    const d = this.#dep;
    try {
      const counts = await Promise.all(
        SITE_TABLES.map((t) => d.main.rows<{ n: string }>(sql`SELECT count() AS n FROM ${d.t(t)} WHERE site = ${str(site)}`)),
      );
      const rows = counts.reduce((s, [r]) => s + num(r?.n), 0);
      if (rows === 0) return 0;
      const nodes = d.ddl.onCluster ? [d.main] : d.ddlNodes;
      for (const n of nodes) {
        for (const t of SITE_TABLES) await n.exec(sql`ALTER TABLE ${d.local(t)}${d.onCluster} DELETE WHERE site = ${str(site)}`);
        // Its checkpoints, as the SQLite store deletes them; vhost batches keep their ledger rows (other sites' data).
        await n.exec(sql`ALTER TABLE ${d.local('ledger')}${d.onCluster} DELETE WHERE scope = ${str(`site:${site}`)}`);
      }
      await d.awaitMutations(d.db);
      await this.#insertAudit([{ at: at.toISOString(), action, site, day: null, rows, detail }]);
      return rows;
    } catch (e) {
      if (e instanceof AppError) throw e;
      throw new AppError('ERR_STORE_WRITE', [(e as Error).message], { cause: e });
    }
  }

  async #insertAudit(records: readonly AuditRecord[]): Promise<void> {
    const d = this.#dep;
    const rows = records.map((r) => ({ id: nextAttemptId(), at: r.at, action: r.action, site: r.site, day: r.day, rows: r.rows, detail: r.detail }));
    await withRetry(() => d.main.insert(d.tableName('audit'), rows, d.clustered ? { insert_distributed_sync: 1 } : {}));
  }

  async rawFiles(): Promise<RawFileSize[]> {
    const d = this.#dep;
    const rows = await this.#read<{ site: string; day: string; bytes: string; lines: string }>(
      sql`SELECT site, day, argMax(bytes, attempt) AS bytes, argMax(lines, attempt) AS lines FROM ${d.t('raw_file')}
        WHERE ${this.#winners(null)} GROUP BY site, day`,
    );
    return rows
      .map((r) => ({ site: r.site, day: r.day, bytes: num(r.bytes), lines: num(r.lines) }))
      .sort((a, b) => compareKeys(a.day, b.day) || compareKeys(a.site, b.site));
  }

  async forgetRawFile(site: string, day: string, audit: AuditRecord): Promise<void> {
    const d = this.#dep;
    try {
      const nodes = d.ddl.onCluster ? [d.main] : d.ddlNodes;
      for (const n of nodes) await n.exec(sql`ALTER TABLE ${d.local('raw_file')}${d.onCluster} DELETE WHERE site = ${str(site)} AND day = ${str(day)}`);
      await d.awaitMutations(d.db);
      await this.#insertAudit([audit]);
    } catch (e) {
      if (e instanceof AppError) throw e;
      throw new AppError('ERR_STORE_WRITE', [(e as Error).message], { cause: e });
    }
  }

  async addAudit(records: readonly AuditRecord[]): Promise<void> {
    try {
      await this.#insertAudit(records);
    } catch (e) {
      throw new AppError('ERR_STORE_WRITE', [(e as Error).message], { cause: e });
    }
  }

  async audit(): Promise<AuditRecord[]> {
    const rows = await this.#read<{ at: string; action: string; site: string; day: string | null; rows: string; detail: string }>(
      sql`SELECT at, action, site, day, rows, detail FROM ${this.#dep.t('audit')} ORDER BY id`,
    );
    return rows.map((r) => ({ at: r.at, action: r.action, site: r.site, day: r.day, rows: num(r.rows), detail: r.detail }));
  }

  async close(): Promise<void> {
    await this.#dep.close();
  }
}

/** Site meta in commit order, folded exactly like the SQLite store's #writeMeta. */
interface MetaRow {
  ip_policy: string;
  user_policy: string;
  attribution: readonly string[];
  raw_window_days: number;
}

export function foldMeta(rows: readonly MetaRow[]): SiteMeta {
  const join = (old: string, now: string): string => (old === '' || old.split('; ').includes(now) ? (old === '' ? now : old) : `${old}; ${now}`);
  let ip = '';
  let user = '';
  let rawWindowDays = 0;
  const attribution = new Set<string>();
  for (const r of rows) {
    ip = join(ip, r.ip_policy);
    user = join(user, r.user_policy);
    for (const a of r.attribution) attribution.add(a);
    rawWindowDays = num(r.raw_window_days);
  }
  return { ipPolicy: ip, userPolicy: user, attribution: [...attribution], rawWindowDays };
}
