/**
 * The ClickHouse store: the same Store semantics as the embedded SQLite store, on one server or a
 * sharded cluster, written by any number of concurrent ingest processes.
 *
 * ClickHouse has no multi-statement transactions and no upserts, so the SQLite design (one
 * transaction per batch) is turned inside out: a commit only *appends* rows, every row tagged
 * with the commit attempt that wrote it, and all merging happens at query time.
 * - Atomicity: the one-row `commits` entry is written after all data rows; queries count only
 *   attempts that have one and won their source position (ledger.ts). A crash mid-batch leaves
 *   invisible orphan rows, never half a batch.
 * - Compare-and-set: a batch whose source does not stand where it started is refused with
 *   ERR_SOURCE_BUSY and counts nothing, also when two writers race (ledger.ts).
 * - Visits: every batch part's intervals are stored; the visit rule joins them at query time
 *   (visit-sql.ts), so any number of batches, workers and writers give one ordered run's visits.
 */
import type { Batch, RawFileSize, SiteMeta } from '../../aggregate/index.js';
import { AppError, appError } from '../../core/errors.js';
import { compareKeys } from '../sqlite/sqlite-store.js';
import type { AuditRecord, Checkpoint, ReportQuery, SiteRetention, Store, StoredReport } from '../store.js';
import { checkDays, encodeBatch } from './batch-rows.js';
import { isTransient, withRetry } from './connection.js';
import { CH_SCHEMA_VERSION } from './migrations.js';
import { Deployment, migrateDeployment, nextAttemptId, num, openDeployment, schemaVersion } from './deployment.js';
import { Interrupt, NO_INTERRUPT } from './interrupt.js';
import { Ledger } from './ledger.js';
import { queryReport } from './report-query.js';
import { closeVisits, deleteSite, forgetRawFile, insertAudit } from './retention.js';
import { settleSeconds } from './settle.js';
import { date, sql } from './sql.js';

export interface ClickHouseStoreOptions {
  /** Seconds of inactivity that end a visit (the join at query time uses it). */
  readonly visitTimeoutSec: number;
  readonly readonly?: boolean;
  /** SIGINT/SIGTERM: waits on the server still pending after a grace are abandoned (interrupt.ts). */
  readonly signal?: AbortSignal;
}

export { migrateDeployment, openDeployment };

export async function openClickHouseStore(location: string, opts: ClickHouseStoreOptions): Promise<Store> {
  const dep = await openDeployment(location);
  try {
    if (opts.readonly) {
      const v = await schemaVersion(dep);
      if (v === 0) throw new Error('no weblog schema here: run `weblog store migrate --store URL` or an ingest first');
      if (v > CH_SCHEMA_VERSION) throw appError('ERR_STORE_SCHEMA_NEWER', v, CH_SCHEMA_VERSION);
      if (v < CH_SCHEMA_VERSION) throw appError('ERR_STORE_SCHEMA_OLDER', v, CH_SCHEMA_VERSION);
    } else await withRetry(() => migrateDeployment(dep));
  } catch (e) {
    await dep.close();
    if (e instanceof AppError) throw e;
    throw new AppError('ERR_STORE_OPEN', [dep.target.location, (e as Error).message], { cause: e });
  }
  return new ClickHouseStore(dep, opts);
}

/** Delays between rounds of a batch whose data inserts failed (WEBLOG_CH_RETRY_MS shortens them for tests). */
function roundDelays(): number[] {
  return (process.env.WEBLOG_CH_RETRY_MS ?? '200,1000,3000,8000').split(',').map(Number);
}

class ClickHouseStore implements Store {
  readonly location: string;
  readonly #dep: Deployment;
  readonly #timeout: number;
  readonly #ledger: Ledger;
  readonly #interrupt: Interrupt;
  /** Site meta this process has committed (unchanged meta is not written again). */
  readonly #metaWritten = new Map<string, string>();

  constructor(dep: Deployment, opts: ClickHouseStoreOptions) {
    this.#dep = dep;
    this.location = dep.target.location;
    this.#timeout = opts.visitTimeoutSec;
    this.#interrupt = opts.signal ? new Interrupt(opts.signal) : NO_INTERRUPT;
    if (opts.signal) for (const n of [dep.main, ...dep.ddlNodes]) n.abortSignal = this.#interrupt.abortSignal;
    this.#ledger = new Ledger(dep, settleSeconds(), this.#interrupt);
  }

  get #ctx() {
    return { dep: this.#dep, ledger: this.#ledger, timeoutSec: this.#timeout };
  }

  async #read<T = Record<string, string>>(q: ReturnType<typeof sql>): Promise<T[]> {
    try {
      return await withRetry(() => this.#dep.main.rows<T>(q));
    } catch (e) {
      throw new AppError('ERR_STORE_READ', [(e as Error).message], { cause: e });
    }
  }

  async checkpoints(): Promise<Checkpoint[]> {
    try {
      return await this.#ledger.checkpoints();
    } catch (e) {
      if (e instanceof AppError) throw e;
      throw new AppError('ERR_STORE_READ', [(e as Error).message], { cause: e });
    }
  }

  /** The sites whose meta this batch must write: new to this process, or changed. */
  #metaToWrite(batch: Batch): Map<string, SiteMeta> {
    const out = new Map<string, SiteMeta>();
    for (const [site, m] of batch.sites) {
      const k = JSON.stringify(m);
      if (this.#metaWritten.get(site) !== k) out.set(site, m);
    }
    return out;
  }

  async commit(batch: Batch): Promise<void> {
    checkDays(batch);
    const d = this.#dep;
    const cp = batch.checkpoint;
    const meta = this.#metaToWrite(batch);
    const delays = roundDelays();
    try {
      if (cp !== null) {
        const stands = await this.#ledger.standing(cp);
        const expected = cp.from?.offset ?? 0;
        if (stands !== expected) throw appError('ERR_SOURCE_BUSY', stands, expected);
      }
      let attempt = '';
      for (let round = 0; ; round++) {
        // A fresh attempt per round: rows of a failed round may be partly written, and stay orphans.
        attempt = nextAttemptId();
        const tables = encodeBatch(batch, attempt, meta);
        try {
          await this.#interrupt.guard(
            Promise.all(tables.map((t) => d.main.insertRowBinary(d.tableName(t.table), t.columns, t.body, d.insertSettings()))),
            'the batch rows',
          );
          break;
        } catch (e) {
          if (!isTransient(e) || round >= delays.length) throw e;
          await this.#interrupt.sleep(delays[round]!, 'the batch rows');
        }
      }
      // The commit point.
      await this.#ledger.write(attempt, batch.lines, cp);
      if (cp !== null && !(await this.#ledger.won(cp, attempt))) await this.#ledger.busy(cp);
      for (const [site, m] of meta) this.#metaWritten.set(site, JSON.stringify(m));
    } catch (e) {
      if (e instanceof AppError) throw e;
      throw new AppError('ERR_STORE_WRITE', [`${d.target.location}: ${(e as Error).message}`], { cause: e });
    }
  }

  /** Nothing to do: batches are joined at query time (docs/clickhouse.md, Schema). */
  async compact(): Promise<void> {}

  async closeVisits(cutoffOf: (windowDays: number) => string, at: Date): Promise<number> {
    try {
      return await closeVisits(this.#ctx, cutoffOf, at);
    } catch (e) {
      if (e instanceof AppError) throw e;
      throw new AppError('ERR_STORE_WRITE', [(e as Error).message], { cause: e });
    }
  }

  async sites(): Promise<string[]> {
    const rows = await this.#read<{ site: string }>(sql`SELECT DISTINCT site FROM ${this.#dep.t('site_day')} WHERE ${this.#ledger.committed()}`);
    return rows.map((r) => r.site).sort(compareKeys);
  }

  async undeduplicatedDays(from: string, to: string): Promise<{ site: string; day: string }[]> {
    const d = this.#dep;
    const where = sql`day BETWEEN ${date(from)} AND ${date(to)} AND gen != '' AND ${this.#ledger.committed()}`;
    // The key generations of open visit intervals and of closed days, as the report counts them.
    const rows = await this.#read<{ site: string; d: string }>(
      sql`SELECT site, toString(day) AS d FROM (
          SELECT site, day, gen FROM ${d.t('visit')} WHERE ${where} GROUP BY site, day, gen
          UNION ALL
          SELECT site, day, gen FROM ${d.t('visit_closed')} WHERE ${where} GROUP BY site, day, gen
        ) GROUP BY site, day HAVING uniqExact(gen) > 1`,
    );
    return rows.map((r) => ({ site: r.site, day: r.d })).sort((a, b) => compareKeys(a.site, b.site) || compareKeys(a.day, b.day));
  }

  async query(q: ReportQuery): Promise<StoredReport | null> {
    return queryReport(this.#ctx, q);
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
    const w = this.#ledger.committed();
    const [metaSites, contracts, ranges] = await Promise.all([
      this.#read<{ site: string; raw: string }>(sql`SELECT site, argMax(raw_window_days, attempt) AS raw FROM ${d.t('site_meta')} WHERE ${w} GROUP BY site`),
      this.#read<{ site: string; ce: string }>(sql`SELECT site, argMax(contract_end, version) AS ce FROM ${d.t('site_contract')} GROUP BY site`),
      this.#read<{ site: string; lo: string; hi: string }>(
        sql`SELECT site, toString(min(day)) AS lo, toString(max(day)) AS hi FROM ${d.t('site_day')} WHERE ${w} GROUP BY site`,
      ),
    ]);
    const ce = new Map(contracts.map((r) => [r.site, r.ce === '' ? null : r.ce]));
    const rg = new Map(ranges.map((r) => [r.site, r]));
    const raw = new Map(metaSites.map((r) => [r.site, num(r.raw)]));
    // A site exists once a batch named it or a contract end was set (as in SQLite).
    const names = new Set([...raw.keys(), ...ce.keys(), ...rg.keys()]);
    return [...names].sort(compareKeys).map((site) => ({
      site,
      contractEnd: ce.get(site) ?? null,
      rawWindowDays: raw.get(site) ?? 0,
      firstDay: rg.get(site)?.lo ?? null,
      lastDay: rg.get(site)?.hi ?? null,
    }));
  }

  async deleteSite(site: string, action: string, detail: string, at: Date): Promise<number> {
    const n = await deleteSite(this.#ctx, site, action, detail, at);
    this.#metaWritten.delete(site);
    return n;
  }

  async rawFiles(): Promise<RawFileSize[]> {
    const d = this.#dep;
    const rows = await this.#read<{ site: string; day: string; b: string; l: string }>(
      // A file only grows while it lives (writers append in turn under the spool's lock): the largest size is the latest.
      sql`SELECT site, day, max(bytes) AS b, argMax(lines, bytes) AS l FROM ${d.t('raw_file')}
        WHERE ${this.#ledger.committed()} GROUP BY site, day`,
    );
    return rows
      .map((r) => ({ site: r.site, day: r.day, bytes: num(r.b), lines: num(r.l) }))
      .sort((a, b) => compareKeys(a.day, b.day) || compareKeys(a.site, b.site));
  }

  async forgetRawFile(site: string, day: string, audit: AuditRecord): Promise<void> {
    await forgetRawFile(this.#dep, site, day, audit);
  }

  async addAudit(records: readonly AuditRecord[]): Promise<void> {
    try {
      await insertAudit(this.#dep, records);
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
    this.#interrupt.close();
    await this.#dep.close();
  }
}
