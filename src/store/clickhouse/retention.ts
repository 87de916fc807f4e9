/**
 * Retention on the server: closing the visits of days past a site's raw window, deleting a site,
 * forgetting a raw-window file. Each writes audit records (privacy issue).
 *
 * Closing visits (`closeVisits`), per raw-window length W and its cutoff day:
 * 1. One INSERT … SELECT turns the committed open intervals of every (site, day, gen) before the
 *    cutoff, of the sites whose window is W, into one `visit_closed` row each: the counts, the
 *    entry and exit pages, and the attempts it covers. One statement, so what it counts and what
 *    it says it covers are the same rows. Intervals another closing already covers are left out.
 * 2. The covered intervals are deleted: a day partition (the visit table is partitioned by day)
 *    holding nothing else is dropped (no rewrite), otherwise an ALTER … DELETE of exactly the
 *    covered rows. On every node, waited for.
 * 3. Its commit row makes the closed rows count.
 * So reports never need to tell covered intervals apart: a closed row counts only once its
 * intervals are gone. While 2–3 run, reports of those days miss the visits being closed (seconds,
 * during a purge). A closing that died between 1 and 3 is finished by a later purge, once it is
 * older than RECOVER_AFTER_MS (a younger one may still be running in another process). Late
 * intervals of a closed day under the same key generation are not covered and count on their
 * own, like SQLite's separately merged open pieces.
 */
import { AppError } from '../../core/errors.js';
import type { AuditRecord } from '../store.js';
import { withRetry } from './connection.js';
import { nextAttemptId, num, type Deployment } from './deployment.js';
import type { Ledger } from './ledger.js';
import { dateLiteral, raw, sql, str, u64, type Sql } from './sql.js';
import { visitRows } from './visit-sql.js';

/** Per-site tables: what deleteSite removes (raw_file rows go with the purge of the files). */
export const SITE_TABLES = ['site_day', 'list_row', 'list_other', 'visit', 'visit_closed', 'rejected', 'site_meta', 'site_contract'] as const;

export interface RetentionContext {
  readonly dep: Deployment;
  readonly ledger: Ledger;
  readonly timeoutSec: number;
}

const CLOSED_COLUMNS = 'site, day, gen, attempt, visitors, visits, bounces, visit_seconds, covered, entries, entry_n, exits, exit_n';

/** Key counts of a sorted array of keys, without a lambda that captures a column (18.16). */
function runLengths(sorted: string, what: 'keys' | 'counts'): string {
  const last = `arrayPushBack(arrayPopFront(arrayEnumerateUniq(${sorted})), 1)`;
  return what === 'keys'
    ? `arrayFilter((k, nu) -> nu = 1, ${sorted}, ${last})`
    : `arrayMap(x -> toUInt64(x), arrayFilter((u, nu) -> nu = 1, arrayEnumerateUniq(${sorted}), ${last}))`;
}

/** A closing that has not committed after this long died: a later purge finishes it. */
const RECOVER_AFTER_MS = 10 * 60_000;

export async function closeVisits(ctx: RetentionContext, cutoffOf: (windowDays: number) => string, at: Date): Promise<number> {
  const { dep: d, ledger } = ctx;
  await recover(ctx);
  const w = ledger.committed();
  const windowsOf = sql`SELECT site, argMax(raw_window_days, attempt) AS w FROM ${d.t('site_meta')} WHERE ${w} GROUP BY site`;
  const windows = (await d.main.rows<{ w: string }>(sql`SELECT DISTINCT w FROM (${windowsOf})`)).map((r) => num(r.w));
  const perSite = new Map<string, number>();
  let closed = 0;
  for (const win of windows.sort((a, b) => a - b)) {
    const cutoff = cutoffOf(win);
    const sites = sql`site ${d.in} (SELECT site FROM (${windowsOf}) WHERE w = ${u64(win)})`;
    // Intervals a closing still finishing (or dead) covers are its business.
    const uncovered = sql`(site, day, gen, attempt) ${d.notIn} (SELECT site, day, gen, arrayJoin(covered) FROM ${d.t('visit_closed')} WHERE day < ${dateLiteral(cutoff)})`;
    const attempt = nextAttemptId();
    const visits = visitRows(d, ledger, sql`day < ${dateLiteral(cutoff)} AND ${sites} AND ${uncovered}`, ctx.timeoutSec);
    const sortedEntries = 'arraySort(groupArrayIf(tupleElement(en, 2), pages > 0))';
    const sortedExits = 'arraySort(groupArrayIf(tupleElement(ex, 2), pages > 0))';
    await withRetry(() =>
      d.main.exec(
        sql`INSERT INTO ${d.t('visit_closed')} (${raw(CLOSED_COLUMNS)})
          SELECT site, day, gen, ${u64(attempt)}, uniqExact(visitor), count(), countIf(pages = 1), sum(vl - vf), groupUniqArrayArray(atts),
            ${raw(runLengths(sortedEntries, 'keys'))}, ${raw(runLengths(sortedEntries, 'counts'))},
            ${raw(runLengths(sortedExits, 'keys'))}, ${raw(runLengths(sortedExits, 'counts'))}
          FROM (${visits}) GROUP BY site, day, gen`,
        d.insertSettings(),
      ),
    );
    const groups = await d.main.rows<{ site: string; n: string }>(
      sql`SELECT site, count() AS n FROM ${d.t('visit_closed')} WHERE attempt = ${u64(attempt)} GROUP BY site`,
    );
    if (groups.length === 0) continue;
    await deleteCovered(ctx, attempt);
    await ledger.write(attempt, 0, null);
    for (const g of groups) {
      perSite.set(g.site, (perSite.get(g.site) ?? 0) + num(g.n));
      closed += num(g.n);
    }
  }
  if (perSite.size > 0) {
    const records: AuditRecord[] = [...perSite].map(([site, n]) => ({
      at: at.toISOString(),
      action: 'close-visits',
      site,
      day: null,
      rows: n,
      detail: `visitor intervals of ${n} day(s) past the raw window dropped; their counts are kept`,
    }));
    await insertAudit(d, records);
  }
  return closed;
}

/** Closings that died before their commit row: delete what they cover (again), then commit them. */
async function recover(ctx: RetentionContext): Promise<void> {
  const d = ctx.dep;
  const dead = await d.main.rows<{ a: string }>(
    sql`SELECT DISTINCT toString(attempt) AS a FROM ${d.t('visit_closed')} WHERE attempt ${d.notIn} (SELECT attempt FROM ${d.t('commits')})`,
  );
  for (const { a } of dead) {
    if (Date.now() - Number(BigInt(a) >> 22n) < RECOVER_AFTER_MS) continue;
    await deleteCovered(ctx, a);
    await ctx.ledger.write(a, 0, null);
  }
}

/** Deletes the intervals the closing `attempt` covers: whole day partitions where nothing else is left. */
async function deleteCovered(ctx: RetentionContext, attempt: string): Promise<void> {
  const d = ctx.dep;
  const days = (await d.main.rows<{ d: string }>(sql`SELECT DISTINCT toString(day) AS d FROM ${d.t('visit_closed')} WHERE attempt = ${u64(attempt)}`)).map((r) => r.d);
  if (days.length === 0) return;
  const dayList = days.map((x) => dateLiteral(x)).reduce((a, b) => sql`${a}, ${b}`);
  // Rows some closing covers, and rows none does (other windows, late or uncommitted batches).
  const left = await d.main.rows<{ d: string; n: string }>(
    sql`SELECT toString(day) AS d, countIf((site, day, gen, attempt) ${d.notIn} (SELECT site, day, gen, arrayJoin(covered) FROM ${d.t('visit_closed')} WHERE day IN (${dayList}))) AS n
      FROM ${d.t('visit')} WHERE day IN (${dayList}) GROUP BY day`,
  );
  const droppable = left.filter((r) => num(r.n) === 0).map((r) => r.d);
  const partial = left.filter((r) => num(r.n) > 0).map((r) => r.d);
  for (const n of d.mutationNodes) {
    for (const day of droppable) await n.exec(sql`ALTER TABLE ${d.local('visit')}${d.onCluster} DROP PARTITION ${dateLiteral(day)}`);
    if (partial.length > 0) {
      // The mutation runs on each node against its own rows: the closed rows of a site live on its shard.
      const own = sql`(site, day, gen, attempt) IN (SELECT site, day, gen, arrayJoin(covered) FROM ${d.local('visit_closed')} WHERE attempt = ${u64(attempt)})`;
      const partialDays = partial.map((x) => dateLiteral(x)).reduce((a, b) => sql`${a}, ${b}`);
      await n.exec(sql`ALTER TABLE ${d.local('visit')}${d.onCluster} DELETE WHERE day IN (${partialDays}) AND ${own}`);
    }
  }
  if (partial.length > 0) await d.awaitMutations(d.db);
}

export async function insertAudit(d: Deployment, records: readonly AuditRecord[]): Promise<void> {
  const rows = records.map((r) => ({ id: nextAttemptId(), at: r.at, action: r.action, site: r.site, day: r.day, rows: r.rows, detail: r.detail }));
  await withRetry(() => d.main.insert(d.tableName('audit'), rows, d.clustered ? { insert_distributed_sync: 1 } : {}));
}

export async function deleteSite(ctx: RetentionContext, site: string, action: string, detail: string, at: Date): Promise<number> {
  const d = ctx.dep;
  try {
    const counts = await Promise.all(SITE_TABLES.map((t) => d.main.rows<{ n: string }>(sql`SELECT count() AS n FROM ${d.t(t)} WHERE site = ${str(site)}`)));
    const rows = counts.reduce((s, [r]) => s + num(r?.n), 0);
    if (rows === 0) return 0;
    for (const n of d.mutationNodes) {
      for (const t of SITE_TABLES) await n.exec(sql`ALTER TABLE ${d.local(t)}${d.onCluster} DELETE WHERE site = ${str(site)}`);
    }
    await d.awaitMutations(d.db);
    await insertAudit(d, [{ at: at.toISOString(), action, site, day: null, rows, detail }]);
    return rows;
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw new AppError('ERR_STORE_WRITE', [(e as Error).message], { cause: e });
  }
}

export async function forgetRawFile(d: Deployment, site: string, day: string, audit: AuditRecord): Promise<void> {
  try {
    for (const n of d.mutationNodes) await n.exec(sql`ALTER TABLE ${d.local('raw_file')}${d.onCluster} DELETE WHERE site = ${str(site)} AND day = ${str(day)}`);
    await d.awaitMutations(d.db);
    await insertAudit(d, [audit]);
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw new AppError('ERR_STORE_WRITE', [(e as Error).message], { cause: e });
  }
}

