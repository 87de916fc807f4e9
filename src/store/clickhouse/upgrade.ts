/**
 * Converting a store of the layout before engine v2 (schema 1–2) to version 3, once, by
 * `weblog store migrate` (an ingest refuses such a store: two ingests converting at once would
 * copy twice). Rows keep their attempt ids, and the old ledger's rows become commit rows, so what
 * counted before counts after, checkpoints included (files already ingested stay ingested):
 * - day_total → site_day, day_top → list_row (no time columns), day_other → list_other;
 * - visitor_span → visit intervals without page views (bounces, entry and exit pages of old days
 *   are zero: they were never recorded), under key generation 'v2' (old ids were made with
 *   per-site keys that no longer exist; new data of the same days is counted apart and the days
 *   are shown as undeduplicated);
 * - rejected, site_meta, site_contract, raw_file, audit stay where they are.
 * Rerunnable: a run first deletes what an interrupted earlier run copied. The old tables are
 * dropped after version 3 is recorded.
 */
import type { Deployment } from './deployment.js';
import { REPLACED_TABLES } from './migrations.js';
import { raw, sql, str } from './sql.js';

const COPIES: readonly { readonly to: string; readonly from: string; readonly columns: string; readonly select: string }[] = [
  { to: 'site_day', from: 'day_total', columns: 'site, day, attempt, hits, pages, bytes, bots, ftp_transfers, ftp_bytes', select: 'site, day, attempt, hits, pages, bytes, bots, ftp_transfers, ftp_bytes' },
  { to: 'list_row', from: 'day_top', columns: 'site, list, day, key, attempt, hits, bytes, time_sum, time_max', select: 'site, list, day, key, attempt, hits, bytes, toUInt64(0), toUInt64(0)' },
  { to: 'list_other', from: 'day_other', columns: 'site, list, day, attempt, hits, bytes', select: 'site, list, day, attempt, hits, bytes' },
  {
    to: 'visit',
    from: 'visitor_span',
    columns: 'site, day, gen, visitor, attempt, first, last, pages, entry, entry_time, exit, exit_time',
    select: "site, day, 'v2', visitor, attempt, first, last, toUInt32(0), '', toUInt32(0), '', toUInt32(0)",
  },
  {
    to: 'commits',
    from: 'ledger',
    columns: 'attempt, pos, cp, fp_len, fp_hash, dev, ino, from_offset, offset, lines, created',
    select: "attempt, concat('v2:', batch_id), toUInt8(fp_len > 0), toUInt32(fp_len), fp_hash, dev, ino, toUInt64(0), offset, lines, committed_at",
  },
];

async function exists(dep: Deployment, table: string): Promise<boolean> {
  const [r] = await dep.main.rows<{ n: string }>(sql`SELECT count() AS n FROM system.tables WHERE database = ${str(dep.db)} AND name = ${str(table)}`);
  return Number(r?.n) > 0;
}

export async function upgradeToV3(dep: Deployment): Promise<void> {
  if (!(await exists(dep, 'ledger'))) return;
  const oldAttempts = sql`attempt ${dep.in} (SELECT attempt FROM ${dep.t('ledger')})`;
  // What an interrupted earlier run copied goes first (the copies keep the old attempt ids).
  let deleted = false;
  for (const c of COPIES) {
    const [r] = await dep.main.rows<{ n: string }>(sql`SELECT count() AS n FROM ${dep.t(c.to)} WHERE ${oldAttempts}`);
    if (Number(r?.n) === 0) continue;
    const own = sql`attempt IN (SELECT attempt FROM ${dep.t('ledger')})`;
    for (const n of dep.mutationNodes) await n.exec(sql`ALTER TABLE ${dep.local(c.to)}${dep.onCluster} DELETE WHERE ${own}`);
    deleted = true;
  }
  if (deleted) await dep.awaitMutations(dep.db);
  // The commit rows last: until they exist, nothing copied counts.
  for (const c of COPIES) {
    if (!(await exists(dep, c.from))) continue;
    await dep.main.exec(sql`INSERT INTO ${dep.t(c.to)} (${raw(c.columns)}) SELECT ${raw(c.select)} FROM ${dep.t(c.from)}`, dep.insertSettings());
  }
}

/** Drops the tables version 3 replaced, on every DDL node (and the old per-site key table is the key ring's). */
export async function dropReplaced(dep: Deployment): Promise<void> {
  for (const n of dep.ddl.onCluster ? [dep.main] : dep.ddlNodes) {
    for (const t of REPLACED_TABLES) {
      await n.exec(sql`DROP TABLE IF EXISTS ${dep.t(t)}${dep.onCluster}`);
      if (dep.clustered) await n.exec(sql`DROP TABLE IF EXISTS ${dep.local(t)}${dep.onCluster}`);
    }
  }
}
